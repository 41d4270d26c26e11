/**
 * The child side of the bench's IPC (bench/lib/children.ts is the parent side): a child gets
 * its options as JSON in argv[2], says `ready` (with whatever the parent needs, e.g. a URL)
 * once set up, and answers commands `{ id, cmd, args }` with `{ id, ok, result | error }`.
 * It exits when the parent goes away (the IPC channel closes), so nothing outlives the bench.
 */

export type Handler = (args: Record<string, unknown>) => unknown;

/** This child's options (argv[2], JSON). */
export function childOptions<T>(): T {
  return JSON.parse(process.argv[2] ?? '{}') as T;
}

function send(msg: unknown): void {
  if (process.send && process.connected) process.send(msg);
}

export function errorText(e: unknown): string {
  if (e instanceof Error) return e.stack ?? `${e.name}: ${e.message}`;
  return String(e);
}

/** Serve commands; `ready` is sent once `setup` resolves (its value goes with it). */
export async function serve(setup: () => Promise<unknown>, handlers: Record<string, Handler>): Promise<void> {
  process.on('disconnect', () => process.exit(0));
  process.on('uncaughtException', (e) => {
    send({ type: 'fatal', error: errorText(e) });
    process.exit(70);
  });
  process.on('unhandledRejection', (e) => {
    send({ type: 'fatal', error: errorText(e) });
    process.exit(70);
  });
  let info: unknown;
  try {
    info = await setup();
  } catch (e) {
    send({ type: 'fatal', error: errorText(e) });
    process.exit(70);
  }
  process.on('message', (m: { id: number; cmd: string; args?: Record<string, unknown> }) => {
    const h = handlers[m.cmd];
    if (!h) {
      send({ id: m.id, ok: false, error: `unknown command ${m.cmd}` });
      return;
    }
    Promise.resolve()
      .then(() => h(m.args ?? {}))
      .then(
        (result) => send({ id: m.id, ok: true, result }),
        (e: unknown) => send({ id: m.id, ok: false, error: e instanceof Error ? e.message : String(e), stack: errorText(e) }),
      );
  });
  send({ type: 'ready', info });
}

/** process.memoryUsage() after full garbage collections (needs --expose-gc to collect). */
export async function measuredMemory(): Promise<NodeJS.MemoryUsage & { gc: boolean }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setImmediate(r));
    gc?.();
  }
  return { ...process.memoryUsage(), gc: gc !== undefined };
}
