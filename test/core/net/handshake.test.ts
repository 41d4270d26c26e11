/**
 * Connection setup: ping, cookies (S9, S10), allow lists, name modes (S3), protocol version,
 * garbage frames, simultaneous connects and the setup timeout.
 */
import { describe, expect } from 'vitest';
import { it, type ClusterFactory } from '../../fixtures.js';
import { TestCluster, eventually } from '../../support/cluster.js';
import { watch } from '../../support/membership.js';
import { recorder } from '../../support/in-process.js';
import { settle } from '../../support/real-time.js';
import { SimulatedClock } from '../../../src/core/testing/simulated-clock.js';
import { type Channel, decodeTerm, type DistCrypto, encodeTerm, type Frame } from '../../../src/core/index.js';
import { PROTOCOL_VERSION } from '../../../src/core/net/frames.js';
import { decodeWireFrame } from '../../../src/core/net/encodings.js';
import { proofInput } from '../../../src/core/net/proofs.js';
import { createHmac, randomBytes } from 'node:crypto';

// ----- helpers ---------------------------------------------------------------------------

const SHORT_FLAGS = { hidden: false, connectAll: true, mode: 'short' } as const;

function frameText(f: Frame): string {
  return typeof f === 'string' ? f : new TextDecoder().decode(f);
}

interface Collected {
  frames: unknown[];
  closedWith: string | undefined;
}

/** Attach to a raw channel and collect the decoded frames it receives and its close reason. */
function collect(ch: Channel, onFrame?: (f: { t?: unknown } | undefined) => void): Collected {
  const out: Collected = { frames: [], closedWith: undefined };
  ch.attach({
    onFrame: (f) => {
      let decoded: unknown;
      try {
        decoded = decodeTerm(frameText(f));
      } catch {
        decoded = { undecodable: frameText(f) };
      }
      out.frames.push(decoded);
      onFrame?.(decoded as { t?: unknown } | undefined);
    },
    onClose: (r) => {
      out.closedWith = r;
    },
  });
  return out;
}

/** HMAC-SHA-256 like webCrypto, but resolving in a microtask (deterministic on a SimulatedClock). */
const microtaskCrypto: DistCrypto = {
  hmacSha256Hex: (key, data) => Promise.resolve(createHmac('sha256', key).update(data).digest('hex')),
  randomHex: (n) => randomBytes(n).toString('hex'),
};

/**
 * A raw initiator speaking the documented handshake (protocol.ts) to `target` as `name`.
 * `hello()` sends the hello; `prove()` answers the challenge with a digest made from `cookie`
 * and checks the acceptor's ack. Frames it receives are kept in `got.frames`.
 */
async function rawInitiator(c: TestCluster, target: string, name: string) {
  const ch = await c.net.transport().connect(target);
  const got = collect(ch);
  const myChallenge = randomBytes(32).toString('hex');
  return {
    ch,
    got,
    hello(): void {
      ch.send(encodeTerm({ t: 'hello', v: PROTOCOL_VERSION, name, creation: 1, flags: SHORT_FLAGS }));
    },
    challenge(): { challenge: string } | undefined {
      return got.frames.find((f) => (f as { t?: string })?.t === 'challenge') as { challenge: string } | undefined;
    },
    prove(cookie: string): void {
      const cB = this.challenge()!.challenge;
      const digest = createHmac('sha256', cookie).update(proofInput('initiator', cB, name, target)).digest('hex');
      ch.send(encodeTerm({ t: 'challenge_reply', challenge: myChallenge, digest }));
    },
    ackValid(cookie: string): boolean {
      const ack = got.frames.find((f) => (f as { t?: string })?.t === 'challenge_ack') as { digest: string } | undefined;
      const expected = createHmac('sha256', cookie).update(proofInput('acceptor', myChallenge, name, target)).digest('hex');
      return ack?.digest === expected;
    },
  };
}

// ----- tests -----------------------------------------------------------------------------

