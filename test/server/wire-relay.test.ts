/**
 * The binary path end to end through a real relay on 127.0.0.1: nodes negotiate fast-1 and
 * their batches travel as binary WebSocket messages (no base64 inside JSON); a superjson-only
 * node still talks to a fast one (text frames); and a node on a relay that does not offer
 * `bin` falls back to `b` messages. The WebSocket under each node's RelayTransport is wrapped
 * to record what the node sends.
 */
import WebSocket from 'isomorphic-ws';
import { afterEach, describe, expect, it } from 'vitest';
import { type Node, type NodeOptions, Pid, Ref, startNode } from '../../src/core/index.js';
import { RelayTransport } from '../../src/core/relay-client/relay-transport.js';
import type { WebSocketCtor, WebSocketLike } from '../../src/core/relay-client/websocket-like.js';
import { startRelay, type Relay } from '../../src/server/relay/index.js';
import { eventually } from '../support/cluster.js';
import { recorder } from '../support/in-process.js';
import { termEquals } from '../support/terms.js';

const COOKIE = 'wire-relay-cookie';

/** What a node sent on its relay socket, by kind. */
interface Sent {
  binary: Uint8Array[];
  json: Array<Record<string, unknown>>;
  /** Hand a message to the node as if the relay had sent it. */
  inject?: (data: unknown) => void;
}

/** A WebSocket constructor recording sends; `legacyRelay` hides the relay's `bin` offer. */
function spying(sent: Sent, legacyRelay = false): WebSocketCtor {
  return class implements WebSocketLike {
    private readonly inner: WebSocket;
    constructor(url: string) {
      this.inner = new WebSocket(url);
    }
    get readyState() {
      return this.inner.readyState;
    }
    get bufferedAmount() {
      return this.inner.bufferedAmount;
    }
    get binaryType() {
      return this.inner.binaryType;
    }
    set binaryType(t: string) {
      this.inner.binaryType = t as 'arraybuffer';
    }
    send(data: string | Uint8Array) {
      if (typeof data === 'string') sent.json.push(JSON.parse(data) as Record<string, unknown>);
      else sent.binary.push(data);
      this.inner.send(data);
    }
    close(code?: number, reason?: string) {
      this.inner.close(code, reason);
    }
    set onopen(h: ((ev: unknown) => void) | null) {
      this.inner.onopen = h;
    }
    get onopen() {
      return this.inner.onopen as ((ev: unknown) => void) | null;
    }
    set onclose(h: ((ev: { code: number; reason: string }) => void) | null) {
      this.inner.onclose = h;
    }
    get onclose() {
      return this.inner.onclose as ((ev: { code: number; reason: string }) => void) | null;
    }
    set onerror(h: ((ev: unknown) => void) | null) {
      this.inner.onerror = h;
    }
    get onerror() {
      return this.inner.onerror as ((ev: unknown) => void) | null;
    }
    set onmessage(h: ((ev: { data: unknown }) => void) | null) {
      sent.inject = (data) => h?.({ data });
      this.inner.onmessage = !h
        ? null
        : (ev: { data: unknown }) => {
            if (legacyRelay && typeof ev.data === 'string' && ev.data.includes('"challenge"')) {
              const m = JSON.parse(ev.data) as Record<string, unknown>;
              delete m.bin;
              h({ data: JSON.stringify(m) });
            } else h({ data: ev.data });
          };
    }
    get onmessage() {
      return null;
    }
  };
}

const relays: Relay[] = [];
const nodes: Node[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
  await Promise.all(relays.splice(0).map((r) => r.close()));
});

async function relay(): Promise<Relay> {
  const r = await startRelay({ port: 0, host: '127.0.0.1', cookie: COOKIE, logger: false });
  relays.push(r);
  return r;
}

async function node(r: Relay, name: string, extra: Partial<NodeOptions> = {}, legacyRelay = false): Promise<{ n: Node; sent: Sent }> {
  const sent: Sent = { binary: [], json: [] };
  const n = await startNode({
    name: `${name}@127.0.0.1`,
    cookie: COOKIE,
    transport: new RelayTransport({ url: r.url, cookie: COOKIE, WebSocket: spying(sent, legacyRelay) }),
    output: false,
    logger: false,
    ...extra,
  });
  nodes.push(n);
  return { n, sent };
}

