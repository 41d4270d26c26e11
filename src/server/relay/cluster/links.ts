/**
 * Direct links between the relays of a cluster (issue 13): the relay-to-relay messages of
 * wire.ts over one WebSocket per ordered pair of relays instead of Redis pub/sub, which costs
 * two Redis hops each way (a pub/sub echo alone is ~4× a TCP echo). Redis keeps the names,
 * the leases and who is in the cluster; the links only carry messages, and Redis pub/sub
 * still carries them whenever a link is not open. A link is an optimisation: a relay that
 * cannot be dialled (an address not reachable from here, TLS it does not trust) is talked to
 * through Redis as before.
 *
 * Exchange, on the relay's own port, path CLUSTER_LINK_PATH:
 *   dialler → relay   text  {"t":"link","from":<id>,"to":<id>,"token":<the relay's secret>}
 *   relay → dialler   text  "ok"   (or close 4401 bad_token / 4400 protocol_error)
 *   dialler → relay   binary wire messages (wire.ts), the same bytes as on Redis, and only
 *                     in that direction: each relay dials its own link to each other relay.
 * Where to dial and the secret are in the relay's Redis key (`LinkInfo`, renewal.ts): whoever
 * reads that key could publish into the relay's channel anyway.
 *
 * Invariants:
 * - a message goes by one path only (the link while it is open, else Redis) and carries its
 *   seq; the receiver restores the order across the two paths and treats what never comes as
 *   a gap (in-order.ts), so switching path never reorders or duplicates;
 * - the dialler sends on a link only after its "ok", and only once Redis has taken every message
 *   it published to that relay (so that the link rarely overtakes them), and messages up to the
 *   bound the relay advertises; it stops at the first sign of trouble
 *   (close, error, no pong within a heartbeat): what was written to a link that broke is lost
 *   or arrives, never both;
 * - a link that failed is dialled again after a back-off (heartbeat, doubling to 30 s).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import WebSocket from 'ws';
import type { RelayLogLine } from '../options.js';
import { toBuffer } from '../sockets.js';
import { busyWaitKick } from '../../busy-wait.js';
import { RELAY_ID_CHARS } from './wire.js';

/** The path of relay-to-relay links on a relay's port. */
export const CLUSTER_LINK_PATH = '/erlmesh-cluster';

/** Where a relay takes links, as its Redis key says. */
export interface LinkInfo {
  link: string;
  token: string;
  /** The largest message it reads on a link (bytes); a larger one goes through Redis. */
  max: number;
}

/** What the links need of the cluster. */
export interface LinksHost {
  readonly id: string;
  /** The link address and secret another relay advertises; undefined when it advertises none. */
  lookup(id: string): Promise<LinkInfo | undefined>;
  /** A wire message read from `from`'s link. */
  receive(buf: Buffer, from: string): void;
  log(line: Omit<RelayLogLine, 'ts'>): void;
}

interface Outbound {
  ws: WebSocket | undefined;
  open: boolean;
  alive: boolean;
  max: number;
}

const MAX_BACKOFF_MS = 30_000;
const ID = new RegExp(`^[0-9a-f]{${RELAY_ID_CHARS}}$`);

export class RelayLinks {
  /** The secret a dialler must present (advertised in this relay's Redis key). */
  readonly token = randomBytes(16).toString('hex');
  private readonly out = new Map<string, Outbound>();
  private readonly retry = new Map<string, { at: number; ms: number }>();
  private readonly inbound = new Map<string, Set<WebSocket>>();
  private closed = false;

  constructor(
    private readonly host: LinksHost,
    private readonly heartbeatMs: number,
  ) {}

  /** Open outbound links now (stats). */
  get open(): number {
    let n = 0;
    for (const o of this.out.values()) if (o.open) n++;
    return n;
  }

