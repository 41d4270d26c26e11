/**
 * Fuzz of the relay (issue 7): a live relay on 127.0.0.1, three well-behaved server-nodes
 * exchanging sequenced messages through it (no direct links), and rogue raw `ws` clients (no
 * erlmesh code) sending fast-check-generated frames, before and after a valid admission:
 * random bytes, random text and JSON, mutated `register`s (wrong, missing or huge fields, bad
 * proofs, taken names), channel messages before admission or on channels they do not own,
 * binary messages with bad headers, truncated WebSocket frames, garbage under the WebSocket
 * framing, messages over the caps, and floods past the rate limit; admitted rogues also open
 * channels to each other and to the well-behaved nodes and send them random payloads and
 * forged handshake frames.
 *
 * Asserts: the relay still serves (a new node joins and pings), every rogue the relay cut got a
 * close code from the documented set (with its reason, for the relay's own 4xxx codes) and a
 * log line naming its address, the well-behaved nodes lost and reordered nothing and never saw
 * a nodedown, and nothing threw (vitest fails on unhandled errors).
 *
 * FUZZ_FRAMES (default 100,000) frames, not counting those of floods; FUZZ_SEED replays a
 * run (the frames generated are the same; their interleaving across sockets is not). The seed, the count, the wall
 * time and a histogram of close codes are printed on every run.
 */
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { webCrypto } from '../../src/core/net/proofs.js';
import type { Node } from '../../src/core/node/node.js';
import type { NodeEvent } from '../../src/core/net/node-events.js';
import { CLOSE_CODES, RELAY_PROTOCOL_VERSION, encodeBinData, relayProofInput } from '../../src/core/relay-client/protocol.js';
import { startNode, type ServerNodeOptions } from '../../src/server/start-node.js';
import { startRelay, type Relay, type RelayLogLine } from '../../src/server/relay/index.js';
import { bump, fuzzFrames, fuzzSeed, histogram, seededStream } from '../support/fuzz-settings.js';

const SEED = fuzzSeed();
const FRAMES = fuzzFrames(100_000);
const TAG = `[relay fuzz: FUZZ_SEED=${SEED} FUZZ_FRAMES=${FRAMES}]`;
const COOKIE = 'relay-fuzz-cookie';
const HOST = '127.0.0.1';
const WELL = ['w1', 'w2', 'w3'].map((n) => `${n}@${HOST}`);

// Small caps, so that crossing them is cheap.
const MAX_FRAME = 64 * 1024;
const MAX_PRE_AUTH = 4 * 1024;
/** ws's own cap in the relay: cap + max(64 KiB, cap / 8) (relay.ts wsMaxPayload). */
const WS_MAX_PAYLOAD = MAX_FRAME + 64 * 1024;
const RATE = 5_000;
const BURST = 2_000;
const PING_MS = 2_000;
const AUTH_MS = 1_000;
/** Rogues at once. */
const CONCURRENCY = 32;
/** Known bug (relay-transport.ts): a `b` message that is not base64 throws out of a node's socket handler. */
const base64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');

/** What an admitted rogue's fatal frame must get (kinds whose outcome does not depend on the relay's state). */
const EXPECTED_POST: Record<string, number> = {
  flood: 4420,
  oversize: 4413,
  'far oversize': 1009,
  'register again': 4400,
  'foreign channel': 4400,
  'malformed message': 4400,
  'truncated bin header': 4400,
  'bad bin type': 4400,
  'bin channel 0': 4400,
  'broken ws frame (rsv1)': 1002,
  'broken ws frame (opcode)': 1002,
  'broken ws frame (unmasked)': 1002,
  'truncated ws frame': 1006,
};

/** The close codes the relay documents (src/core/relay-client/protocol.ts), with their reasons. */
const DOCUMENTED: Record<number, string[]> = {
  [CLOSE_CODES.badarg]: ['protocol_error', 'badarg'],
  [CLOSE_CODES.bad_cookie]: ['bad_cookie'],
  [CLOSE_CODES.auth_timeout]: ['auth_timeout'],
  [CLOSE_CODES.name_taken]: ['name_taken'],
  [CLOSE_CODES.frame_too_large]: ['frame_too_large'],
  [CLOSE_CODES.rate_limited]: ['rate_limited'],
  [CLOSE_CODES.incompatible_version]: ['incompatible_version'],
  // from the WebSocket layer, without a reason: a message far over the cap, a broken frame
  1009: ['', 'frame_too_large'],
  1002: ['', 'protocol_error'],
  1007: [''], // a text message that is not UTF-8 (e.g. a truncated frame completed by later bytes)
  // destroyed without a close frame: the pre-admission byte cap, or no pong for a whole period
  1006: [''],
};

// ----- the rogues' frames ------------------------------------------------------------------