function everyKind(pid: Pid): unknown[] {
  const e = Object.assign(new TypeError('outer', { cause: new RangeError('inner') }), { code: 'enoent' });
  return [
    null, undefined, -0, NaN, -Infinity, 2 ** 40, -(2n ** 70n), 'héllo \ud800 𝄞', [1, [undefined]],
    JSON.parse('{"__proto__": 1}'), new Map<unknown, unknown>([[pid, new Set([1])]]), new Date(0), new Date(NaN),
    /a+b/gi, new Uint8Array(300).fill(7), e, pid, new Ref('x@h', 1, 2),
  ];
}

/** Send every kind of term both ways between a and b and check they arrive equal, in order. */
async function crossEveryKind(a: Node, b: Node): Promise<void> {
  const atA = recorder(a);
  const atB = recorder(b);
  const terms = everyKind(atA.pid);
  for (const t of terms) a.send(atB.pid, t);
  for (const t of terms) b.send(atA.pid, t);
  await eventually(() => atA.got.length === terms.length && atB.got.length === terms.length, 5000);
  expect(atB.got.every((t, i) => termEquals(terms[i], t))).toBe(true);
  expect(atA.got.every((t, i) => termEquals(terms[i], t))).toBe(true);
}

describe('the relayed binary path', () => {
  it('fast ⇄ fast: batches go as binary data messages, never base64 in JSON', async () => {
    const r = await relay();
    const { n: a, sent: sa } = await node(r, 'a');
    const { n: b, sent: sb } = await node(r, 'b');
    expect(await a.ping(b.name)).toBe('pong');
    await crossEveryKind(a, b);
    for (const sent of [sa, sb]) {
      expect(sent.json.some((m) => m.t === 'register' && m.bin === true)).toBe(true);
      expect(sent.json.filter((m) => m.t === 'b')).toEqual([]);
      expect(sent.binary.length).toBeGreaterThan(0);
      for (const m of sent.binary) {
        expect(m[0]).toBe(0x01); // BIN_DATA
        expect(m[5]).toBe(0xe1); // a fast-1 batch inside
      }
      // the handshake itself: superjson-1 text in `d` messages (at least the hello one way)
      expect(sent.json.filter((m) => m.t === 'd').length).toBeGreaterThanOrEqual(1);
    }
    // The relay-vouched hello (net/handshake.ts): hello from the dialer, status and challenge
    // back, all three as text.
    expect([...sa.json, ...sb.json].filter((m) => m.t === 'd').length).toBeGreaterThanOrEqual(3);
  });

  it('a superjson-only node and a fast node talk superjson-1: text frames only', async () => {
    const r = await relay();
    const { n: a, sent: sa } = await node(r, 'a', { encodings: ['superjson-1'] });
    const { n: b, sent: sb } = await node(r, 'b');
    expect(await b.ping(a.name)).toBe('pong');
    await crossEveryKind(a, b);
    for (const sent of [sa, sb]) {
      expect(sent.binary).toEqual([]);
      expect(sent.json.filter((m) => m.t === 'b')).toEqual([]);
    }
  });

  it("a node on a relay that does not offer bin sends its batches as 'b'; peers on bin still get them", async () => {
    const r = await relay();
    const { n: a, sent: sa } = await node(r, 'a', {}, true);
    const { n: b, sent: sb } = await node(r, 'b');
    expect(await a.ping(b.name)).toBe('pong');
    await crossEveryKind(a, b);
    expect(sa.binary).toEqual([]);
    expect(sa.json.filter((m) => m.t === 'b').length).toBeGreaterThan(0);
    expect(sb.binary.length).toBeGreaterThan(0);
  });

  it('a node drops a relay socket that sends a malformed binary message, then registers again', async () => {
    const r = await relay();
    const { n: a, sent } = await node(r, 'a');
    const { n: b } = await node(r, 'b');
    expect(await a.ping(b.name)).toBe('pong');
    const events: unknown[] = [];
    b.monitorNodes((ev) => events.push(ev));
    sent.inject!(new Uint8Array([0x02, 0, 0, 0, 1, 1]).buffer); // an unknown message type
    await eventually(() => events.length >= 1, 5000); // the relayed channel went with the socket
    expect(events[0]).toEqual(['nodedown', a.name]);
    await eventually(async () => (await b.ping(a.name)) === 'pong', 8000);
  });
});
