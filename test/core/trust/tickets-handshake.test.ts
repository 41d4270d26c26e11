/**
 * The dist handshake with join tickets, over MemoryNetwork: cookie ↔ ticket in both
 * directions, refusals (forged, expired, wrong prefix, unattested), ticket ↔ ticket on the
 * relay's attestation only, cookie ↔ cookie unchanged. Expiry runs on a SimulatedClock.
 *
 * The relay attests the other end of every relayed channel; here `AttestingNet` plays that
 * part over a MemoryNetwork (it tags each channel with the registered name of the other end
 * and the role a test says the "relay" admitted it with).
 */
import { describe, expect } from 'vitest';
import { it, type ClusterFactory } from '../../fixtures.js';
import { TestCluster } from '../../support/cluster.js';
import { recorder } from '../../support/in-process.js';
import { SimulatedClock } from '../../../src/core/testing/simulated-clock.js';
import type { Channel, ListenOptions, Transport } from '../../../src/core/net/transport.js';
import type { ChannelAttestation } from '../../../src/core/net/attestation.js';
import type { MemoryNetwork } from '../../../src/core/testing/memory-network.js';
import { decodeTerm, type Node } from '../../../src/core/index.js';
import { mintTicket } from '../../../src/server/index.js';

const COOKIE = 'abc'; // TestCluster's
const T0 = 1_700_000_000_000;

/** MemoryNetwork transports whose channels carry a relay-style attestation of the other end. */
class AttestingNet {
  /** The role each name was "admitted" with (absent: a cookie holder). */
  readonly roles = new Map<string, string>();
  private dialer: string | undefined;
  constructor(private readonly net: MemoryNetwork) {}

  transport(): Transport {
    const inner = this.net.transport();
    let me: string | undefined;
    return {
      listen: (name: string, onInbound: (ch: Channel) => void, o?: ListenOptions) => {
        me = name;
        // MemoryNetwork hands the remote end to onInbound synchronously inside connect().
        return inner.listen(name, (ch) => onInbound(this.attest(ch, this.dialer!)), o);
      },
      connect: async (peer: string) => {
        this.dialer = me;
        let p: Promise<Channel>;
        try {
          p = inner.connect(peer);
        } finally {
          this.dialer = undefined;
        }
        return this.attest(await p, peer);
      },
      close: () => inner.close(),
    };
  }

  private attest(ch: Channel, name: string): Channel {
    const role = this.roles.get(name);
    const attestation: ChannelAttestation = role === undefined ? { by: 'relay', name } : { by: 'relay', name, role };
    return {
      attach: (h) => ch.attach(h),
      send: (f) => ch.send(f),
      close: (r) => ch.close(r),
      get isOpen() {
        return ch.isOpen;
      },
      attestation,
    } as Channel;
  }
}

function ticket(o: { role?: string; prefix?: string; now?: number; ttlMs?: number; cookie?: string } = {}): string {
  return mintTicket({ cookie: o.cookie ?? COOKIE, role: o.role ?? 'guest', prefix: o.prefix ?? 'tab-', ttlMs: o.ttlMs ?? 60_000, now: o.now ?? T0 });
}

