/**
 * Fuzz of a node's distribution layer (issue 7): rogue peers on a MemoryNetwork send
 * fast-check-generated frames to a node `t`, before the handshake (random text and bytes,
 * random superjson, handshake frames out of order or with wrong fields, bad digests) and after
 * a handshake they complete with the cookie (malicious-but-admitted peers: random superjson,
 * signal frames of the wrong shape, forged sender pids, signals for other nodes, random and
 * mutated fast-1 batches, truncated batches, binary frames where superjson was negotiated).
 *
 * Asserts: `t` never throws (vitest fails on unhandled errors); every rogue connection that
 * sent a bad frame is closed with a reason from a known set; a trusted peer's rpc to `t`
 * still succeeds after every round, and its connection never went down; every rogue session
 * ends within a bound (real time, setupTimeoutMs of 300 ms).
 *
 * FUZZ_FRAMES (default 20,000) frames; FUZZ_SEED replays a run.
 */
import { describe, expect } from 'vitest';
import { it } from '../fixtures.js';
import fc from 'fast-check';
import { nobleCrypto } from '../../src/browser/crypto.js';
import { proofInput } from '../../src/core/net/proofs.js';
import { type Channel, decodeTerm, encodeTerm, type Frame, type NodeEvent, Pid, Ref } from '../../src/core/index.js';
import type { AnyFrame, DistFrame } from '../../src/core/net/frames.js';
import { BatchWriter } from '../../src/core/net/encodings.js';
import { bump, fuzzFrames, fuzzSeed, histogram, seededStream } from '../support/fuzz-settings.js';

const SEED = fuzzSeed();
const FRAMES = Math.max(1000, Math.floor(fuzzFrames(100_000) / 5));
const TAG = `[node fuzz: FUZZ_SEED=${SEED} frames=${FRAMES}]`;
const COOKIE = 'abc'; // TestCluster's
const T = 't@vm';
const P = 'p@vm';
const SETUP_MS = 300;
const CONCURRENCY = 8;

/** Reasons a node closes a bad connection with (handshake.ts, framed-channel.ts, net-kernel.ts). */
const REASONS = new Set([
  'bad_frame',
  'handshake_failed',
  'handshake_timeout',
  'bad_cookie',
  'incompatible_version',
  'bad_name',
  'name_mode_mismatch',
  'not_allowed',
  'nok',
]);

// ----- frames ------------------------------------------------------------------------------

const anyText = fc.oneof(fc.string({ maxLength: 100 }), fc.string({ unit: 'binary', maxLength: 100 }));
const json = fc.jsonValue({ maxDepth: 3 });
const anyName = fc.oneof(fc.constantFrom(T, P, 'x@vm', 'x@vm.example.com', 'noat', '', '@'), fc.string({ maxLength: 12 }));
const pidOf = (node: fc.Arbitrary<string>) => fc.tuple(node, fc.nat(1000), fc.nat(3), fc.nat(5)).map(([n, id, s, c]) => new Pid(n, id, s, c));
const refOf = (node: fc.Arbitrary<string>) => fc.tuple(node, fc.nat(5), fc.nat(1000)).map(([n, c, id]) => new Ref(n, c, id));
/** A term: anything superjson and fast-1 carry, pids and refs included. */
const term: fc.Arbitrary<unknown> = fc.oneof(
  json,
  pidOf(anyName),
  refOf(anyName),
  fc.uint8Array({ maxLength: 20 }),
  fc.array(fc.oneof(json, pidOf(anyName)), { maxLength: 4 }),
  fc.constant(undefined),
  fc.bigInt(),
);
const flags = fc.record({
  hidden: fc.oneof(fc.boolean(), json),
  connectAll: fc.boolean(),
  mode: fc.oneof(fc.constantFrom('short', 'long'), json),
  encodings: fc.option(fc.array(fc.constantFrom('fast-1', 'superjson-1', 'zip-9')), { nil: undefined }),
});

