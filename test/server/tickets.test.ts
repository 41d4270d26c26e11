/**
 * Join tickets end to end on a real relay (127.0.0.1, ephemeral port): admission of ticket
 * holders and its refusals (code, close code, log line), roles in the relay's peer entries,
 * a ticket node calling a cookie server-node, and two ticket nodes meshing on the relay's
 * attestation. Every wait is bounded; nothing is timed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { webCrypto } from '../../src/core/net/proofs.js';
import { type LogEntry, type Node, parseTicket } from '../../src/core/index.js';
import { CLOSE_CODES, RELAY_PROTOCOL_VERSION, relayProofInput, type FromRelay } from '../../src/core/relay-client/protocol.js';
import { mintTicket, startNode, startRelay, type Relay, type RelayLogLine } from '../../src/server/index.js';

const COOKIE = 'tickets-test-cookie';
const HOUR = 3_600_000;

let relay: Relay | undefined;
const nodes: Node[] = [];
let lines: RelayLogLine[] = [];

afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
  await relay?.close();
  relay = undefined;
  lines = [];
});

async function start(): Promise<Relay> {
  relay = await startRelay({ port: 0, cookie: COOKIE, logger: (l) => lines.push(l) });
  return relay;
}

const guest = (o: { prefix?: string; now?: number; ttlMs?: number; cookie?: string; role?: string } = {}): string =>
  mintTicket({ cookie: o.cookie ?? COOKIE, role: o.role ?? 'guest', prefix: o.prefix ?? 'tab-', ttlMs: o.ttlMs ?? 10 * 60_000, ...(o.now !== undefined ? { now: o.now } : {}) });

async function node(sname: string, auth: { cookie: string } | { ticket: string | (() => string) }, extra: Record<string, unknown> = {}): Promise<Node> {
  const n = await startNode({ sname, host: 'erlmesh', relay: relay!.url, startRelay: false, output: false, logger: false, ...auth, ...extra });
  nodes.push(n);
  return n;
}

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Register over a raw socket with `ticket`'s payload and a proof made with `key`. */
async function rawRegister(url: string, name: string, ticket: string, key?: string): Promise<{ refused?: FromRelay; code: number }> {
  const ws = new WebSocket(url);
  const inbox: FromRelay[] = [];
  let closeCode: number | undefined;
  ws.on('message', (d) => inbox.push(JSON.parse(String(d)) as FromRelay));
  ws.on('close', (c) => (closeCode = c));
  ws.on('error', () => {});
  await until(() => inbox.length > 0, 'challenge');
  const ch = inbox.shift() as Extract<FromRelay, { t: 'challenge' }>;
  const t = parseTicket(ticket);
  const proof = await webCrypto.hmacSha256Hex(key ?? t.key, relayProofInput(ch.nonce, name));
  ws.send(JSON.stringify({ t: 'register', v: RELAY_PROTOCOL_VERSION, name, proof, hidden: false, ticket: t.payload }));
  await until(() => closeCode !== undefined, 'close');
  return { refused: inbox.find((m) => m.t === 'refused'), code: closeCode! };
}

