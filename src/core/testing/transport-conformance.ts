/**
 * Transport conformance suite: the invariants of `Transport` (src/core/net/transport.ts) as
 * executable cases, run against every implementation — the in-memory network under vitest,
 * the `ws` transport under Node, and the browser WebSocket transport inside a real page.
 *
 * Framework-neutral on purpose: no test runner, no Node API, only universal globals
 * (setTimeout, TextEncoder). A case is an async function that throws on failure. Waits use
 * real time and are always bounded, so a broken transport fails with a message instead of
 * hanging the runner.
 *
 * @example
 * // vitest
 * for (const c of transportConformanceCases) it(c.name, () => c.run(harness), 20_000);
 * // browser page
 * const { passed, failed } = await runTransportConformance(harness);
 */
import type { Channel, Frame, Registration, Transport } from '../net/transport.js';

/** What a conformance run needs from the implementation under test. */
export interface TransportHarness {
  /** A fresh transport (one node). Cases close every transport they make. */
  newTransport(): Promise<Transport> | Transport;
  /** A node name no other case or run uses, derived from `base`. */
  uniqueName(base: string): string;
  /** Called after each case, pass or fail (e.g. to close what a failed case left open). */
  cleanup?(): Promise<void>;
}

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

function show(v: unknown): string {
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
const QUIET_MS = 50;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Poll `cond` until it holds; fail clearly after `ms`. */
async function waitFor(cond: () => boolean, what: string, ms = DEFAULT_WAIT_MS): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(2);
  }
}