/** Handshake frames, well or badly formed, in any order. */
const handshakeFrame: fc.Arbitrary<AnyFrame> = fc.oneof(
  fc.record({ t: fc.constant('hello'), v: fc.oneof(fc.constant(1), json), name: anyName, creation: fc.oneof(fc.nat(), json), flags: fc.oneof(flags, json) }),
  fc.record({ t: fc.constant('status'), status: fc.oneof(fc.constantFrom('ok', 'nok', 'alive'), json) }),
  fc.record({ t: fc.constant('challenge'), v: fc.constant(1), name: anyName, creation: fc.nat(), flags, challenge: anyText }),
  fc.record({ t: fc.constant('challenge_reply'), challenge: fc.oneof(anyText, json), digest: fc.oneof(anyText, json) }),
  fc.record({ t: fc.constant('challenge_ack'), digest: anyText }),
  fc.record({ t: fc.constant('refused'), reason: anyText }),
) as fc.Arbitrary<AnyFrame>;

/** Signal frames with fields of the right shape, or not; pids of anyone (forged senders). */
const nodes = fc.constantFrom(T, P, 'x@vm', 'rogue@vm');
const target = fc.oneof(pidOf(nodes), fc.string({ maxLength: 8 }));
const signal: fc.Arbitrary<DistFrame> = fc.oneof(
  fc.record({ t: fc.constant('send'), to: fc.oneof(pidOf(fc.constant(T)), term), msg: term }),
  fc.record({ t: fc.constant('reg_send'), from: fc.oneof(fc.constant(undefined), pidOf(nodes), term), to: fc.oneof(fc.constantFrom('nobody', 'rex', 'sink'), term), node: fc.oneof(fc.constant(T), anyName), msg: term }),
  fc.record({ t: fc.constantFrom('link', 'unlink', 'exit', 'exit2'), from: fc.oneof(pidOf(nodes), term), to: fc.oneof(pidOf(fc.constant(T)), term), reason: term }),
  fc.record({ t: fc.constantFrom('monitor', 'demonitor'), from: fc.oneof(pidOf(nodes), term), to: fc.oneof(target, term), node: fc.oneof(fc.constant(T), anyName), ref: fc.oneof(refOf(nodes), term) }),
  fc.record({ t: fc.constant('down'), from: fc.oneof(target, term), to: fc.oneof(pidOf(fc.constant(T)), term), ref: fc.oneof(refOf(nodes), term), reason: term }),
  fc.record({
    t: fc.constant('spawn_request'),
    ref: fc.oneof(refOf(nodes), term),
    from: fc.oneof(pidOf(nodes), term),
    groupLeader: fc.oneof(pidOf(nodes), term),
    node: fc.oneof(fc.constant(T), anyName),
    // never a spawn that runs: the module and function do not exist (a rogue with the cookie
    // may run code; this fuzz is about frames, not about what a cookie holder may do)
    spec: fc.oneof(fc.record({ kind: fc.constant('mfa'), module: fc.constant('no_such_module'), fun: fc.string({ maxLength: 5 }), args: fc.array(term, { maxLength: 2 }) }), term),
    link: fc.oneof(fc.boolean(), term),
    monitor: fc.oneof(fc.boolean(), term),
  }),
  fc.record({ t: fc.constant('spawn_reply'), ref: fc.oneof(refOf(nodes), term), to: fc.oneof(pidOf(fc.constant(T)), term), result: fc.oneof(fc.record({ ok: pidOf(nodes) }), fc.record({ error: term }), term) }),
  fc.record({ t: fc.constant('peers'), nodes: fc.oneof(fc.array(fc.constantFrom('nobody@vm', 'x@vm.long'), { maxLength: 2 }), term) }),
  fc.record({ t: fc.constant('tick') }),
  fc.record({ t: fc.oneof(fc.string({ maxLength: 8 }), fc.nat()), x: term }),
) as fc.Arbitrary<DistFrame>;

type Out = { kind: string; frame: Frame };

const superjsonGarbage: fc.Arbitrary<Out> = fc.oneof(
  anyText.map((s) => ({ kind: 'random text', frame: s })),
  json.map((j) => ({ kind: 'random superjson', frame: JSON.stringify({ json: j }) })),
  fc.tuple(json, json).map(([j, m]) => ({ kind: 'superjson with random meta', frame: JSON.stringify({ json: j, meta: m }) })),
  fc.uint8Array({ maxLength: 100 }).map((b) => ({ kind: 'random bytes', frame: b })),
);

