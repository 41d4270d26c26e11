/**
 * The toolkit of the transport conformance suite (../transport-conformance.ts): the harness
 * type, assertions, bounded waits, recording channels and the per-case `Scope` that closes
 * what a case opened. Framework-neutral: only universal globals (setTimeout, TextEncoder).
 */
import type { Channel, Frame, Registration, Transport } from '../../net/transport.js';

/**
 * What a conformance run needs from the implementation under test.
 *
 * @example
 * let n = 0;
 * const net = new MemoryNetwork();
 * const harness: TransportHarness = { newTransport: () => net.transport(), uniqueName: (base) => `${base}-${++n}@x` };
 */
export interface TransportHarness {
  /** A fresh transport (one node). Cases close every transport they make. */
  newTransport(): Promise<Transport> | Transport;
  /** A node name no other case or run uses, derived from `base`. */
  uniqueName(base: string): string;
  /** Called after each case, pass or fail (e.g. to close what a failed case left open). */
  cleanup?(): Promise<void>;
}

/**
 * One case of the suite: a name, and a run that throws on failure.
 *
 * @example
 * const c: TransportConformanceCase = transportConformanceCases[0]!;
 * await c.run(harness); // throws an Error naming the broken invariant
 */
export interface TransportConformanceCase {
  readonly name: string;
  run(h: TransportHarness): Promise<void>;
}

// ---- assertions ------------------------------------------------------------------------

/** Throw `Error(message)` unless `cond` holds. */
export function assert(cond: unknown, message: string): asserts cond {
  if (!cond) throw new Error(`assertion failed: ${message}`);
}

/** Throw unless `actual === expected` (`Object.is`), showing both values. */
export function assertEqual<T>(actual: T, expected: T, message: string): void {
  if (!Object.is(actual, expected)) {
    throw new Error(`assertion failed: ${message}: expected ${show(expected)}, got ${show(actual)}`);
  }
}

export function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 80 ? `${v.slice(0, 80)}…` : v);
  if (v instanceof Uint8Array) return `Uint8Array(${v.length})`;
  try {
    const s = JSON.stringify(v);
    if (s !== undefined) return s.length > 200 ? `${s.slice(0, 200)}…` : s;
  } catch {
    // fall through
  }
  return String(v);
}

// ---- helpers ---------------------------------------------------------------------------

const DEFAULT_WAIT_MS = 5_000;
/** How long "nothing more happens" is watched for (duplicate closes, late frames). */
export const QUIET_MS = 50;

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Poll `cond` until it holds; fail clearly after `ms`. */
export async function waitFor(cond: () => boolean, what: string, ms = DEFAULT_WAIT_MS): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(2);
  }
}

/** Await `p`, failing clearly if it neither resolves nor rejects within `ms`. */
export async function within<T>(p: Promise<T> | T, what: string, ms = DEFAULT_WAIT_MS): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([Promise.resolve(p), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Expect `p` to reject with an error whose `code` is `code`. */
export async function expectRejectCode(p: Promise<unknown>, code: string, what: string): Promise<void> {
  let outcome: { ok: true; value: unknown } | { ok: false; error: unknown };
  try {
    outcome = { ok: true, value: await within(p, what) };
  } catch (error) {
    outcome = { ok: false, error };
  }
  if (outcome.ok) throw new Error(`assertion failed: ${what} should reject with code ${code}, but resolved`);
  const got = (outcome.error as { code?: unknown } | null)?.code;
  if (got !== code) {
    const msg = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
    throw new Error(`assertion failed: ${what} should reject with code ${code}, got code ${show(got)} (${msg})`);
  }
}

/** A channel with recording handlers. */
export interface Recorder {
  readonly channel: Channel;
  readonly frames: Frame[];
  readonly closes: string[];
}

export function record(channel: Channel): Recorder {
  const r: Recorder = { channel, frames: [], closes: [] };
  channel.attach({
    onFrame: (f) => r.frames.push(f),
    onClose: (reason) => r.closes.push(reason),
  });
  return r;
}

/** Resources of one case; `dispose` closes them all, even when the case failed. */
export class Scope {
  readonly h: TransportHarness;
  readonly transports: Transport[] = [];
  readonly channels: Channel[] = [];
  constructor(h: TransportHarness) {
    this.h = h;
  }

  async transport(): Promise<Transport> {
    const t = await within(this.h.newTransport(), 'newTransport()');
    this.transports.push(t);
    return t;
  }

  /** A transport listening under a fresh name; inbound channels are collected, unattached. */
  async listener(base: string): Promise<{ t: Transport; name: string; reg: Registration; inbound: Channel[] }> {
    const t = await this.transport();
    const name = this.h.uniqueName(base);
    const inbound: Channel[] = [];
    const reg = await within(
      t.listen(name, (ch) => {
        inbound.push(ch);
        this.channels.push(ch);
      }),
      `listen(${name})`,
    );
    return { t, name, reg, inbound };
  }

  async connect(t: Transport, peer: string): Promise<Channel> {
    const ch = await within(t.connect(peer), `connect(${peer})`);
    this.channels.push(ch);
    return ch;
  }

  /** Dialer → listener pair, both ends attached and recording. */
  async pair(base: string): Promise<{ dialer: Recorder; acceptor: Recorder; server: Transport; client: Transport }> {
    const { t: server, name, inbound } = await this.listener(base);
    const client = await this.transport();
    const local = await this.connect(client, name);
    await waitFor(() => inbound.length === 1, `the inbound channel on ${name}`);
    const dialer = record(local);
    const acceptor = record(inbound[0] as Channel);
    return { dialer, acceptor, server, client };
  }

  async dispose(): Promise<void> {
    for (const ch of this.channels) {
      try {
        ch.close();
      } catch {
        // a throwing close is reported by its own case; keep disposing
      }
    }
    for (const t of this.transports) {
      try {
        await within(t.close(), 'transport.close()');
      } catch {
        // keep disposing
      }
    }
  }
}

export async function withScope(h: TransportHarness, body: (s: Scope) => Promise<void>): Promise<void> {
  const s = new Scope(h);
  try {
    await body(s);
  } finally {
    await s.dispose();
  }
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function firstDifference(a: readonly Frame[], b: readonly Frame[]): string | undefined {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    const same =
      typeof x === 'string' || typeof y === 'string'
        ? x === y
        : x instanceof Uint8Array && y instanceof Uint8Array && bytesEqual(x, y);
    if (!same) return `frame #${i}: expected ${show(y)}, got ${show(x)} (${a.length} received, ${b.length} expected)`;
  }
  return undefined;
}

export function assertFrames(actual: readonly Frame[], expected: readonly Frame[], what: string): void {
  const diff = firstDifference(actual, expected);
  if (diff !== undefined) throw new Error(`assertion failed: ${what}: ${diff}`);
}

/** Both ends closed: each `onClose` fired once, and no second one follows. */
export async function expectClosedOnce(a: Recorder, b: Recorder, what: string): Promise<void> {
  await waitFor(() => a.closes.length >= 1 && b.closes.length >= 1, `onClose on both ends (${what})`);
  await sleep(QUIET_MS);
  assertEqual(a.closes.length, 1, `${what}: onClose calls on the dialer end`);
  assertEqual(b.closes.length, 1, `${what}: onClose calls on the acceptor end`);
  assertEqual(a.channel.isOpen, false, `${what}: dialer isOpen after close`);
  assertEqual(b.channel.isOpen, false, `${what}: acceptor isOpen after close`);
}