type Text = { k: 'text'; kind: string; data: string };
type Bin = { k: 'bin'; kind: string; data: Uint8Array };
/** Bytes written under the WebSocket framing, straight to the TCP socket. */
type Raw = { k: 'raw'; kind: string; data: Uint8Array };
type Pings = { k: 'pings'; kind: string; n: number };
type Flood = { k: 'flood'; kind: string; n: number };
/** A register whose proof is filled in at send time (when `proofFor` is set). */
type Reg = { k: 'register'; kind: string; fields: Record<string, unknown>; proofFor?: string; cookie: string };
type PreFrame = Text | Bin | Raw | Pings | Reg;

/** Admitted rogues: messages that keep the socket open, on channels picked by index. */
type Benign =
  | { k: 'ping' }
  | { k: 'lookup'; name: string }
  | { k: 'd' | 'b'; chan: number; d: string }
  | { k: 'bindata'; chan: number; d: Uint8Array }
  | { k: 'close'; chan: number; reason: string }
  | { k: 'pingframe' };

/** Admitted rogues: the message that should get them cut. */
type Fatal =
  | Text
  | Bin
  | Raw
  | Flood
  | { k: 'foreign'; kind: string; how: 'd' | 'b' | 'close' | 'bindata'; high: boolean; pick: number }
  | { k: 'reregister'; kind: string };

type Plan =
  | { phase: 'pre'; waitChallenge: boolean; frames: PreFrame[] }
  | {
      phase: 'post';
      name: string;
      hidden: boolean;
      bin: boolean;
      /** Channels to open first: another rogue, a well-behaved node, or a name nobody holds. */
      opens: Array<{ to: 'rogue' | 'well' | 'nobody'; pick: number }>;
      benign: Benign[];
      fatal: Fatal | null;
    };

const bytes = (max: number) => fc.uint8Array({ maxLength: max });
const anyText = fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ unit: 'grapheme', maxLength: 50 }));
const jsonText = fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null');
const validName = fc.stringMatching(/^r[a-z0-9_]{1,12}$/).map((s) => `${s}@${HOST}`);
const anyName = fc.oneof(validName, fc.string({ maxLength: 30 }), fc.constantFrom(...WELL), fc.constant(''), fc.constant(`x@${'h'.repeat(300)}`));
const chanId = fc.oneof(fc.integer({ min: -5, max: 0 }), fc.integer({ min: 1, max: 100_000 }), fc.constant(2 ** 53), fc.double(), fc.string({ maxLength: 5 }), fc.constant(null));
/** Present with a value of any type, or absent. */
const field = <T>(good: fc.Arbitrary<T>) => fc.option(fc.oneof({ weight: 3, arbitrary: good }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) }), { nil: undefined });

/** Channel messages and others, well or badly formed, as text. */
const relayMessage = fc.oneof(
  fc.record({ t: fc.constant('open'), req: field(fc.nat()), to: field(anyName) }),
  fc.record({ t: fc.constantFrom('d', 'b'), ch: chanId, d: field(anyText) }),
  fc.record({ t: fc.constant('close'), ch: chanId, reason: field(anyText) }),
  fc.record({ t: fc.constant('lookup'), req: field(fc.nat()), name: field(anyName) }),
  fc.record({ t: fc.oneof(fc.constantFrom('ping', 'welcome', 'challenge', 'pong', 'incoming', ''), fc.string({ maxLength: 8 }), fc.nat()) }),
);

const register: fc.Arbitrary<Reg> = fc
  .record({
    v: fc.option(fc.oneof({ weight: 5, arbitrary: fc.constant(RELAY_PROTOCOL_VERSION) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) }), { nil: undefined }),
    name: fc.oneof({ weight: 4, arbitrary: validName }, { weight: 1, arbitrary: anyName }, { weight: 1, arbitrary: fc.integer() }, { weight: 1, arbitrary: fc.constant(undefined) }),
    proof: fc.oneof(fc.constant('PROOF'), fc.constant('PROOF'), fc.stringMatching(/^[0-9a-f]{0,64}$/), fc.constant(undefined), fc.integer()),
    hidden: fc.oneof({ weight: 5, arbitrary: fc.boolean() }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) }, { weight: 1, arbitrary: fc.constant(undefined) }),
    creation: fc.option(fc.oneof(fc.nat(), fc.constant(-1), fc.constant(2 ** 33), fc.double(), fc.string({ maxLength: 3 })), { nil: undefined }),
    direct: fc.option(fc.oneof(fc.string({ maxLength: 40 }), fc.nat(), fc.constant('x'.repeat(3000))), { nil: undefined }),
    bin: fc.option(fc.oneof(fc.boolean(), fc.string({ maxLength: 3 })), { nil: undefined }),
    extra: fc.option(fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }), { nil: undefined }),
    wrongCookie: fc.boolean(),
    otherName: fc.boolean(),
  })
  .map(({ extra, wrongCookie, otherName, ...f }) => {
    const fields: Record<string, unknown> = { ...(extra ?? {}), t: 'register' };
    for (const [k, v] of Object.entries(f)) if (v !== undefined) fields[k] = v;
    const proofed = f.proof === 'PROOF' && typeof f.name === 'string';
    return {
      k: 'register' as const,
      kind: 'register',
      fields,
      ...(proofed ? { proofFor: otherName ? `${f.name}x` : (f.name as string) } : {}),
      cookie: wrongCookie ? `${COOKIE}-wrong` : COOKIE,
    };
  });