  /** Send `buf` to relay `id` over its link; false when no link is open or `buf` is over its bound (the caller publishes). */
  send(id: string, buf: Buffer): boolean {
    const o = this.out.get(id);
    if (!o?.open || o.ws?.readyState !== WebSocket.OPEN || buf.length > o.max) return false;
    o.ws.send(buf, { binary: true });
    busyWaitKick();
    return true;
  }

  /** Whether a link from `id` to this relay is open (a message missing on Redis may still come by it). */
  hasInbound(id: string): boolean {
    return (this.inbound.get(id)?.size ?? 0) > 0;
  }

  /** Every heartbeat, for each relay known: dial it unless linked, dialling or backing off; check the open links. */
  tick(ids: Iterable<string>, now: number): void {
    if (this.closed) return;
    for (const id of ids) {
      const o = this.out.get(id);
      if (o) {
        if (!o.open || !o.ws) continue;
        if (!o.alive) {
          this.lost(id, o, `no pong within ${this.heartbeatMs} ms`);
          continue;
        }
        o.alive = false;
        o.ws.ping();
      } else if ((this.retry.get(id)?.at ?? 0) <= now) {
        void this.dial(id);
      }
    }
  }

  /** Relay `id` left the cluster: close the link to it. */
  drop(id: string): void {
    const o = this.out.get(id);
    this.out.delete(id);
    this.retry.delete(id);
    o?.ws?.terminate();
  }

  /**
   * A WebSocket upgraded on CLUSTER_LINK_PATH, holding a `slot` of the relay's admission gate
   * (gate.ts): admitted on a valid first message before the slot's deadline, then read.
   */
  accept(ws: WebSocket, slot: { onDeadline: () => void; release(): void }): void {
    let from: string | undefined;
    slot.onDeadline = () => ws.terminate();
    ws.on('error', () => {}); // close follows
    ws.on('message', (data, isBinary) => {
      if (from !== undefined) {
        busyWaitKick();
        if (isBinary) return this.host.receive(toBuffer(data), from);
        return ws.close(4400, 'protocol_error');
      }
      const hello = !isBinary ? parseHello(toBuffer(data).toString('utf8')) : undefined;
      if (!hello || hello.to !== this.host.id || !sameSecret(hello.token, this.token)) {
        this.host.log({ level: 'warn', event: 'cluster_link_refused', detail: hello ? `from relay ${hello.from}: bad token` : 'a bad first message' });
        return ws.close(4401, 'bad_token');
      }
      from = hello.from;
      slot.release();
      let set = this.inbound.get(from);
      if (!set) this.inbound.set(from, (set = new Set()));
      set.add(ws);
      ws.send('ok');
    });
    ws.on('close', () => {
      slot.release();
      if (from === undefined) return;
      const set = this.inbound.get(from);
      set?.delete(ws);
      if (set?.size === 0) this.inbound.delete(from);
    });
  }

  /** Close every link (relay shutdown): what was sent on them goes out first. */
  close(): void {
    this.closed = true;
    for (const o of this.out.values()) o.ws?.close(1001, 'relay_shutdown');
    this.out.clear();
    for (const set of this.inbound.values()) for (const ws of set) ws.close(1001, 'relay_shutdown');
    this.inbound.clear();
  }