describe('join tickets at the relay', () => {
  it('admits a ticket node, which rpcs a cookie server-node; roles show in peer entries and roleOf', async () => {
    await start();
    const srv = await node('srv', { cookie: COOKIE }, { capabilities: { guest: { rpc: '*' } } });
    const t1 = await node('tab-1', { ticket: guest() });
    expect(t1.role).toBe('guest');
    expect(srv.role).toBeUndefined();
    expect(await t1.rpc.call(srv.name, 'erlang', 'node', [])).toBe(srv.name);
    expect(srv.roleOf(t1.name)).toBe('guest');
    expect(t1.roleOf(srv.name)).toBeUndefined();
    const entries = relay!.names();
    expect(entries.find((e) => e.name === t1.name)).toEqual({ name: t1.name, hidden: false, role: 'guest' });
    expect(entries.find((e) => e.name === srv.name)?.role).toBeUndefined();
    // A ticket holder advertises no direct address (it connects over the relay only).
    expect(entries.find((e) => e.name === t1.name)?.direct).toBeUndefined();
    const reg = lines.find((l) => l.event === 'registered' && l.name === t1.name);
    expect(reg?.detail).toContain('role guest');
  });

  it('a second ticket node (function form) meshes with the first on the relay attestation', async () => {
    await start();
    const srv = await node('srv', { cookie: COOKIE });
    const t1 = await node('tab-1', { ticket: guest() });
    let calls = 0;
    const t2 = await node('tab-2', { ticket: () => (calls++, guest({ role: 'viewer' })) });
    // Connections are made from both sides (welcome, joined): wait until every end is up.
    await until(() => t2.nodes().length === 2 && t1.nodes().length === 2 && srv.nodes().length === 2, 'the mesh of three');
    expect(calls).toBeGreaterThanOrEqual(3); // startNode, the registration, and a handshake at least
    expect(t2.roleOf(t1.name)).toBe('guest');
    expect(t1.roleOf(t2.name)).toBe('viewer');
    expect(srv.roleOf(t2.name)).toBe('viewer');
    expect(relay!.names().map((e) => [e.name, e.role]).sort()).toEqual([
      ['srv@erlmesh', undefined],
      ['tab-1@erlmesh', 'guest'],
      ['tab-2@erlmesh', 'viewer'],
    ]);
  });

  it("two tabs of the demo's kind meeting (ticket holders, each granting the other's role everything) log nothing at warning level", async () => {
    await start();
    const caps = { demo: { rpc: '*', spawn: '*', shipFunctions: true, global: true, pg: true, send: '*', link: true, exit: true } };
    const logs: LogEntry[] = [];
    const logger = (e: LogEntry) => logs.push(e);
    const srv = await node('demo', { cookie: COOKIE }, { capabilities: caps, logger });
    const t1 = await node('tab-1', { ticket: guest({ role: 'demo' }) }, { capabilities: caps, logger });
    const t2 = await node('tab-2', { ticket: guest({ role: 'demo' }) }, { capabilities: caps, logger });
    await until(() => [srv, t1, t2].every((n) => n.nodes().length === 2), 'the mesh of three');
    // Each global exchange after a nodeup (what a leader/untrusted notice travels with) is over.
    for (const n of [srv, t1, t2]) expect(await n.global.sync()).toBe('ok');
    expect(await t1.rpc.call(t2.name, 'erlang', 'node', [])).toBe(t2.name);
    expect(logs.filter((e) => e.level !== 'info')).toEqual([]);
  });

  describe('refusals: the code at the node, refused + close code on the socket, a relay log line', () => {
    const cases = [
      { what: 'forged (another cookie)', ticket: () => guest({ cookie: 'other-cookie' }), name: 'tab-x', code: 'ticket_forged' },
      { what: 'expired', ticket: () => guest({ now: Date.now() - 2 * HOUR, ttlMs: HOUR }), name: 'tab-x', code: 'ticket_expired' },
      { what: 'outside its prefix', ticket: () => guest(), name: 'mallory', code: 'name_not_allowed' },
    ] as const;
    for (const k of cases) {
      it(`${k.what} → ${k.code}`, async () => {
        await start();
        const e = await node(k.name, { ticket: k.ticket() }).catch((x: unknown) => x);
        expect(e).toMatchObject({ code: k.code });
        const line = lines.find((l) => l.event === 'refused' && l.code === k.code);
        expect(line?.name).toBe(`${k.name}@erlmesh`);
        const raw = await rawRegister(relay!.url, `${k.name}@erlmesh`, k.ticket());
        expect(raw.refused).toMatchObject({ t: 'refused', code: k.code });
        expect(raw.code).toBe(CLOSE_CODES[k.code]);
        expect(relay!.names()).toEqual([]);
      });
    }

    it('a tampered key → ticket_forged; a malformed payload → ticket_malformed (4400)', async () => {
      await start();
      const t = guest();
      const forged = await rawRegister(relay!.url, 'tab-y@erlmesh', t, 'f'.repeat(64));
      expect([forged.refused, forged.code]).toEqual([expect.objectContaining({ code: 'ticket_forged' }), 4401]);
      const ws = new WebSocket(relay!.url);
      const got: FromRelay[] = [];
      let code: number | undefined;
      ws.on('message', (d) => got.push(JSON.parse(String(d)) as FromRelay));
      ws.on('close', (c) => (code = c));
      await until(() => got.length > 0, 'challenge');
      ws.send(JSON.stringify({ t: 'register', v: RELAY_PROTOCOL_VERSION, name: 'tab-z@erlmesh', proof: 'x', hidden: false, ticket: 'not*base64url' }));
      await until(() => code !== undefined, 'close');
      expect(got.find((m) => m.t === 'refused')).toMatchObject({ code: 'ticket_malformed' });
      expect(code).toBe(CLOSE_CODES.ticket_malformed);
      expect(lines.some((l) => l.event === 'refused' && l.code === 'ticket_malformed' && l.name === 'tab-z@erlmesh')).toBe(true);
    });
  });
});
