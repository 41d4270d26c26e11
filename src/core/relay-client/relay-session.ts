/**
 * One socket to the relay (see protocol.ts) and the channel table on it: the channels relayed
 * over it, the `open` and `lookup` requests waiting for the relay's answer, and the relay's
 * word on each channel's other end. RelayTransport (relay-transport.ts) makes one per
 * registration; when the socket drops, `lost()` ends all of it.
 */
import type { Clock, TimerHandle } from '../base/clock.js';
import type { Frame } from '../net/transport.js';
import { ErlmeshError } from '../base/errors.js';
import type { ChannelAttestation } from '../net/attestation.js';
import { base64ToBytes, bytesToBase64 } from '../base/base64.js';
import { BaseChannel } from './base-channel.js';
import { BIN_HEADER_BYTES, binDataChannel, encodeBinData, type FromRelay, type PeerEntry, type ToRelay } from './protocol.js';
import { WS_OPEN, type WebSocketLike } from './websocket-like.js';

/** A relayed channel this node opened, with its id (the same at both ends). */
export type RelayedChannel = BaseChannel & { readonly relayId: number };

interface PendingOpen {
  readonly peer: string;
  resolve(ch: RelayedChannel): void;
  reject(e: unknown): void;
  readonly timer: TimerHandle;
}

export class RelaySession {
  /** The relay takes binary data messages (it said `bin` in its challenge). */
  bin = false;
  /** Both sides said `members` (protocol.ts "Membership"): the relay reports membership and vouches. */
  members = false;
  /** The transport has handled the end of this session. */
  ended = false;
  readonly channels = new Map<number, BaseChannel>();
  private readonly opens = new Map<number, PendingOpen>();
  private readonly lookups = new Map<number, (peer: PeerEntry | undefined) => void>();

  constructor(
    readonly ws: WebSocketLike,
    /** The relay this socket goes to. */
    readonly url: string,
    private readonly clock: Clock,
    private readonly timeoutMs: number,
  ) {}

  /**
   * One message from the relay: channel data is delivered here (undefined); a control message
   * comes back parsed; 'bad' when it is malformed (the caller closes the socket).
   */
  receive(data: unknown, admitted: boolean): FromRelay | undefined | 'bad' {
    try {
      if (typeof data === 'string') return JSON.parse(data) as FromRelay;
      const bytes = data instanceof Uint8Array ? data : new Uint8Array(data as ArrayBuffer);
      // A binary message starting with '{' is JSON (as relays before `bin` allowed).
      if (bytes[0] === 0x7b) return JSON.parse(new TextDecoder().decode(bytes as Uint8Array<ArrayBuffer>)) as FromRelay;
      const ch = admitted ? binDataChannel(bytes) : undefined;
      if (ch === undefined) return 'bad';
      this.channels.get(ch)?.deliver(bytes.subarray(BIN_HEADER_BYTES));
      return undefined;
    } catch {
      return 'bad';
    }
  }

  send(msg: ToRelay): void {
    if (this.ws.readyState === WS_OPEN) this.ws.send(JSON.stringify(msg));
  }

  /** A relayed channel `id` (inbound or just opened), entered in the table. */
  channel(id: number, attestation: ChannelAttestation | undefined): BaseChannel {
    const ch = new BaseChannel(
      (f: Frame) => {
        if (typeof f === 'string') this.send({ t: 'd', ch: id, d: f });
        else if (!this.bin) this.send({ t: 'b', ch: id, d: bytesToBase64(f) });
        else if (this.ws.readyState === WS_OPEN) this.ws.send(encodeBinData(id, f));
      },
      (reason) => {
        this.channels.delete(id);
        this.send({ t: 'close', ch: id, reason });
      },
      attestation,
      'relay',
    );
    this.channels.set(id, ch);
    return ch;
  }

  /** Ask the relay for a channel to `peer` (request number `req`); `relayId` is its id, the same at both ends. */
  open(peer: string, req: number): Promise<RelayedChannel> {
    return new Promise<RelayedChannel>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        this.opens.delete(req);
        reject(new ErlmeshError('nodedown', `the relay did not answer opening a channel to ${peer}`));
      }, this.timeoutMs);
      this.opens.set(req, { peer, resolve, reject, timer });
      this.send({ t: 'open', req, to: peer });
    });
  }

  /** Ask the relay for a peer's entry (request number `req`); undefined on timeout. */
  lookup(peer: string, req: number): Promise<PeerEntry | undefined> {
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => {
        this.lookups.delete(req);
        resolve(undefined);
      }, this.timeoutMs);
      this.lookups.set(req, (p) => {
        this.clock.clearTimeout(timer);
        resolve(p);
      });
      this.send({ t: 'lookup', req, name: peer });
    });
  }

  /** The relay's messages about channels and requests (`b`, `opened`, `open_failed`, `closed`, `lookup_reply`). */
  onChannelMessage(msg: FromRelay): void {
    switch (msg.t) {
      case 'b': {
        const ch = this.channels.get(msg.ch);
        if (!ch) return;
        let bytes: Uint8Array;
        try {
          bytes = base64ToBytes(msg.d);
        } catch {
          // The relay forwards `b` as sent: a peer's bad base64 ends that channel, not this node.
          ch.close('bad_frame');
          return;
        }
        ch.deliver(bytes);
        return;
      }
      case 'opened': {
        const o = this.opens.get(msg.req);
        if (!o) {
          this.send({ t: 'close', ch: msg.ch, reason: 'abandoned' });
          return;
        }
        this.opens.delete(msg.req);
        this.clock.clearTimeout(o.timer);
        o.resolve(Object.assign(this.channel(msg.ch, attest(o.peer, msg.role, this.members && msg.vouched === true)), { relayId: msg.ch }));
        return;
      }
      case 'open_failed': {
        const o = this.opens.get(msg.req);
        if (!o) return;
        this.opens.delete(msg.req);
        this.clock.clearTimeout(o.timer);
        o.reject(new ErlmeshError('nodedown', 'no such node at the relay'));
        return;
      }
      case 'closed': {
        const ch = this.channels.get(msg.ch);
        this.channels.delete(msg.ch);
        ch?.ended(msg.reason === 'connection_closed' ? 'connection_closed' : String(msg.reason));
        return;
      }
      case 'lookup_reply': {
        const l = this.lookups.get(msg.req);
        this.lookups.delete(msg.req);
        l?.(msg.peer);
        return;
      }
      default:
        return;
    }
  }

  /** The socket is gone: its channels end with `connection_closed`, its requests fail. */
  lost(): void {
    for (const ch of this.channels.values()) ch.ended('connection_closed');
    this.channels.clear();
    for (const o of this.opens.values()) {
      this.clock.clearTimeout(o.timer);
      o.reject(new ErlmeshError('nodedown', 'relay connection lost'));
    }
    this.opens.clear();
    for (const l of this.lookups.values()) l(undefined);
    this.lookups.clear();
  }
}

/** The relay's word on the other end of a channel (nothing when the relay named no one). */
export function attest(name: unknown, role: unknown, vouched = false): ChannelAttestation | undefined {
  if (typeof name !== 'string') return undefined;
  if (typeof role === 'string') return { by: 'relay', name, role };
  return vouched ? { by: 'relay', name, vouched: true } : { by: 'relay', name };
}