  private async dial(id: string): Promise<void> {
    const o: Outbound = { ws: undefined, open: false, alive: true, max: 0 };
    this.out.set(id, o);
    let info: LinkInfo | undefined;
    try {
      info = await this.host.lookup(id);
    } catch {
      info = undefined;
    }
    if (this.out.get(id) !== o) return;
    if (!info) return this.failed(id, o, undefined); // it takes no links (yet): Redis only
    o.max = info.max;
    const ws = new WebSocket(info.link, { perMessageDeflate: false, maxPayload: 64 * 1024 });
    o.ws = ws;
    // One deadline for the connection, the upgrade and the "ok".
    const deadline = setTimeout(() => ws.terminate(), 2 * this.heartbeatMs);
    deadline.unref();
    ws.on('error', () => {}); // close follows
    ws.on('open', () => {
      (ws as unknown as { _socket?: { setNoDelay?(v: boolean): void } })._socket?.setNoDelay?.(true);
      ws.send(JSON.stringify({ t: 'link', from: this.host.id, to: id, token: info.token }));
    });
    ws.once('message', (data, isBinary) => {
      clearTimeout(deadline);
      if (isBinary || toBuffer(data).toString('utf8') !== 'ok') return void ws.close(4400, 'protocol_error');
      o.open = true;
      this.retry.delete(id);
      this.host.log({ level: 'info', event: 'cluster_link_up', detail: `to relay ${id} at ${info.link}` });
    });
    ws.on('pong', () => (o.alive = true));
    ws.on('close', (code, reason) => {
      clearTimeout(deadline);
      if (this.out.get(id) !== o) return;
      if (o.open) this.lost(id, o, `closed ${code} ${reason.toString()}`.trim());
      else this.failed(id, o, `${info.link}: ${code === 1006 ? 'no connection' : `closed ${code} ${reason.toString()}`.trim()}`);
    });
  }

  /** An open link broke: back to Redis, dial again after the first back-off. */
  private lost(id: string, o: Outbound, why: string): void {
    this.out.delete(id);
    o.ws?.terminate();
    this.retry.set(id, { at: Date.now() + this.heartbeatMs, ms: this.heartbeatMs });
    if (!this.closed) this.host.log({ level: 'warn', event: 'cluster_link_down', detail: `to relay ${id}: ${why}` });
  }

  /** A dial failed (or the relay takes no links): try again after a growing back-off. */
  private failed(id: string, o: Outbound, why: string | undefined): void {
    this.out.delete(id);
    o.ws?.terminate();
    const ms = Math.min(2 * (this.retry.get(id)?.ms ?? this.heartbeatMs / 2), MAX_BACKOFF_MS);
    this.retry.set(id, { at: Date.now() + ms, ms });
    if (why !== undefined && !this.closed) this.host.log({ level: 'warn', event: 'cluster_link_failed', detail: `to relay ${id}: ${why} (Redis carries its messages; next try in ${ms} ms)` });
  }
}

function parseHello(text: string): { from: string; to: string; token: string } | undefined {
  try {
    const h = JSON.parse(text) as Record<string, unknown>;
    if (h?.t !== 'link' || typeof h.from !== 'string' || !ID.test(h.from) || typeof h.to !== 'string' || typeof h.token !== 'string') return undefined;
    return { from: h.from, to: h.to, token: h.token };
  } catch {
    return undefined;
  }
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Parse a relay key's value: a `LinkInfo`, or undefined (a relay that takes no links). */
export function parseLinkInfo(v: string | null): LinkInfo | undefined {
  if (!v) return undefined;
  try {
    const o = JSON.parse(v) as Partial<LinkInfo>;
    const ok = typeof o?.link === 'string' && typeof o.token === 'string' && Number.isSafeInteger(o.max) && o.max! > 0;
    return ok ? { link: o.link!, token: o.token!, max: o.max! } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Where other relays dial this relay's link: `advertise` (an origin, e.g. ws://10.0.0.5:4367),
 * else the origin of the relay's URL, with this machine's first non-loopback IPv4 in place of
 * the host when the relay listens on every interface (its URL then says loopback).
 *
 * @example
 * linkUrlOf('ws://127.0.0.1:4367/erlmesh', false, undefined); // 'ws://127.0.0.1:4367/erlmesh-cluster'
 */
export function linkUrlOf(relayUrl: string, wildcard: boolean, advertise: string | undefined): string {
  if (advertise !== undefined) return `${advertise}${CLUSTER_LINK_PATH}`;
  const u = new URL(relayUrl);
  if (wildcard) {
    const ip = Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal);
    if (ip) u.hostname = ip.address;
  }
  return `${u.protocol}//${u.host}${CLUSTER_LINK_PATH}`;
}