/** Await `p`, failing clearly if it neither resolves nor rejects within `ms`. */
async function within<T>(p: Promise<T> | T, what: string, ms = DEFAULT_WAIT_MS): Promise<T> {
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
async function expectRejectCode(p: Promise<unknown>, code: string, what: string): Promise<void> {
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
interface Recorder {
  readonly channel: Channel;
  readonly frames: Frame[];
  readonly closes: string[];
}

function record(channel: Channel): Recorder {
  const r: Recorder = { channel, frames: [], closes: [] };
  channel.attach({
    onFrame: (f) => r.frames.push(f),
    onClose: (reason) => r.closes.push(reason),
  });
  return r;
}

/** Resources of one case; `dispose` closes them all, even when the case failed. */
class Scope {
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

async function withScope(h: TransportHarness, body: (s: Scope) => Promise<void>): Promise<void> {
  const s = new Scope(h);
  try {
    await body(s);
  } finally {
    await s.dispose();
  }
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
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

function assertFrames(actual: readonly Frame[], expected: readonly Frame[], what: string): void {
  const diff = firstDifference(actual, expected);
  if (diff !== undefined) throw new Error(`assertion failed: ${what}: ${diff}`);
}

/** Both ends closed: each `onClose` fired once, and no second one follows. */
async function expectClosedOnce(a: Recorder, b: Recorder, what: string): Promise<void> {
  await waitFor(() => a.closes.length >= 1 && b.closes.length >= 1, `onClose on both ends (${what})`);
  await sleep(QUIET_MS);
  assertEqual(a.closes.length, 1, `${what}: onClose calls on the dialer end`);
  assertEqual(b.closes.length, 1, `${what}: onClose calls on the acceptor end`);
  assertEqual(a.channel.isOpen, false, `${what}: dialer isOpen after close`);
  assertEqual(b.channel.isOpen, false, `${what}: acceptor isOpen after close`);
}

// ---- the cases -------------------------------------------------------------------------

const cases: TransportConformanceCase[] = [
  {
    name: 'listen returns a numeric creation',
    run: (h) =>
      withScope(h, async (s) => {
        const { reg } = await s.listener('creation');
        assertEqual(typeof reg.creation, 'number', 'typeof creation');
        assert(Number.isInteger(reg.creation) && reg.creation >= 1, `creation is a positive integer (got ${show(reg.creation)})`);
      }),
  },
  {
    name: "connect to a listening peer hands a channel to the peer's onInbound",
    run: (h) =>
      withScope(h, async (s) => {
        const { name, inbound } = await s.listener('accept');
        const client = await s.transport();
        const local = await s.connect(client, name);
        await waitFor(() => inbound.length === 1, 'onInbound');
        const remote = inbound[0] as Channel;
        for (const [label, ch] of [['local', local], ['remote', remote]] as const) {
          assert(typeof ch.attach === 'function' && typeof ch.send === 'function' && typeof ch.close === 'function', `${label} end is a Channel`);
          assertEqual(ch.isOpen, true, `${label} end isOpen`);
        }
        await sleep(QUIET_MS);
        assertEqual(inbound.length, 1, 'onInbound calls for one connect');
      }),
  },
  {
    name: '1,000 string frames each way arrive in order',
    run: (h) =>
      withScope(h, async (s) => {
        const { dialer, acceptor } = await s.pair('order');
        const up = Array.from({ length: 1000 }, (_, i) => `up ${i}`);
        const down = Array.from({ length: 1000 }, (_, i) => `down ${i}`);
        for (let i = 0; i < 1000; i++) {
          dialer.channel.send(up[i] as string);
          acceptor.channel.send(down[i] as string);
        }
        await waitFor(() => acceptor.frames.length >= 1000 && dialer.frames.length >= 1000, '1,000 frames each way');
        await sleep(QUIET_MS);
        assertFrames(acceptor.frames, up, 'dialer → acceptor');
        assertFrames(dialer.frames, down, 'acceptor → dialer');
      }),
  },
  {
    name: 'Uint8Array frames arrive as Uint8Array with identical bytes, strings as strings',
    run: (h) =>
      withScope(h, async (s) => {
        const { dialer, acceptor } = await s.pair('types');
        const all = new Uint8Array(256).map((_, i) => i);
        const backing = new Uint8Array([9, 9, 9, 1, 2, 3, 9, 9]);
        const sent: Frame[] = [
          all,
          'plain ascii',
          new Uint8Array(0),
          '',
          backing.subarray(3, 6), // a view with an offset: only [1, 2, 3] travels
          'héllo ☃ 𝄞 \u0000 end',
          new TextEncoder().encode('bytes that happen to be text'),
          '[1,2,3]',
        ];
        const expected: Frame[] = sent.map((f) => (typeof f === 'string' ? f : Uint8Array.from(f)));
        for (const f of sent) dialer.channel.send(f);
        for (const f of sent) acceptor.channel.send(f);
        await waitFor(() => acceptor.frames.length >= sent.length && dialer.frames.length >= sent.length, 'all typed frames');
        for (const [label, got] of [['dialer → acceptor', acceptor.frames], ['acceptor → dialer', dialer.frames]] as const) {
          assertEqual(got.length, expected.length, `${label}: frame count`);
          got.forEach((f, i) => {
            const want = expected[i] as Frame;
            if (typeof want === 'string') {
              assertEqual(typeof f, 'string', `${label} #${i}: type`);
              assertEqual(f, want, `${label} #${i}: content`);
            } else {
              assert(f instanceof Uint8Array, `${label} #${i}: should be a Uint8Array, got ${typeof f}`);
              assert(bytesEqual(f, want), `${label} #${i}: bytes differ: expected [${want.join(',')}], got [${[...f].slice(0, 300).join(',')}]`);
            }
          });
        }
      }),
  },
  {
    name: 'frames sent before attach are delivered on attach, in order',
    run: (h) =>
      withScope(h, async (s) => {
        const { name, inbound } = await s.listener('early');
        const client = await s.transport();
        const local = await s.connect(client, name);
        // Dialer sends before the acceptor attaches.
        local.send('one');
        local.send(new Uint8Array([2]));
        local.send('three');
        await waitFor(() => inbound.length === 1, 'onInbound');
        const remote = inbound[0] as Channel;
        // Acceptor sends before the dialer attaches.
        remote.send('a');
        remote.send('b');
        remote.send('c');
        await sleep(QUIET_MS * 2); // let everything arrive and sit in the buffers
        const acceptor = record(remote);
        const dialer = record(local);
        await waitFor(() => acceptor.frames.length >= 3 && dialer.frames.length >= 3, 'buffered frames after attach');
        assertFrames(acceptor.frames, ['one', new Uint8Array([2]), 'three'], 'acceptor, buffered before attach');
        assertFrames(dialer.frames, ['a', 'b', 'c'], 'dialer, buffered before attach');
        // The channel still works normally afterwards.
        local.send('after');
        await waitFor(() => acceptor.frames.length >= 4, 'a frame sent after attach');
        assertEqual(acceptor.frames[3], 'after', 'frame after attach');
      }),
  },
  {
    name: 'close from the dialer fires onClose once on both ends',
    run: (h) =>
      withScope(h, async (s) => {
        const { dialer, acceptor } = await s.pair('dclose');
        dialer.channel.send('last words');
        dialer.channel.close('bye');
        assertEqual(dialer.channel.isOpen, false, 'dialer isOpen right after its own close()');
        await expectClosedOnce(dialer, acceptor, 'close from the dialer');
        assertFrames(acceptor.frames, ['last words'], 'frames sent before the close arrive before it');
      }),
  },
  {
    name: 'close from the acceptor fires onClose once on both ends',
    run: (h) =>
      withScope(h, async (s) => {
        const { dialer, acceptor } = await s.pair('aclose');
        acceptor.channel.send('last words');
        acceptor.channel.close('bye');
        assertEqual(acceptor.channel.isOpen, false, 'acceptor isOpen right after its own close()');
        await expectClosedOnce(dialer, acceptor, 'close from the acceptor');
        assertFrames(dialer.frames, ['last words'], 'frames sent before the close arrive before it');
      }),
  },
  {
    name: 'close is idempotent',
    run: (h) =>
      withScope(h, async (s) => {
        const { dialer, acceptor } = await s.pair('idem');
        dialer.channel.close();
        dialer.channel.close();
        acceptor.channel.close(); // racing close from the other side
        dialer.channel.close('again');
        await expectClosedOnce(dialer, acceptor, 'repeated closes');
        dialer.channel.close();
        acceptor.channel.close();
        await sleep(QUIET_MS);
        assertEqual(dialer.closes.length + acceptor.closes.length, 2, 'onClose calls after closing closed channels');
      }),
  },
  {
    name: 'send after close does not throw and delivers nothing',
    run: (h) =>
      withScope(h, async (s) => {
        const { dialer, acceptor } = await s.pair('late');
        dialer.channel.send('before');
        dialer.channel.close();
        dialer.channel.send('right after close'); // before any onClose fired
        await expectClosedOnce(dialer, acceptor, 'close');
        dialer.channel.send('late from dialer');
        acceptor.channel.send('late from acceptor');
        dialer.channel.send(new Uint8Array([1, 2, 3]));
        await sleep(QUIET_MS);
        assertFrames(acceptor.frames, ['before'], 'frames at the acceptor');
        assertFrames(dialer.frames, [], 'frames at the dialer');
      }),
  },
  {
    name: 'connect to an unknown name rejects with code nodedown',
    run: (h) =>
      withScope(h, async (s) => {
        const client = await s.transport();
        await expectRejectCode(client.connect(h.uniqueName('nobody')), 'nodedown', 'connect to an unknown name');
        // also from a transport that listens itself
        const { t } = await s.listener('lonely');
        await expectRejectCode(t.connect(h.uniqueName('nobody')), 'nodedown', 'connect to an unknown name from a listener');
      }),
  },
  {
    name: 'listen of a taken name rejects with code name_taken',
    run: (h) =>
      withScope(h, async (s) => {
        const { name, inbound } = await s.listener('taken');
        const other = await s.transport();
        await expectRejectCode(other.listen(name, () => {}), 'name_taken', `second listen(${name})`);
        // the holder is undisturbed
        const client = await s.transport();
        await s.connect(client, name);
        await waitFor(() => inbound.length === 1, 'the original holder still accepts');
      }),
  },
  {
    name: "after the holder's transport is closed, listen again succeeds with a greater creation",
    run: (h) =>
      withScope(h, async (s) => {
        const first = await s.listener('reuse');
        await within(first.t.close(), 'close of the holder');
        const again = await s.transport();
        const reg = await within(again.listen(first.name, () => {}), `listen(${first.name}) again`);
        assert(reg.creation > first.reg.creation, `creation should grow: first ${first.reg.creation}, then ${reg.creation}`);
      }),
  },
  {
    name: 'a 1 MiB frame arrives intact',
    run: (h) =>
      withScope(h, async (s) => {
        const { dialer, acceptor } = await s.pair('big');
        const big = new Uint8Array(1024 * 1024);
        for (let i = 0; i < big.length; i++) big[i] = (i * 31 + (i >>> 8)) & 0xff;
        dialer.channel.send(big);
        acceptor.channel.send(big);
        dialer.channel.send('after the big one');
        await waitFor(() => acceptor.frames.length >= 2 && dialer.frames.length >= 1, 'the 1 MiB frames');
        for (const [label, got] of [['dialer → acceptor', acceptor.frames[0]], ['acceptor → dialer', dialer.frames[0]]] as const) {
          assert(got instanceof Uint8Array, `${label}: a Uint8Array arrived`);
          assertEqual(got.length, big.length, `${label}: length`);
          assert(bytesEqual(got, big), `${label}: bytes intact`);
        }
        assertEqual(acceptor.frames[1], 'after the big one', 'frame after the big one');
      }),
  },
  {
    name: 'three peers connected to one node keep their streams separate and ordered',
    run: (h) =>
      withScope(h, async (s) => {
        const { name, inbound } = await s.listener('hub');
        const peers: Recorder[] = [];
        for (let p = 0; p < 3; p++) {
          const t = await s.transport();
          peers.push(record(await s.connect(t, name)));
        }
        await waitFor(() => inbound.length === 3, 'three inbound channels');
        const hubEnds = inbound.map(record);
        const N = 200;
        // Interleave: round-robin over peers, and the hub answers on each of its ends.
        for (let i = 0; i < N; i++) {
          peers.forEach((p, k) => p.channel.send(`peer${k}:${i}`));
          hubEnds.forEach((e, k) => e.channel.send(`hub${k}:${i}`));
        }
        await waitFor(
          () => hubEnds.every((e) => e.frames.length >= N) && peers.every((p) => p.frames.length >= N),
          `${N} frames on each of 3 channels, both ways`,
        );
        await sleep(QUIET_MS);
        // Which hub end belongs to which peer is only known from the first frame.
        const seen = new Set<number>();
        for (const e of hubEnds) {
          const first = e.frames[0];
          assert(typeof first === 'string' && /^peer\d:0$/.test(first), `hub end starts with a peer's first frame, got ${show(first)}`);
          const k = Number(first.slice(4, 5));
          assert(!seen.has(k), `two hub ends carry peer${k}'s stream`);
          seen.add(k);
          assertFrames(e.frames, Array.from({ length: N }, (_, i) => `peer${k}:${i}`), `hub end of peer${k}`);
        }
        // Each peer receives exactly one hub stream, in order, and never another's.
        const hubStreams = new Set<string>();
        peers.forEach((p, k) => {
          const first = p.frames[0];
          assert(typeof first === 'string' && /^hub\d:0$/.test(first), `peer${k} starts with a hub frame, got ${show(first)}`);
          const tag = first.slice(0, 4);
          assert(!hubStreams.has(tag), `two peers got the stream ${tag}`);
          hubStreams.add(tag);
          assertFrames(p.frames, Array.from({ length: N }, (_, i) => `${tag}:${i}`), `peer${k}`);
        });
      }),
  },
  {
    name: 'closing a transport closes all of its channels (peers see onClose)',
    run: (h) =>
      withScope(h, async (s) => {
        const hub = await s.listener('closing-hub');
        const inboundPeers: Recorder[] = [];
        for (let p = 0; p < 2; p++) {
          const t = await s.transport();
          inboundPeers.push(record(await s.connect(t, hub.name)));
        }
        // and one channel the hub dialled itself
        const target = await s.listener('closing-target');
        const outbound = record(await s.connect(hub.t, target.name));
        await waitFor(() => hub.inbound.length === 2 && target.inbound.length === 1, 'all channels established');
        const hubEnds = [...hub.inbound.map(record), outbound];
        const targetEnd = record(target.inbound[0] as Channel);
        const remoteEnds = [...inboundPeers, targetEnd];

        await within(hub.t.close(), 'hub transport close()');
        await waitFor(() => remoteEnds.every((r) => r.closes.length >= 1), 'onClose at every peer of the closed transport');
        await sleep(QUIET_MS);
        remoteEnds.forEach((r, i) => {
          assertEqual(r.closes.length, 1, `peer end #${i}: onClose calls`);
          assertEqual(r.channel.isOpen, false, `peer end #${i}: isOpen`);
        });
        hubEnds.forEach((r, i) => {
          assertEqual(r.channel.isOpen, false, `hub end #${i}: isOpen`);
          assert(r.closes.length <= 1, `hub end #${i}: onClose fired ${r.closes.length} times`);
        });
        await within(hub.t.close(), 'second close() of the transport (idempotent)');
        const late = await s.transport();
        await expectRejectCode(late.connect(hub.name), 'nodedown', 'connect to the closed transport');
      }),
  },
];

/** Every case, in a stable order. Each is self-contained and closes what it opens. */
export const transportConformanceCases: ReadonlyArray<TransportConformanceCase> = cases;

/**
 * Run the cases (optionally filtered by name) one after another, calling `h.cleanup` after
 * each; never throws. For runners without a test framework, e.g. a browser page.
 */
export async function runTransportConformance(
  h: TransportHarness,
  filter?: (name: string) => boolean,
): Promise<{ passed: string[]; failed: { name: string; error: string }[] }> {
  const passed: string[] = [];
  const failed: { name: string; error: string }[] = [];
  for (const c of transportConformanceCases) {
    if (filter !== undefined && !filter(c.name)) continue;
    let error: string | undefined;
    try {
      await c.run(h);
    } catch (e) {
      error = describe(e);
    }
    try {
      await h.cleanup?.();
    } catch (e) {
      error ??= `cleanup failed: ${describe(e)}`;
    }
    if (error === undefined) passed.push(c.name);
    else failed.push({ name: c.name, error });
  }
  return { passed, failed };
}

function describe(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return code === undefined ? e.message : `${e.message} (code ${show(code)})`;
  }
  return String(e);
}