describe('handshake with join tickets', () => {
  let c: TestCluster;
  let att: AttestingNet;
  let clusters: ClusterFactory;
  it.beforeEach(({ clusters: f }) => {
    clusters = f;
  });
  const setup = (attested = true): void => {
    c = clusters({ clock: new SimulatedClock(T0) });
    att = new AttestingNet(c.net);
    if (!attested) att = { transport: () => c.net.transport(), roles: new Map() } as unknown as AttestingNet;
  };
  /** A cookie holder. */
  const server = (name: string): Promise<Node> => c.node(name, { transport: att.transport() });
  /** A ticket holder, "admitted by the relay" in `admittedAs` (default: the ticket's role). */
  const tab = (name: string, t: string | (() => string), admittedAs?: string): Promise<Node> => {
    const role = admittedAs ?? (typeof t === 'string' ? JSON.parse(Buffer.from(t.split('.')[1]!, 'base64url').toString()).role : 'guest');
    att.roles.set(`${name}@vm`, role);
    return c.node(name, { cookie: undefined, ticket: t, transport: att.transport() });
  };

  it('ticket → cookie (ticket holder initiates): pong, the roles are visible on both sides, messages flow', async () => {
    setup();
    const s = await server('srv');
    const t = await tab('tab-1', ticket());
    expect(t.role).toBe('guest');
    expect(s.role).toBeUndefined();
    expect(await t.ping(s.name)).toBe('pong');
    expect(s.roleOf(t.name)).toBe('guest');
    expect(t.roleOf(s.name)).toBeUndefined();
    expect(s.roleOf('nobody@vm')).toBeNull();
    const r = recorder(t);
    s.send(r.pid, 'hello tab');
    await (c.opts.clock as SimulatedClock).advance(0);
    expect(r.got).toEqual(['hello tab']);
  });

  it('cookie → ticket (cookie holder initiates): pong and roles, the same', async () => {
    setup();
    const s = await server('srv');
    const t = await tab('tab-1', ticket({ role: 'viewer' }));
    expect(await s.ping(t.name)).toBe('pong');
    expect(s.roleOf(t.name)).toBe('viewer');
    expect(t.roleOf(s.name)).toBeUndefined();
    expect(s.nodes()).toEqual([t.name]);
  });

  it('the function form is called for each handshake', async () => {
    setup();
    const s1 = await server('s1');
    const s2 = await server('s2');
    let calls = 0;
    const t = await tab('tab-1', () => (calls++, ticket()), 'guest');
    const atStart = calls;
    expect(await t.ping(s1.name)).toBe('pong');
    expect(await s2.ping(t.name)).toBe('pong');
    expect(calls).toBe(atStart + 2);
    expect(s2.roleOf(t.name)).toBe('guest');
  });

  it('simultaneous connects while the ticket is being fetched end with one connection, not none', async () => {
    setup();
    const clock = c.opts.clock as SimulatedClock;
    const s = await server('srv');
    // After start, a ticket takes 50 ms to come (a fetch): the cookie side's own dial is done
    // before our hello could go out, and a hello then would make it drop what it just made.
    let slow = false;
    const fetchTicket = (): string | Promise<string> => (slow ? new Promise<string>((r) => clock.setTimeout(() => r(ticket()), 50)) : ticket());
    const t = await tab('tab-1', fetchTicket as () => string, 'guest');
    slow = true;
    const events: string[] = [];
    s.monitorNodes((e) => events.push(`srv ${e[0]} ${e[1]}`));
    t.monitorNodes((e) => events.push(`tab ${e[0]} ${e[1]}`));
    const p1 = t.ping(s.name);
    const p2 = s.ping(t.name);
    for (let i = 0; i < 10; i++) await clock.advance(20);
    expect(await Promise.all([p1, p2])).toEqual(['pong', 'pong']);
    await clock.advance(1_000);
    expect(s.nodes()).toEqual([t.name]);
    expect(t.nodes()).toEqual([s.name]);
    expect(events.sort()).toEqual([`srv nodeup ${t.name}`, `tab nodeup ${s.name}`]);
  });

  describe('refusals: pang, the code in lastConnectError, and a log line on the refusing side', () => {
    const cases = [
      { what: 'forged (signed with another cookie)', t: () => ticket({ cookie: 'not-the-cookie' }), code: 'ticket_forged', log: 'forged join ticket' },
      { what: 'expired at exp', t: () => ticket({ now: T0 - 60_000 }), code: 'ticket_expired', log: 'expired' },
      { what: 'for another prefix', t: () => ticket({ prefix: 'guest-' }), code: 'name_not_allowed', log: "names starting with guest-" },
    ] as const;
    for (const k of cases) {
      it(`a ticket ${k.what}: initiated by the ticket holder → ${k.code}, logged by the cookie acceptor`, async () => {
        setup();
        const s = await server('srv');
        const t = await tab('tab-1', k.t());
        expect(await t.ping(s.name)).toBe('pang');
        expect(t.lastConnectError(s.name)).toBe(k.code);
        expect(c.logs(s)).toContain(`Connection attempt from node ${t.name} rejected`);
        expect(c.logs(s)).toContain(k.log);
        expect(s.nodes('connected')).toEqual([]);
        expect(t.nodes('connected')).toEqual([]);
      });
      it(`a ticket ${k.what}: initiated by the cookie holder → ${k.code}`, async () => {
        setup();
        const s = await server('srv');
        const t = await tab('tab-1', k.t());
        expect(await s.ping(t.name)).toBe('pang');
        expect(s.lastConnectError(t.name)).toBe(k.code);
        if (k.code === 'ticket_forged') {
          // The ticket holder finds the cookie holder's proof does not match its ticket's key.
          expect(c.logs(t)).toContain(`Connection attempt from node ${s.name} rejected. Invalid challenge reply`);
        } else {
          // The cookie holder checks the claims in the acceptor's challenge and gives up.
          expect(c.logs(s)).toContain(`Connection attempt to node ${t.name} aborted`);
          expect(c.logs(s)).toContain(k.log);
        }
        expect(s.nodes('connected')).toEqual([]);
      });
    }

    it('not expired at exp - 1', async () => {
      setup();
      const s = await server('srv');
      const t = await tab('tab-1', ticket({ now: T0 - 59_999 }));
      expect(await t.ping(s.name)).toBe('pong');
      await (c.opts.clock as SimulatedClock).advance(1);
      // Expiry is checked when connecting: the connection made before it lives on, a new one is refused.
      expect(t.nodes()).toEqual([s.name]);
      const s2 = await server('srv2');
      expect(await t.ping(s2.name)).toBe('pang');
      expect(t.lastConnectError(s2.name)).toBe('ticket_expired');
    });

    it('a ticket holder whose hello names another node than the relay admitted is refused (no impersonation)', async () => {
      setup();
      const s = await server('srv');
      await tab('tab-1', ticket());
      // A node calling itself tab-2 (within the prefix, with a valid ticket) over a socket the
      // relay admitted as tab-1.
      att.roles.set('tab-2@vm', 'guest');
      const inner = att.transport();
      const liar: Transport = { ...inner, listen: (_n, on, o) => inner.listen('tab-1-again@vm', on, o) };
      att.roles.set('tab-1-again@vm', 'guest');
      const t2 = await c.node('tab-2', { cookie: undefined, ticket: ticket(), transport: liar });
      expect(await t2.ping(s.name)).toBe('pang');
      expect(t2.lastConnectError(s.name)).toBe('not_allowed');
      expect(c.logs(s)).toContain('the relay admitted the other end of this channel as tab-1-again@vm');
      expect(s.nodes('connected')).toEqual([]);
    });

    it('a ticket role other than the one the relay admitted is refused (not_allowed)', async () => {
      setup();
      const s = await server('srv');
      const t = await tab('tab-1', ticket({ role: 'admin' }), 'guest');
      expect(await t.ping(s.name)).toBe('pang');
      expect(t.lastConnectError(s.name)).toBe('not_allowed');
      expect(c.logs(s)).toContain('the relay admitted it as role guest');
    });

    it('without the attestation of a relay, a ticket holder is refused (not_allowed), also between two ticket holders', async () => {
      setup(false);
      const s = await server('srv');
      const t1 = await c.node('tab-1', { cookie: undefined, ticket: ticket(), transport: c.net.transport() });
      const t2 = await c.node('tab-2', { cookie: undefined, ticket: ticket(), transport: c.net.transport() });
      expect(await t1.ping(s.name)).toBe('pang');
      expect(t1.lastConnectError(s.name)).toBe('not_allowed');
      expect(c.logs(s)).toContain('admitted only over the relay');
      expect(await t1.ping(t2.name)).toBe('pang');
      expect(t1.lastConnectError(t2.name)).toBe('not_allowed');
      expect(await t2.ping(t1.name)).toBe('pang');
    });
  });

  it('ticket ↔ ticket on the relay attestation: pong, the peer role is the attested one; a hello without its ticket is refused', async () => {
    setup();
    const t1 = await tab('tab-1', ticket({ role: 'guest' }));
    const t2 = await tab('tab-2', ticket({ role: 'viewer' }));
    expect(await t1.ping(t2.name)).toBe('pong');
    expect(t1.roleOf(t2.name)).toBe('viewer');
    expect(t2.roleOf(t1.name)).toBe('guest');
    // A node the relay admitted with a ticket must show one: a hello without (a cookie holder's) is refused.
    const s = await server('srv');
    att.roles.set(s.name, 'guest');
    expect(await s.ping(t1.name)).toBe('pang');
    expect(s.lastConnectError(t1.name)).toBe('not_allowed');
  });

  it('ticket ↔ ticket: no digests on the wire (empty), and no ticket key either', async () => {
    setup();
    const seen: string[] = [];
    c.net.tap((_f, _t, fr) => seen.push(typeof fr === 'string' ? fr : ''));
    const k1 = ticket();
    const t1 = await tab('tab-1', k1);
    const t2 = await tab('tab-2', ticket());
    expect(await t1.ping(t2.name)).toBe('pong');
    const frames = seen.filter(Boolean).map((s) => decodeTerm(s) as { t: string; digest?: string; ticket?: string });
    expect(frames.filter((f) => f.t === 'challenge_reply' || f.t === 'challenge_ack').map((f) => f.digest)).toEqual(['', '']);
    expect(frames.find((f) => f.t === 'hello')?.ticket).toBe(k1.split('.')[1]);
    expect(seen.join('\n')).not.toContain(k1.split('.')[2]);
  });

  it('cookie ↔ cookie: the handshake frames carry no ticket field and the peer has no role', async () => {
    setup();
    const seen: string[] = [];
    c.net.tap((_f, _t, fr) => seen.push(typeof fr === 'string' ? fr : ''));
    const a = await server('a');
    const b = await server('b');
    expect(await a.ping(b.name)).toBe('pong');
    const hs = seen.filter(Boolean).map((s) => decodeTerm(s) as Record<string, unknown>).filter((f) => f.t === 'hello' || f.t === 'challenge');
    expect(hs).toHaveLength(2);
    for (const f of hs) expect(Object.keys(f)).not.toContain('ticket');
    expect(a.roleOf(b.name)).toBeUndefined();
    expect(b.roleOf(a.name)).toBeUndefined();
    const digests = seen.filter(Boolean).map((s) => decodeTerm(s) as { t: string; digest?: string }).filter((f) => f.digest !== undefined);
    for (const f of digests) expect(f.digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a node needs a cookie or a ticket, not both; a malformed ticket fails startNode with ticket_malformed', async () => {
    setup();
    await expect(c.node('tab-1', { ticket: ticket(), transport: att.transport() })).rejects.toMatchObject({ code: 'badarg' });
    await expect(c.node('tab-2', { cookie: undefined, ticket: 'em1.nope.nope', transport: att.transport() })).rejects.toMatchObject({ code: 'ticket_malformed' });
    await expect(c.node('tab-3', { cookie: undefined, transport: att.transport() })).rejects.toMatchObject({ code: 'badarg' });
  });
});