/**
 * One WebSocket frame header (client → server: masked) announcing `len` bytes, and fewer than
 * `len - 100` of them (so the client's own pongs, written after it, cannot complete the frame):
 * the relay waits for the rest until the auth timeout or the liveness check.
 */
const truncatedWsFrame = fc.record({ len: fc.integer({ min: 1000, max: 60_000 }), opcode: fc.constantFrom(1, 2), keep: fc.nat() }).map(({ len, opcode, keep }) => {
  const head = [0x80 | opcode, 0x80 | 126, len >> 8, len & 0xff];
  const body = new Uint8Array(4 + (keep % (len - 100))); // mask key, then fewer bytes than announced
  return new Uint8Array([...head, ...body]);
});

/** Bytes under the framing that no WebSocket server may take: RSV1 set, a reserved opcode, or no mask. */
const brokenWsFrame = fc.tuple(fc.constantFrom('rsv1', 'opcode', 'unmasked'), fc.nat(255), bytes(60)).map(([how, b, rest]) => {
  const head =
    how === 'rsv1' ? [0xc0 | (b & 0x8f), 0x80 | (b & 0x7f)] // RSV1 without permessage-deflate
    : how === 'opcode' ? [0x80 | [3, 4, 5, 6, 7, 11, 12, 13, 14, 15][b % 10]!, 0x80 | (b & 0x7f)]
    : [0x81, rest.length]; // a text frame without a mask
  return { k: 'raw' as const, kind: `broken ws frame (${how})`, data: new Uint8Array([...head, ...rest]) };
});

const oversize = (cap: number) =>
  fc.oneof(
    fc.integer({ min: cap + 1, max: cap + 8 * 1024 }).map((n) => ({ n, far: false })),
    fc.integer({ min: WS_MAX_PAYLOAD + 1, max: WS_MAX_PAYLOAD + 64 * 1024 }).map((n) => ({ n, far: true })),
  );

const preFrame: fc.Arbitrary<PreFrame> = fc.oneof(
  { weight: 6, arbitrary: register },
  { weight: 2, arbitrary: bytes(300).map((data) => ({ k: 'bin' as const, kind: 'random bytes', data })) },
  { weight: 2, arbitrary: anyText.map((data) => ({ k: 'text' as const, kind: 'random text', data })) },
  { weight: 2, arbitrary: jsonText.map((data) => ({ k: 'text' as const, kind: 'random json', data })) },
  { weight: 3, arbitrary: relayMessage.map((m) => ({ k: 'text' as const, kind: `${String(m.t)} before admission`, data: JSON.stringify(m) })) },
  { weight: 1, arbitrary: fc.tuple(fc.nat(255), fc.nat()).map(([t, ch]) => ({ k: 'bin' as const, kind: 'bin data before admission', data: encodeBinData(ch >>> 0, new Uint8Array([t])) })) },
  { weight: 1, arbitrary: oversize(MAX_PRE_AUTH).map(({ n, far }) => ({ k: 'text' as const, kind: far ? 'far oversize' : 'oversize register', data: JSON.stringify({ t: 'register', pad: 'x'.repeat(n) }) })) },
  { weight: 1, arbitrary: brokenWsFrame },
  { weight: 1, arbitrary: truncatedWsFrame.map((data) => ({ k: 'raw' as const, kind: 'truncated ws frame', data })) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 30 }).map((n) => ({ k: 'pings' as const, kind: 'ws pings', n })) },
);