/** A fast-1 batch of `frames`, then mutated: bytes flipped, cut short, or garbage appended. */
const batch: fc.Arbitrary<Out> = fc
  .tuple(fc.array(signal, { minLength: 1, maxLength: 4 }), fc.constantFrom('none', 'flip', 'truncate', 'append', 'magic'), fc.nat(), fc.nat(255), fc.uint8Array({ maxLength: 10 }))
  .map(([frames, how, at, byte, extra]) => {
    const w = new BatchWriter();
    for (const f of frames) {
      try {
        w.add(f);
      } catch {
        // a frame the encoder refuses is simply left out
      }
    }
    let b = w.take() ?? new Uint8Array([0xe1]);
    if (how === 'flip') {
      b = new Uint8Array(b);
      b[at % b.length] = byte;
    } else if (how === 'truncate') b = b.subarray(0, at % b.length);
    else if (how === 'append') b = new Uint8Array([...b, ...extra]);
    else if (how === 'magic') b = new Uint8Array([byte === 0xe1 ? 0 : byte, ...b.subarray(1)]);
    return { kind: `fast-1 batch (${how})`, frame: b };
  });

type Session =
  | { phase: 'pre'; frames: Out[] }
  | { phase: 'post'; fast: boolean; frames: Out[] };

/** A hello `t` accepts (from a name nobody holds), so that what follows reaches the later steps. */
const validHello: fc.Arbitrary<Out> = fc.tuple(fc.nat(20), fc.boolean()).map(([n, fast]) => ({
  kind: 'handshake hello (valid)',
  frame: encodeTerm({ t: 'hello', v: 1, name: `x${n}@vm`, creation: 1, flags: { hidden: false, connectAll: false, mode: 'short', encodings: fast ? ['fast-1'] : undefined } }),
}));

const preFrame: fc.Arbitrary<Out> = fc.oneof(
  { weight: 2, arbitrary: validHello },
  { weight: 3, arbitrary: handshakeFrame.map((f) => ({ kind: `handshake ${String(f.t)}`, frame: encodeTerm(f) })) },
  { weight: 2, arbitrary: superjsonGarbage },
  { weight: 1, arbitrary: signal.map((f) => ({ kind: 'signal before the handshake', frame: encodeTerm(f) })) },
  { weight: 1, arbitrary: batch },
);
const postFrame = (fast: boolean): fc.Arbitrary<Out> =>
  fc.oneof(
    { weight: 4, arbitrary: signal.map((f) => ({ kind: `signal ${String(f.t)}`, frame: encodeTerm(f) })) },
    { weight: 2, arbitrary: superjsonGarbage },
    { weight: 1, arbitrary: handshakeFrame.map((f) => ({ kind: `handshake ${String(f.t)} after the handshake`, frame: encodeTerm(f) })) },
    { weight: fast ? 4 : 1, arbitrary: batch },
  );
const session: fc.Arbitrary<Session> = fc.oneof(
  fc.record({ phase: fc.constant('pre' as const), frames: fc.array(preFrame, { minLength: 1, maxLength: 6, size: 'max' }) }),
  fc.boolean().chain((fast) => fc.record({ phase: fc.constant('post' as const), fast: fc.constant(fast), frames: fc.array(postFrame(fast), { minLength: 1, maxLength: 12, size: 'max' }) })),
);

// ----- a rogue peer ------------------------------------------------------------------------

class Rogue {
  readonly inbox: AnyFrame[] = [];
  closedWith: string | undefined;
  constructor(readonly ch: Channel) {
    ch.attach({
      onFrame: (f) => {
        if (typeof f === 'string') this.inbox.push(decodeTerm(f) as AnyFrame);
      },
      onClose: (r) => (this.closedWith = r),
    });
  }

  async next(t: string): Promise<AnyFrame | undefined> {
    await until(() => this.inbox.some((f) => f.t === t) || this.closedWith !== undefined, `${t} from ${T}`);
    const i = this.inbox.findIndex((f) => f.t === t);
    return i < 0 ? undefined : this.inbox.splice(i, 1)[0];
  }