describe('handshake and connection setup', () => {
  it('S1: ping a live node is pong, an unknown node is pang, and nodes() lists the peer', async ({ cluster: c }) => {
    const [a, b, z] = await c.startNodes('a', 'b', 'z');
    expect(a.nodes()).toEqual([]);
    expect(await a.ping(b.name)).toBe('pong');
    expect(a.nodes()).toEqual([b.name]);
    expect(b.nodes()).toEqual([a.name]);
    expect(await a.ping('zz@vm')).toBe('pang');
    expect(a.lastConnectError('zz@vm')).toBeDefined();
    // A bare name without '@' is pang, with no exception.
    expect(await a.ping('zz')).toBe('pang');
    expect(a.nodes()).toEqual([b.name]);
    // Pinging oneself is pong and adds no connection.
    expect(await a.ping(a.name)).toBe('pong');
    expect(a.nodes()).toEqual([b.name]);
    expect(z.nodes()).toEqual([]);
  });

  describe('S9: bad cookie', () => {
    it('S9: the caller gets pang with bad_cookie and an unchanged nodes(); the acceptor logs Invalid challenge reply', async ({ cluster: c }) => {
      const [a, b] = await c.startNodes('a', 'b');
      const x = await c.node('x', { cookie: 'wrong-cookie' });
      expect(await a.ping(b.name)).toBe('pong');
      const before = x.nodes();
      expect(await x.ping(a.name)).toBe('pang');
      expect(x.nodes()).toEqual(before);
      expect(x.lastConnectError(a.name)).toBe('bad_cookie');
      expect(c.logs(a)).toContain('Invalid challenge reply');
      expect(c.logs(a)).toContain(x.name);
      // The acceptor did not add the caller either.
      expect(a.nodes()).not.toContain(x.name);
      expect(a.nodes('connected')).not.toContain(x.name);
    });

    it('S9: the cookie never appears on the wire, in a successful or a failed handshake', async ({ cluster: c }) => {
      const COOKIE_A = 'S3CR3T-COOKIE-a';
      const COOKIE_X = 'S3CR3T-COOKIE-x';
      const seen: Array<{ from: string; to: string; text: string }> = [];
      const untap = c.net.tap((from, to, f) => seen.push({ from, to, text: frameText(f) }));
      const a = await c.node('a', { cookie: COOKIE_A });
      const b = await c.node('b', { cookie: COOKIE_A });
      const x = await c.node('x', { cookie: COOKIE_X });

      expect(await a.ping(b.name)).toBe('pong');
      const okFrames = seen.length;
      expect(await x.ping(b.name)).toBe('pang');
      expect(x.lastConnectError(b.name)).toBe('bad_cookie');
      // Messages after the handshake do not carry it either.
      const r = recorder(b);
      a.send(r.pid, ['hello', 'there']);
      await eventually(() => r.got.length === 1);
      untap();

      // The tap did see both handshakes (so the assertion below is about real traffic).
      const all = seen.map((s) => s.text).join('\n');
      expect(okFrames).toBeGreaterThan(0);
      expect(seen.slice(0, okFrames).some((s) => s.text.includes('challenge_reply'))).toBe(true);
      expect(seen.slice(okFrames).some((s) => s.from === x.name && s.text.includes('challenge_reply'))).toBe(true);
      expect(seen.some((s) => s.text.includes('challenge_ack'))).toBe(true);
      for (const cookie of [COOKIE_A, COOKIE_X]) {
        expect(all).not.toContain(cookie);
        // Not even in an obviously transformed form.
        expect(all.toLowerCase()).not.toContain(cookie.toLowerCase());
        expect(all).not.toContain(Buffer.from(cookie).toString('base64').replace(/=+$/, ''));
        expect(all).not.toContain(Buffer.from(cookie).toString('hex'));
      }
    });
  });

  describe('S10: per-node cookies and allow lists', () => {
    it("S10: after setCookie(x, 'xyz'), ping(x) is pong and getCookie(x) is 'xyz'", async ({ cluster: c }) => {
      const a = await c.node('a');
      const x = await c.node('x', { cookie: 'xyz' });
      expect(await a.ping(x.name)).toBe('pang');
      expect(a.lastConnectError(x.name)).toBe('bad_cookie');
      expect(a.setCookie(x.name, 'xyz')).toBe(true);
      expect(a.getCookie(x.name)).toBe('xyz');
      expect(a.getCookie()).toBe('abc');
      expect(x.getCookie()).toBe('xyz');
      expect(await a.ping(x.name)).toBe('pong');
      expect(a.nodes()).toContain(x.name);
      expect(x.nodes()).toContain(a.name);
      expect(a.lastConnectError(x.name)).toBeUndefined();
      // x's own cookie is unchanged.
      expect(x.getCookie()).toBe('xyz');
    });

    it('S10: mixed cookies give a partial mesh: x cannot reach b, and b logs Invalid challenge reply', async ({ cluster: c }) => {
      const [a, b] = await c.startNodes('a', 'b');
      const x = await c.node('x', { cookie: 'xyz' });
      a.setCookie(x.name, 'xyz');
      expect(await a.ping(b.name)).toBe('pong');
      expect(await a.ping(x.name)).toBe('pong');
      await eventually(() => c.logs(b).includes('Invalid challenge reply') || c.logs(x).includes('Invalid challenge reply'));
      expect(await x.ping(b.name)).toBe('pang');
      expect(x.lastConnectError(b.name)).toBe('bad_cookie');
      expect(c.logs(b)).toContain('Invalid challenge reply');
      expect(new Set(a.nodes())).toEqual(new Set([b.name, x.name]));
      expect(b.nodes()).toEqual([a.name]);
      expect(x.nodes()).toEqual([a.name]);
    });

    it('S10: a node missing from the acceptor allow list gets pang with not_allowed; the acceptor logs disallowed node', async ({ cluster: c }) => {
      const [a, b, d] = await c.startNodes('a', 'b', 'd');
      expect(b.allow([d.name])).toBe(true);
      expect(await a.ping(b.name)).toBe('pang');
      expect(a.lastConnectError(b.name)).toBe('not_allowed');
      expect(a.nodes()).toEqual([]);
      expect(b.nodes()).toEqual([]);
      expect(c.logs(b)).toContain('disallowed node');
      expect(c.logs(b)).toContain(a.name);
      // The allowed node still gets in.
      expect(await d.ping(b.name)).toBe('pong');
      expect(b.nodes()).toEqual([d.name]);
    });
  });

  describe('S3: name modes', () => {
    it('S3: a short-name node pinging a long-name node gets pang, name_mode_mismatch and a Hostname … is illegal log', async ({ cluster: c }) => {
      const a = await c.node('a');
      const l = await c.node('l@127.0.0.1', { sname: undefined, name: 'l@127.0.0.1' });
      expect(l.name).toBe('l@127.0.0.1');
      expect(await a.ping(l.name)).toBe('pang');
      expect(a.lastConnectError(l.name)).toBe('name_mode_mismatch');
      expect(c.logs(a)).toContain('Hostname 127.0.0.1 is illegal');
      expect(a.nodes()).toEqual([]);
      expect(l.nodes()).toEqual([]);
    });

    it('S3: a long-name node pinging a short-name node gets pang, name_mode_mismatch and a Hostname vm is illegal log', async ({ cluster: c }) => {
      const a = await c.node('a');
      const l = await c.node('l@127.0.0.1', { sname: undefined, name: 'l@127.0.0.1' });
      expect(await l.ping(a.name)).toBe('pang');
      expect(l.lastConnectError(a.name)).toBe('name_mode_mismatch');
      expect(c.logs(l)).toContain('Hostname vm is illegal');
      expect(l.nodes()).toEqual([]);
      expect(a.nodes()).toEqual([]);
    });

    it('S3: an acceptor refuses a hello from a node of the other name mode with status name_mode_mismatch', async ({ cluster: c }) => {
      const a = await c.node('a');
      const raw = c.net.transport();
      const ch = await raw.connect(a.name);
      const got = collect(ch);
      ch.send(encodeTerm({ t: 'hello', v: PROTOCOL_VERSION, name: 'l@127.0.0.1', creation: 1, flags: { ...SHORT_FLAGS, mode: 'long' } }));
      await eventually(() => got.closedWith !== undefined);
      expect(got.frames).toEqual([{ t: 'status', status: 'name_mode_mismatch' }]);
      expect(a.nodes('connected')).toEqual([]);
    });
  });

  describe('protocol version and garbage', () => {
    it('a hello with a different protocol version is refused with status incompatible_version, and logged', async ({ cluster: c }) => {
      const [a, b] = await c.startNodes('a', 'b');
      const raw = c.net.transport();
      const ch = await raw.connect(a.name);
      const got = collect(ch);
      ch.send(encodeTerm({ t: 'hello', v: 999, name: 'r@vm', creation: 1, flags: SHORT_FLAGS }));
      await eventually(() => got.closedWith !== undefined);
      expect(got.frames).toEqual([{ t: 'status', status: 'incompatible_version' }]);
      expect(c.logs(a)).toContain('r@vm');
      expect(c.logs(a)).toContain('999');
      expect(a.nodes('connected')).toEqual([]);
      // The node is fine afterwards.
      expect(await a.ping(b.name)).toBe('pong');
    });

    it('a peer answering with a different protocol version in its challenge makes ping pang with incompatible_version', async ({ cluster: c }) => {
      const a = await c.node('a');
      const raw = c.net.transport();
      const received: unknown[] = [];
      await raw.listen('r@vm', (ch) => {
        collect(ch, (f) => {
          received.push(f);
          if (f?.t === 'hello') {
            ch.send(encodeTerm({ t: 'status', status: 'ok' }));
            ch.send(
              encodeTerm({ t: 'challenge', v: PROTOCOL_VERSION + 1, name: 'r@vm', creation: 1, flags: SHORT_FLAGS, challenge: '00'.repeat(32) }),
            );
          }
        });
      });
      expect(await a.ping('r@vm')).toBe('pang');
      expect(a.lastConnectError('r@vm')).toBe('incompatible_version');
      expect(a.nodes('connected')).toEqual([]);
      // a said hello with its own version, and never proved its cookie to a peer of another version.
      expect(received).toContainEqual(expect.objectContaining({ t: 'hello', v: PROTOCOL_VERSION, name: a.name }));
      expect(received.some((f) => (f as { t?: string })?.t === 'challenge_reply')).toBe(false);
    });

    it('a garbage first frame closes the channel without crashing the node', async ({ cluster: c }) => {
      const [a, b] = await c.startNodes('a', 'b');
      const garbage: Frame[] = [
        'this is not a frame {{{',
        new Uint8Array([0, 1, 2, 255]),
        JSON.stringify({ nojson: true }),
        encodeTerm(['not', 'a', 'frame']),
        encodeTerm({ t: 'tick' }),
        encodeTerm({ t: 'send', to: 'x', msg: 1 }),
      ];
      for (const g of garbage) {
        const raw = c.net.transport();
        const ch = await raw.connect(a.name);
        const got = collect(ch);
        ch.send(g);
        await eventually(() => got.closedWith !== undefined);
        expect(got.frames.filter((f) => (f as { t?: string })?.t === 'challenge')).toEqual([]);
        expect(a.nodes('connected')).toEqual([]);
      }
      expect(a.isAlive()).toBe(true);
      expect(await a.ping(b.name)).toBe('pong');
      const r = recorder(b);
      a.send(r.pid, 'still-works');
      await eventually(() => r.got.length === 1);
      expect(r.got).toEqual(['still-works']);
    });
  });

  describe('raw peers', () => {
    it('a raw peer doing the documented handshake is accepted, and its signals are delivered', async ({ cluster: c }) => {
      const a = await c.node('a');
      const r = recorder(a);
      a.register('srv', r.pid);
      const raw = await rawInitiator(c, a.name, 'r@vm');
      raw.hello();
      await eventually(() => raw.challenge() !== undefined);
      expect(raw.got.frames[0]).toEqual({ t: 'status', status: 'ok' });
      raw.prove('abc');
      await eventually(() => a.nodes().includes('r@vm'));
      expect(raw.ackValid('abc')).toBe(true);
      raw.ch.send(encodeTerm({ t: 'reg_send', from: undefined, to: 'srv', node: a.name, msg: ['hi', 1] }));
      await eventually(() => r.got.length === 1);
      expect(r.got).toEqual([['hi', 1]]);
    });

    it('a raw peer proving the wrong cookie is refused with bad_cookie, and the node logs Invalid challenge reply', async ({ cluster: c }) => {
      const a = await c.node('a');
      const raw = await rawInitiator(c, a.name, 'r@vm');
      raw.hello();
      await eventually(() => raw.challenge() !== undefined);
      raw.prove('not-the-cookie');
      await eventually(() => raw.got.closedWith !== undefined);
      expect(raw.got.frames.at(-1)).toEqual({ t: 'refused', reason: 'bad_cookie' });
      expect(c.logs(a)).toContain('Invalid challenge reply');
      expect(a.nodes('connected')).toEqual([]);
    });

    it('a second hello from the same name during an inbound handshake is turned down without breaking the first', async ({ cluster: c }) => {
      const a = await c.node('a');
      const evs = watch(a, { nodedownReason: true });
      const first = await rawInitiator(c, a.name, 'r@vm');
      first.hello();
      await eventually(() => first.challenge() !== undefined);
      // a's own connect to r joins the handshake in progress.
      const ping = a.ping('r@vm');
      const second = await rawInitiator(c, a.name, 'r@vm');
      second.hello();
      await eventually(() => second.got.closedWith !== undefined);
      expect(second.got.frames).toEqual([{ t: 'status', status: 'nok' }]);
      first.prove('abc');
      expect(await ping).toBe('pong');
      await eventually(() => first.ackValid('abc'));
      expect(a.nodes()).toEqual(['r@vm']);
      expect(evs).toStrictEqual([['nodeup', 'r@vm', {}]]);
    });
  });

  describe('simultaneous connects', () => {
    async function race(clusters: ClusterFactory, i: number, latencyMs: number): Promise<void> {
      const c = clusters({ latencyMs });
      // Alternate which node's name sorts lower and which ping starts first.
      const [n1, n2] = i % 2 === 0 ? ['a', 'b'] : ['q', 'p'];
      const a = await c.node(`${n1}${i}`);
      const b = await c.node(`${n2}${i}`);
      const evA = watch(a, { nodedownReason: true });
      const evB = watch(b, { nodedownReason: true });
      const handshakeFrames: Array<{ t?: string; status?: string }> = [];
      const untap = c.net.tap((_from, _to, f) => {
        for (const d of decodeWireFrame(f) as Array<{ t?: string; status?: string }>) {
          if (d?.t === 'hello' || d?.t === 'status') handshakeFrames.push(d);
        }
      });
      const pings = i % 4 < 2 ? [a.ping(b.name), b.ping(a.name)] : [b.ping(a.name), a.ping(b.name)];
      expect(await Promise.all(pings)).toEqual(['pong', 'pong']);
      await settle(latencyMs > 0 ? 20 : 5);
      untap();
      // It really was a race: both nodes said hello, and one attempt was turned down with nok.
      expect(handshakeFrames.filter((f) => f.t === 'hello')).toHaveLength(2);
      expect(handshakeFrames.filter((f) => f.t === 'status').map((f) => f.status).sort()).toEqual(['nok', 'ok_simultaneous']);
      expect(a.nodes()).toEqual([b.name]);
      expect(b.nodes()).toEqual([a.name]);
      expect(evA).toStrictEqual([['nodeup', b.name, {}]]);
      expect(evB).toStrictEqual([['nodeup', a.name, {}]]);
      // Messages flow both ways on the surviving connection.
      const ra = recorder(a);
      const rb = recorder(b);
      a.send(rb.pid, ['from', a.name]);
      b.send(ra.pid, ['from', b.name]);
      await eventually(() => ra.got.length === 1 && rb.got.length === 1, 2000);
      expect(rb.got).toEqual([['from', a.name]]);
      expect(ra.got).toEqual([['from', b.name]]);
      expect(evA.filter((e) => e[0] === 'nodedown')).toEqual([]);
      expect(evB.filter((e) => e[0] === 'nodedown')).toEqual([]);
      await c.stop();
    }

    it('simultaneous connects: both pings pong, one connection each way, messages flow both ways', async ({ clusters }) => {
      await race(clusters, 0, 0);
    });

    it('simultaneous connects: the race repeated 20 times with fresh pairs (some with 1–3 ms latency)', async ({ clusters }) => {
      for (let i = 1; i <= 20; i++) await race(clusters, i, i > 16 ? 1 + (i % 3) : 0);
    });

    it('simultaneous connects, staggered: the higher-named node dials first and the lower one dials while that handshake is in flight', async ({ clusters }) => {
      // Deterministic on simulated time: 2 ms one-way latency; q's hello reaches p at t=2,
      // p starts its own attempt at t=3 while q's handshake is still in progress.
      for (const delay of [1, 2, 3, 4, 5, 6]) {
        const clock = new SimulatedClock();
        const c = clusters({ clock, latencyMs: 2 });
        // WebCrypto digests complete on real time; a digest that resolves in a microtask keeps
        // the whole exchange on simulated time, so the interleaving is exact.
        const q = await c.node('q', { crypto: microtaskCrypto });
        const p = await c.node('p', { crypto: microtaskCrypto });
        const evQ = watch(q, { nodedownReason: true });
        const evP = watch(p, { nodedownReason: true });
        const r1 = q.ping(p.name);
        await clock.advance(delay);
        const r2 = p.ping(q.name);
        await clock.advance(100);
        expect([await r1, await r2]).toEqual(['pong', 'pong']);
        expect({ delay, q: q.nodes(), p: p.nodes() }).toEqual({ delay, q: [p.name], p: [q.name] });
        expect({ delay, evQ, evP }).toStrictEqual({ delay, evQ: [['nodeup', p.name, {}]], evP: [['nodeup', q.name, {}]] });
        await c.stop();
      }
    });

    it('simultaneous connects in a three-node mesh leave each node with exactly one nodeup per peer', async ({ cluster: c }) => {
      const [a, b, d] = await c.startNodes('a', 'b', 'd');
      const evs = [a, b, d].map((n) => watch(n, { nodedownReason: true }));
      const res = await Promise.all([a.ping(b.name), b.ping(d.name), d.ping(a.name), b.ping(a.name), d.ping(b.name), a.ping(d.name)]);
      expect(res).toEqual(Array(6).fill('pong'));
      await settle(10);
      for (const [i, n] of [a, b, d].entries()) {
        const others = [a, b, d].filter((o) => o !== n).map((o) => o.name);
        expect(new Set(n.nodes())).toEqual(new Set(others));
        expect(evs[i]!.filter((e) => e[0] === 'nodedown')).toEqual([]);
        for (const o of others) expect(evs[i]!.filter((e) => e[0] === 'nodeup' && e[1] === o)).toHaveLength(1);
      }
    });
  });

  describe('setup timeout', () => {
    it('a ping to a frozen peer resolves pang once setupTimeoutMs has passed, with lastConnectError set', async ({ clock, simCluster: c }) => {
      const a = await c.node('a', { setupTimeoutMs: 5000 });
      const b = await c.node('b');
      c.net.freeze(b.name);
      let result: string | undefined;
      const p = a.ping(b.name).then((r) => (result = r));
      await clock.advance(4999);
      expect(result).toBeUndefined();
      expect(a.nodes('connected')).toEqual([]);
      await clock.advance(2);
      await p;
      expect(result).toBe('pang');
      expect(a.lastConnectError(b.name)).toBe('timeout');
      expect(a.nodes('connected')).toEqual([]);
      // After the thaw, a new attempt succeeds.
      c.net.thaw(b.name);
      await clock.flush();
      const p2 = a.ping(b.name);
      await clock.advance(0);
      expect(await p2).toBe('pong');
      expect(a.lastConnectError(b.name)).toBeUndefined();
    });

    it('a peer that stalls mid-handshake also times out (default setupTimeoutMs 7000, given explicitly)', async ({ clock, simCluster: c }) => {
      const a = await c.node('a', { setupTimeoutMs: 7000 });
      // A raw peer that accepts the channel but never answers the hello.
      const raw = c.net.transport();
      const hellos: unknown[] = [];
      await raw.listen('s@vm', (ch) => collect(ch, (f) => hellos.push(f)));
      let result: string | undefined;
      const p = a.ping('s@vm').then((r) => (result = r));
      await clock.advance(6999);
      expect(hellos).toHaveLength(1);
      expect(result).toBeUndefined();
      await clock.advance(2);
      await p;
      expect(result).toBe('pang');
      expect(a.lastConnectError('s@vm')).toBeDefined();
      expect(a.nodes('connected')).toEqual([]);
    });
  });
});