const benign: fc.Arbitrary<Benign> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ k: 'ping' as const }) },
  { weight: 2, arbitrary: anyName.map((name) => ({ k: 'lookup' as const, name: String(name) })) },
  {
    weight: 10,
    arbitrary: fc.record({
      k: fc.constant('d' as const),
      chan: fc.nat(),
      d: fc.oneof(
        anyText,
        jsonText.map((j) => `{"json":${j}}`),
        fc.record({ name: anyName, v: fc.constantFrom(1, 2), creation: fc.nat() }).map((h) =>
          JSON.stringify({ json: { t: 'hello', ...h, flags: { hidden: false, connectAll: true, mode: 'long', encodings: ['fast-1'] } } }),
        ),
        fc.constant(JSON.stringify({ json: { t: 'challenge_reply', challenge: 'ab', digest: 'cd' } })),
      ),
    }),
  },
  {
    // `b` carries base64 as sent (the relay does not check it); a node closes the channel of
    // text that is not base64 (see the test at the end).
    weight: 4,
    arbitrary: fc.record({
      k: fc.constant('b' as const),
      chan: fc.nat(),
      d: fc.oneof(bytes(200).map(base64), anyText),
    }),
  },
  { weight: 6, arbitrary: fc.record({ k: fc.constant('bindata' as const), chan: fc.nat(), d: fc.oneof(bytes(200), bytes(20).map((b) => new Uint8Array([0xe1, ...b]))) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('close' as const), chan: fc.nat(), reason: anyText }) },
  { weight: 1, arbitrary: fc.constant({ k: 'pingframe' as const }) },
);

const fatal: fc.Arbitrary<Fatal> = fc.oneof(
  // (not a binary data message: that could name one of the rogue's own channels)
  { weight: 2, arbitrary: bytes(300).map((data) => ({ k: 'bin' as const, kind: 'random bytes', data: data[0] === 1 ? data.subarray(1) : data })) },
  { weight: 2, arbitrary: anyText.map((data) => ({ k: 'text' as const, kind: 'random text', data })) },
  { weight: 2, arbitrary: jsonText.map((data) => ({ k: 'text' as const, kind: 'random json', data })) },
  {
    weight: 3,
    arbitrary: fc.oneof(
      fc.record({ t: fc.constantFrom('d', 'b', 'close'), ch: fc.oneof(fc.integer({ max: 0 }), fc.double(), fc.string({ maxLength: 4 }), fc.constant(null)), d: anyText, reason: anyText }),
      fc.record({ t: fc.constantFrom('d', 'b'), ch: fc.nat(), d: fc.oneof(fc.integer(), fc.constant(null)) }),
      fc.record({ t: fc.constant('open'), req: fc.oneof(fc.string(), fc.constant(null)), to: anyName }),
      fc.record({ t: fc.oneof(fc.string({ maxLength: 8 }), fc.integer()) }).filter((m) => !['ping', 'd', 'b', 'open', 'close', 'lookup', 'register'].includes(String(m.t))),
    ).map((m) => ({ k: 'text' as const, kind: 'malformed message', data: JSON.stringify(m) })),
  },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('foreign' as const), kind: fc.constant('foreign channel'), how: fc.constantFrom('d' as const, 'b' as const, 'close' as const, 'bindata' as const), high: fc.boolean(), pick: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.oneof(
      bytes(4).map((data) => ({ k: 'bin' as const, kind: 'truncated bin header', data })),
      fc.tuple(fc.integer({ min: 2, max: 255 }), bytes(20)).map(([t, b]) => ({ k: 'bin' as const, kind: 'bad bin type', data: new Uint8Array([t, 0, 0, 0, 1, ...b]) })),
      bytes(20).map((b) => ({ k: 'bin' as const, kind: 'bin channel 0', data: new Uint8Array([1, 0, 0, 0, 0, ...b]) })),
    ),
  },
  { weight: 1, arbitrary: fc.constant({ k: 'reregister' as const, kind: 'register again' }) },
  { weight: 1, arbitrary: oversize(MAX_FRAME).map(({ n, far }) => ({ k: 'text' as const, kind: far ? 'far oversize' : 'oversize', data: JSON.stringify({ t: 'd', ch: 1, d: 'x'.repeat(n) }) })) },
  { weight: 1, arbitrary: brokenWsFrame },
  { weight: 1, arbitrary: truncatedWsFrame.map((data) => ({ k: 'raw' as const, kind: 'truncated ws frame', data })) },
);

/** A flood: thousands of frames in one go, so rare enough not to make up most of the count. */
const flood: fc.Arbitrary<Fatal> = fc.integer({ min: 2 * BURST, max: 3 * BURST }).map((n) => ({ k: 'flood' as const, kind: 'flood', n }));
const fatalOrFlood = fc.oneof({ weight: 80, arbitrary: fatal }, { weight: 1, arbitrary: flood });

const plan: fc.Arbitrary<Plan> = fc.oneof(
  { weight: 1, arbitrary: fc.record({ phase: fc.constant('pre' as const), waitChallenge: fc.boolean(), frames: fc.array(preFrame, { minLength: 1, maxLength: 4 }) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      phase: fc.constant('post' as const),
      name: validName,
      hidden: fc.boolean(),
      bin: fc.boolean(),
      opens: fc.array(fc.record({ to: fc.constantFrom('rogue' as const, 'rogue' as const, 'well' as const, 'nobody' as const), pick: fc.nat() }), { maxLength: 4, size: 'max' }),
      benign: fc.array(benign, { maxLength: 400, size: 'max' }),
      fatal: fc.option(fatalOrFlood, { freq: 4, nil: null }),
    }),
  },
);

