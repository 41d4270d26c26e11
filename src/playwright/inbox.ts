/**
 * Server-side inboxes: a process on a server-node (in the test process) that records every
 * message it receives, for tests to wait on — the counterpart of `tab.inbox()`.
 */
import type { Node } from '../core/node/node.js';
import type { ProcessContext } from '../core/process/context.js';
import type { Pid } from '../core/terms/pid.js';
import { formatTerm } from '../core/terms/format.js';
import { matches } from '../browser/harness/match.js';

/**
 * Options of `inbox(node, opts)`.
 *
 * @example
 * const box = inbox(srv, { name: 'probe', trapExit: true } satisfies InboxOptions);
 */
export interface InboxOptions<T = unknown> {
  /** Register the process under this name. */
  name?: string;
  /** Trap exits, so exit signals arrive as `['EXIT', pid, reason]` messages (default false). */
  trapExit?: boolean;
  /** Runs in the process before it starts recording (e.g. to link or spawnLink); `ready` resolves with its result. */
  init?: (self: ProcessContext) => T | Promise<T>;
}

/**
 * A recording process on a server-node, as `inbox()` returns it.
 *
 * @example
 * const box: Inbox = inbox(srv, { name: 'probe' });
 * await tab.evaluate((node) => node.send(['probe', 'srv@erlmesh'], ['hello', node.name]));
 * await box.waitFor(['hello', ANY]);
 */
export interface Inbox<T = unknown> {
  readonly pid: Pid;
  /** Every message received so far, oldest first (a live array). */
  readonly messages: readonly unknown[];
  /** Resolves with `init`'s result once the process records (at once without `init`). */
  readonly ready: Promise<T>;
  /**
   * Resolve with the first message (since the start) matching `matcher`: a pattern (see
   * `ANY`; arrays element-wise, plain objects by the keys given, pids by `equals`) or a
   * predicate. Rejects after `timeoutMs` (default 5 000) listing what arrived.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a predicate inspects arbitrary terms
  waitFor(predicate: (msg: any) => unknown, timeoutMs?: number): Promise<unknown>;
  waitFor(pattern: unknown, timeoutMs?: number): Promise<unknown>;
}

/**
 * Spawn a recording process on `node`.
 *
 * @example
 * const box = inbox(srv, { trapExit: true, init: (self) => self.spawnLink(tab.name, async (s) => { await s.receive(); }) });
 * const child = await box.ready;
 * await tab.close();
 * await box.waitFor(['EXIT', child, 'noconnection']);
 */
export function inbox<T = undefined>(node: Node, opts: InboxOptions<T> = {}): Inbox<T> {
  const messages: unknown[] = [];
  const waiters = new Set<() => void>();
  let ready!: (v: T) => void;
  let failed!: (e: unknown) => void;
  const readyP = new Promise<T>((res, rej) => {
    ready = res;
    failed = rej;
  });
  readyP.catch(() => undefined);
  const pid = node.spawn(async (self) => {
    if (opts.trapExit) self.trapExit(true);
    try {
      ready((opts.init ? await opts.init(self) : undefined) as T);
    } catch (e) {
      failed(e);
      throw e;
    }
    for (;;) {
      messages.push(await self.receive());
      for (const w of [...waiters]) w();
    }
  });
  if (opts.name !== undefined) node.register(opts.name, pid);
  const test = (matcher: unknown, m: unknown) => (typeof matcher === 'function' ? Boolean(matcher(m)) : matches(matcher, m));
  return {
    pid,
    messages,
    ready: readyP,
    waitFor(matcher: unknown, timeoutMs = 5_000): Promise<unknown> {
      return new Promise((resolve, reject) => {
        let i = 0;
        const check = (): boolean => {
          for (; i < messages.length; i++) {
            if (test(matcher, messages[i])) {
              resolve(messages[i]);
              return true;
            }
          }
          return false;
        };
        if (check()) return;
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          const what = typeof matcher === 'function' ? matcher.toString() : formatTerm(matcher);
          reject(new Error(`inbox ${String(pid)}: no message matching ${what} within ${timeoutMs} ms; got: ${messages.map((m) => formatTerm(m)).join(', ') || 'nothing'}`));
        }, timeoutMs);
        const waiter = () => {
          if (check()) {
            clearTimeout(timer);
            waiters.delete(waiter);
          }
        };
        waiters.add(waiter);
      });
    },
  };
}