  /** The initiator's handshake, with the cookie: true once `t` acked. */
  async handshake(name: string, fast: boolean): Promise<boolean> {
    const encodings = fast ? ['fast-1', 'superjson-1'] : ['superjson-1'];
    this.ch.send(encodeTerm({ t: 'hello', v: 1, name, creation: 1, flags: { hidden: true, connectAll: false, mode: 'short', encodings } }));
    const status = (await this.next('status')) as { status?: string } | undefined;
    if (status?.status !== 'ok') return false;
    const ch = (await this.next('challenge')) as { challenge: string } | undefined;
    if (!ch) return false;
    const digest = await nobleCrypto.hmacSha256Hex(COOKIE, proofInput('initiator', ch.challenge, name, T));
    this.ch.send(encodeTerm({ t: 'challenge_reply', challenge: 'ab'.repeat(16), digest }));
    return (await this.next('challenge_ack')) !== undefined;
  }
}

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`${TAG} timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe('node fuzz', () => {
  it('rogue peers send generated frames before and after the handshake: bad connections are cut with a reason, the node and a trusted peer go on', async ({ cluster }) => {
    const t0 = performance.now();
    console.log(`${TAG} starting`);
    const t = await cluster.node('t', { setupTimeoutMs: SETUP_MS, connectAll: false });
    const p = await cluster.node('p', { connectAll: false });
    const tEvents: NodeEvent[] = [];
    t.monitorNodes((e) => tEvents.push(e), { nodeType: 'all', nodedownReason: true });
    expect(await p.rpc.call(T, 'erlang', 'node', []), TAG).toBe(T);

    const next = seededStream(session, SEED);
    const reasons = new Map<string, number>();
    const problems: string[] = [];
    let frames = 0;
    let sessions = 0;
    let rogueSeq = 0;
    const worker = async (upTo: number): Promise<void> => {
      while (frames < upTo) {
        const s = next();
        sessions++;
        const name = `rogue${++rogueSeq}@vm`;
        const r = new Rogue(await cluster.net.transport().connect(T));
        if (s.phase === 'post' && !(await r.handshake(name, s.fast))) {
          problems.push(`${name}: the handshake with the cookie failed (${r.closedWith ?? 'open'})`);
          continue;
        }
        for (const f of s.frames) {
          if (r.closedWith !== undefined) break;
          r.ch.send(f.frame);
          frames++;
        }
        // A bad frame closes at once; a session that stays open (its frames were all valid, or
        // a handshake waits for its next step) is closed by the node's setup timeout, or by us.
        await until(() => r.closedWith !== undefined, 'the end of a session', 3 * SETUP_MS).catch(() => undefined);
        if (r.closedWith === undefined) {
          bump(reasons, `(open: all frames valid, closed by the rogue) ${s.phase}`);
          r.ch.close('done');
          continue;
        }
        bump(reasons, `${r.closedWith} ${s.phase}`);
        if (!REASONS.has(r.closedWith)) problems.push(`${name} (${s.frames.map((f) => f.kind).join(' > ')}): closed with '${r.closedWith}'`);
      }
    };
    for (let round = 0; frames < FRAMES; round++) {
      const before = frames;
      const upTo = Math.min(FRAMES, before + Math.ceil(FRAMES / 10));
      await Promise.all(Array.from({ length: CONCURRENCY }, () => worker(upTo)));
      // the trusted peer still gets its answers
      expect(await p.rpc.call(T, 'erlang', 'node', []), `${TAG} rpc after round ${round}`).toBe(T);
      if (frames === before) break;
    }
    expect(await p.rpc.call(T, 'erlang', 'node', []), TAG).toBe(T);
    expect(await t.rpc.call(P, 'erlang', 'node', []), TAG).toBe(P);
    const wall = ((performance.now() - t0) / 1000).toFixed(1);
    console.log(`${TAG} ${frames.toLocaleString('en')} frames in ${sessions} rogue sessions, ${wall} s\nhow the rogue connections ended:\n${histogram(reasons)}`);
    expect(problems.slice(0, 20), TAG).toEqual([]);
    expect(tEvents.filter((e) => e[0] === 'nodedown' && e[1] === P), `${TAG} the trusted peer's connection went down`).toEqual([]);
    expect(t.isAlive(), TAG).toBe(true);
    expect(frames, TAG).toBeGreaterThanOrEqual(FRAMES);
  }, 120_000);
});