// ----- running a rogue ---------------------------------------------------------------------

interface Outcome {
  kind: string;
  phase: 'pre' | 'post';
  code: number;
  reason: string;
  remote: string;
  /** We closed it ourselves (no fatal frame). */
  clean: boolean;
}

const until = async (cond: () => boolean, what: string, ms: number): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`${TAG} timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

class Rogue {
  readonly ws: WebSocket;
  closeInfo: { code: number; reason: string } | undefined;
  nonce: string | undefined;
  welcome: boolean | undefined;
  readonly mine = new Set<number>();
  /** Every channel this rogue was an end of, closed or not (the relay ignores late frames on those). */
  readonly everMine = new Set<number>();
  readonly replies = new Map<number, number | null>();
  opened = false;
  remote = '';
  sent = 0;

  constructor(url: string) {
    this.ws = new WebSocket(url, { perMessageDeflate: false });
    this.ws.on('error', () => {});
    this.ws.on('close', (code, reason) => (this.closeInfo = { code, reason: String(reason) }));
    this.ws.on('message', (d, isBinary) => {
      if (isBinary) return;
      let m: Record<string, unknown>;
      try {
        m = JSON.parse(String(d)) as Record<string, unknown>;
      } catch {
        throw new Error(`${TAG} the relay sent a text message that is not JSON: ${String(d).slice(0, 80)}`);
      }
      if (m.t === 'challenge') this.nonce = String(m.nonce);
      else if (m.t === 'welcome') this.welcome = true;
      else if (m.t === 'refused') this.welcome = false;
      else if (m.t === 'incoming') {
        this.mine.add(m.ch as number);
        this.everMine.add(m.ch as number);
      } else if (m.t === 'opened') {
        this.mine.add(m.ch as number);
        this.everMine.add(m.ch as number);
        this.replies.set(m.req as number, m.ch as number);
      } else if (m.t === 'open_failed') this.replies.set(m.req as number, null);
    });
  }

  async open(): Promise<boolean> {
    await new Promise<void>((resolve) => {
      this.ws.once('open', () => resolve());
      this.ws.once('close', () => resolve());
    });
    const s = (this.ws as unknown as { _socket?: Socket })._socket;
    this.remote = `${s?.localAddress ?? '?'}:${s?.localPort ?? '?'}`;
    return this.ws.readyState === WebSocket.OPEN;
  }

  get live(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  text(s: string): void {
    if (!this.live) return;
    this.ws.send(s);
    this.sent++;
  }

  binary(b: Uint8Array): void {
    if (!this.live) return;
    this.ws.send(b, { binary: true });
    this.sent++;
  }

  raw(b: Uint8Array): void {
    if (!this.live) return;
    (this.ws as unknown as { _socket: Socket })._socket.write(b);
    this.sent++;
  }

  ping(): void {
    if (!this.live) return;
    this.ws.ping();
    this.sent++;
  }

  async register(name: string, hidden: boolean, bin: boolean): Promise<boolean> {
    await until(() => this.nonce !== undefined || !this.live, 'challenge', 5000);
    if (!this.live) return false;
    const proof = await webCrypto.hmacSha256Hex(COOKIE, relayProofInput(this.nonce!, name));
    this.text(JSON.stringify({ t: 'register', v: RELAY_PROTOCOL_VERSION, name, proof, hidden, bin }));
    await until(() => this.welcome !== undefined || !this.live, 'welcome', 5000);
    return this.welcome === true;
  }

  async closed(ms: number): Promise<{ code: number; reason: string }> {
    await until(() => this.closeInfo !== undefined, `the relay to close the rogue at ${this.remote}`, ms);
    return this.closeInfo!;
  }
}

/** Names of admitted rogues, and channel ids seen by any rogue (for "foreign channel"). */
const liveRogues: string[] = [];
const allChannels: number[] = [];

async function sendPre(r: Rogue, f: PreFrame): Promise<void> {
  switch (f.k) {
    case 'text':
      return r.text(f.data);
    case 'bin':
      return r.binary(f.data);
    case 'raw':
      return r.raw(f.data);
    case 'pings':
      for (let i = 0; i < f.n; i++) r.ping();
      return;
    case 'register': {
      const fields = { ...f.fields };
      if (f.proofFor !== undefined) {
        await until(() => r.nonce !== undefined || !r.live, 'challenge', 5000);
        fields.proof = await webCrypto.hmacSha256Hex(f.cookie, relayProofInput(r.nonce ?? '', f.proofFor));
      }
      return r.text(JSON.stringify(fields));
    }
  }
}

async function runRogue(url: string, p: Plan, onWelcome: (name: string) => void): Promise<Outcome> {
  const r = new Rogue(url);
  if (!(await r.open())) throw new Error(`${TAG} a rogue could not connect`);
  if (p.phase === 'pre') {
    if (p.waitChallenge) await until(() => r.nonce !== undefined, 'challenge', 5000);
    for (const f of p.frames) await sendPre(r, f);
    // Whatever came of it, a pending socket ends by the auth timeout at the latest, and an
    // admitted one (a mutated register may be valid) we close ourselves.
    await until(() => r.closeInfo !== undefined || r.welcome === true, 'the end of a pre-admission rogue', 10_000);
    const clean = r.closeInfo === undefined;
    if (clean) r.ws.close(1000, 'done');
    const c = await r.closed(10_000);
    return { kind: p.frames.map((f) => f.kind).join(' > '), phase: 'pre', ...c, remote: r.remote, clean, sent: r.sent } as Outcome & { sent: number };
  }

  if (!(await r.register(p.name, p.hidden, p.bin))) {
    // refused (name_taken: another rogue holds it) — a cut like any other
    const c = await r.closed(10_000);
    return { kind: 'register (valid)', phase: 'pre', ...c, remote: r.remote, clean: false, sent: r.sent } as Outcome & { sent: number };
  }
  onWelcome(p.name);
  let req = 0;
  for (const o of p.opens) {
    const to = o.to === 'well' ? WELL[o.pick % WELL.length]! : o.to === 'rogue' && liveRogues.length ? liveRogues[o.pick % liveRogues.length]! : `nobody${o.pick}@${HOST}`;
    const id = ++req;
    r.text(JSON.stringify({ t: 'open', req: id, to }));
    await until(() => r.replies.has(id) || !r.live, 'opened', 5000);
    const ch = r.replies.get(id);
    if (typeof ch === 'number') allChannels.push(ch);
  }
  const chans = () => [...r.mine];
  for (const b of p.benign) {
    const cs = chans();
    const pick = (i: number) => cs[i % cs.length]!;
    switch (b.k) {
      case 'ping':
        r.text('{"t":"ping"}');
        break;
      case 'pingframe':
        r.ping();
        break;
      case 'lookup':
        r.text(JSON.stringify({ t: 'lookup', req: ++req, name: b.name }));
        break;
      case 'd':
      case 'b':
        if (cs.length) r.text(JSON.stringify({ t: b.k, ch: pick(b.chan), d: b.d }));
        else r.text('{"t":"ping"}');
        break;
      case 'bindata':
        if (cs.length && p.bin) r.binary(encodeBinData(pick(b.chan), b.d));
        else r.text('{"t":"ping"}');
        break;
      case 'close':
        if (cs.length) {
          const ch = pick(b.chan);
          r.text(JSON.stringify({ t: 'close', ch, reason: b.reason }));
          r.mine.delete(ch); // later frames on it are ignored by the relay (a race with close)
        } else r.text('{"t":"ping"}');
        break;
    }
  }
  if (!p.fatal) {
    await new Promise((res) => setTimeout(res, 1));
    r.ws.close(1000, 'done');
    const c = await r.closed(10_000);
    return { kind: 'benign only', phase: 'post', ...c, remote: r.remote, clean: true, sent: r.sent } as Outcome & { sent: number };
  }
  const f = p.fatal;
  switch (f.k) {
    case 'text':
      r.text(f.data);
      break;
    case 'bin':
      r.binary(f.data);
      break;
    case 'raw':
      r.raw(f.data);
      break;
    case 'flood':
      for (let i = 0; i < f.n && r.live; i++) r.text('{"t":"ping"}');
      break;
    case 'reregister':
      r.text(JSON.stringify({ t: 'register', v: 1, name: p.name, proof: 'x', hidden: false }));
      break;
    case 'foreign': {
      const others = allChannels.filter((c) => !r.everMine.has(c));
      const ch = f.high || others.length === 0 ? 0x8000_0000 + (f.pick % 0x7fff_ffff) : others[f.pick % others.length]!;
      if (f.how === 'bindata') {
        if (p.bin) r.binary(encodeBinData(ch, new Uint8Array([1, 2, 3])));
        else r.text(JSON.stringify({ t: 'b', ch, d: 'AQID' }));
      } else r.text(JSON.stringify(f.how === 'close' ? { t: 'close', ch, reason: 'x' } : { t: f.how, ch, d: 'x' }));
      break;
    }
  }
  const c = await r.closed(4 * PING_MS + 5000).catch((e: Error) => {
    throw new Error(`${e.message} after ${f.kind} (${JSON.stringify(f).slice(0, 300)}); its channels ${JSON.stringify([...r.mine])}`);
  });
  return { kind: f.kind, phase: 'post', ...c, remote: r.remote, clean: false, sent: r.sent } as Outcome & { sent: number };
}

// ----- the well-behaved nodes --------------------------------------------------------------

interface Well {
  node: Node;
  /** Next sequence number expected from each peer. */
  next: Map<string, number>;
  /** Next sequence number to send to each peer. */
  sent: Map<string, number>;
  disorder: string[];
  events: NodeEvent[];
  logs: string[];
}

const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const f of cleanups.reverse()) await f();
});

describe('relay fuzz', () => {
  it(`${FRAMES.toLocaleString('en')} generated frames from rogue clients: the relay stays up and three nodes lose nothing`, async () => {
    const t0 = performance.now();
    console.log(`${TAG} starting`);
    const logs: RelayLogLine[] = [];
    const relay: Relay = await startRelay({
      port: 0,
      host: HOST,
      cookie: COOKIE,
      logger: (l) => logs.push(l),
      maxFrameBytes: MAX_FRAME,
      maxPreAuthBytes: MAX_PRE_AUTH,
      maxMessagesPerSecond: RATE,
      burstMessages: BURST,
      pingIntervalMs: PING_MS,
      authTimeoutMs: AUTH_MS,
    });
    cleanups.push(() => relay.close());
    const startWell = async (name: string): Promise<Well> => {
      const w: Well = { node: undefined as unknown as Node, next: new Map(), sent: new Map(), disorder: [], events: [], logs: [] };
      w.node = await startNode({
        name,
        cookie: COOKIE,
        relay: relay.url,
        startRelay: false,
        direct: false,
        output: false,
        logger: (e: { level: string; text: string }) => w.logs.push(`${e.level}: ${e.text}`),
      } as ServerNodeOptions);
      cleanups.push(() => w.node.stop());
      w.node.monitorNodes((e) => w.events.push(e), { nodeType: 'all' });
      w.node.spawn(async (self) => {
        self.register('sink');
        for (;;) {
          const m = (await self.receive()) as [string, string, number];
          const want = w.next.get(m[1]) ?? 0;
          if (m[0] !== 'seq' || m[2] !== want) w.disorder.push(`${w.node.name} got ${JSON.stringify(m)}, expected ${want} from ${m[1]}`);
          w.next.set(m[1], m[2] + 1);
        }
      });
      return w;
    };
    const wells: Well[] = [];
    for (const n of WELL) wells.push(await startWell(n));
    await until(() => wells.every((w) => WELL.every((p) => p === w.node.name || w.node.nodes().includes(p))), 'the mesh of w1..w3', 10_000);
    const meshUp = wells.map((w) => w.events.length);

    // Sequenced traffic, all the while: every 5 ms, 20 messages to each peer.
    let sending = true;
    const pump = setInterval(() => {
      if (!sending) return;
      for (const w of wells) {
        for (const peer of WELL) {
          if (peer === w.node.name) continue;
          let i = w.sent.get(peer) ?? 0;
          for (let k = 0; k < 20; k++) w.node.send(['sink', peer], ['seq', w.node.name, i++]);
          w.sent.set(peer, i);
        }
      }
    }, 5);
    cleanups.push(() => clearInterval(pump));

    // The rogues.
    const next = seededStream(plan, SEED);
    const outcomes: Array<Outcome & { sent: number }> = [];
    let frames = 0;
    let floodFrames = 0;
    let sessions = 0;
    const worker = async (): Promise<void> => {
      // Floods are thousands of frames each: the count is of the other frames.
      while (frames - floodFrames < FRAMES) {
        const p = next();
        sessions++;
        const o = (await runRogue(relay.url, p, (name) => liveRogues.push(name))) as Outcome & { sent: number };
        if (p.phase === 'post') liveRogues.splice(liveRogues.indexOf(p.name), 1);
        frames += o.sent;
        if (p.phase === 'post' && p.fatal?.k === 'flood') floodFrames += o.sent;
        outcomes.push(o);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const fuzzEnd = performance.now();

    // The well-behaved nodes: stop sending, then everything sent must arrive, in order.
    sending = false;
    clearInterval(pump);
    const total = () => wells.reduce((n, w) => n + [...w.sent.values()].reduce((a, b) => a + b, 0), 0);
    const arrived = (w: Well, from: Well) => (from.node.name === w.node.name ? true : (w.next.get(from.node.name) ?? 0) === from.sent.get(w.node.name));
    await until(() => wells.every((w) => wells.every((f) => arrived(w, f))), 'every sequenced message to arrive', 20_000).catch((e: Error) => {
      throw new Error(`${e.message}: ${JSON.stringify(wells.map((w) => [w.node.name, [...w.next], [...w.sent]]))}`);
    });

    // A new node can still join, and reaches the others through the relay.
    const late = await startNode({ name: `late@${HOST}`, cookie: COOKIE, relay: relay.url, startRelay: false, direct: false, output: false, logger: false } as ServerNodeOptions);
    cleanups.push(() => late.stop());
    expect(await late.ping(WELL[0]!), TAG).toBe('pong');

    // ----- report and assertions -----
    const byCode = new Map<string, number>();
    const byKind = new Map<string, number>();
    const problems: string[] = [];
    for (const o of outcomes) {
      const key = o.clean ? `${o.code} (closed by the rogue: no fatal frame)` : `${o.code} ${o.reason || '(no reason)'}`;
      bump(byCode, key);
      if (o.clean) continue;
      bump(byKind, `${o.kind.length > 60 ? `${o.kind.slice(0, 57)}...` : o.kind} -> ${o.code}`);
      const expected = o.phase === 'post' ? EXPECTED_POST[o.kind] : undefined;
      if (expected !== undefined && o.code !== expected) problems.push(`${o.kind}: closed with ${o.code}, expected ${expected}`);
      const allowed = DOCUMENTED[o.code];
      if (!allowed || !allowed.includes(o.reason)) problems.push(`${o.kind}: closed with ${o.code} '${o.reason}'`);
      else if (!logs.some((l) => l.remote === o.remote && l.level !== 'info')) problems.push(`${o.kind}: cut with ${o.code} but no warn/error log line for ${o.remote}`);
    }
    const wall = (performance.now() - t0) / 1000;
    const cuts = new Map<string, number>();
    for (const l of logs) if (l.level !== 'info') bump(cuts, `${l.event}${l.code ? ` ${l.code}` : ''}`);
    console.log(
      [
        `${TAG} ${frames.toLocaleString('en')} frames (${(frames - floodFrames).toLocaleString('en')} + ${floodFrames.toLocaleString('en')} in floods) in ${sessions} rogue sessions; fuzz ${((fuzzEnd - t0) / 1000).toFixed(1)} s, total ${wall.toFixed(1)} s`,
        `well-behaved: ${total().toLocaleString('en')} sequenced messages, all delivered in order`,
        `close codes seen by the rogues:\n${histogram(byCode)}`,
        `relay cut events (log):\n${histogram(cuts)}`,
        `fatal frame -> close code:\n${histogram(byKind)}`,
      ].join('\n'),
    );
    expect(frames - floodFrames, TAG).toBeGreaterThanOrEqual(FRAMES);
    expect(problems.slice(0, 20), TAG).toEqual([]);
    expect(wells.flatMap((w) => w.disorder).slice(0, 20), TAG).toEqual([]);
    const downs = wells.flatMap((w, i) => w.events.slice(meshUp[i]).filter((e) => e[0] === 'nodedown' && WELL.includes(e[1])));
    expect(downs, TAG).toEqual([]);
    expect(logs.filter((l) => l.level === 'error'), TAG).toEqual([]);
    expect(
      // (a refusal names the name a rogue asked for, maybe a well-behaved node's: not a cut of that node)
      logs.filter((l) => l.level !== 'info' && l.event !== 'refused' && l.name !== undefined && WELL.includes(l.name)),
      `${TAG} a well-behaved node was cut`,
    ).toEqual([]);
    expect(relay.names().map((p) => p.name).sort(), TAG).toEqual([...WELL, `late@${HOST}`].sort());
  }, 300_000);

  // Found by this fuzz: a `b` whose text was not base64 threw out of the node's socket
  // handler and took the node's process down. Now it closes that one channel (bad_frame).
  it('a `b` message that is not base64 does not crash the node it reaches', async () => {
    const relay = await startRelay({ port: 0, host: HOST, cookie: COOKIE, logger: false });
    cleanups.push(() => relay.close());
    const w = await startNode({ name: `victim@${HOST}`, cookie: COOKIE, relay: relay.url, startRelay: false, direct: false, output: false, logger: false } as ServerNodeOptions);
    cleanups.push(() => w.stop());
    const r = new Rogue(relay.url);
    await r.open();
    expect(await r.register(`mallory@${HOST}`, true, false)).toBe(true);
    r.text(JSON.stringify({ t: 'open', req: 1, to: w.name }));
    await until(() => r.replies.has(1), 'opened', 5000);
    r.text(JSON.stringify({ t: 'b', ch: r.replies.get(1), d: '%%% not base64' })); // the uncaught exception comes here
    await new Promise((res) => setTimeout(res, 200));
    const other = await startNode({ name: `other@${HOST}`, cookie: COOKIE, relay: relay.url, startRelay: false, direct: false, output: false, logger: false } as ServerNodeOptions);
    cleanups.push(() => other.stop());
    expect(await other.ping(w.name)).toBe('pong');
  });
});
