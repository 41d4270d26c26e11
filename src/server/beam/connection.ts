/**
 * A connected Erlang distribution channel to one BEAM node: frames and ticks.
 *
 * After the handshake every packet has a 4-byte length. Length 0 is a tick. Every other
 * frame is 112 (pass-through: no atom cache, which erlmesh never offers) followed by the
 * control message and an optional message, each an external term with its own 131.
 * `onFrame` handlers get the bytes after the 112; `send(bytes)` puts the 112 in front.
 *
 * Ticks (net_ticktime T seconds): every T/4 seconds, a tick is sent when nothing was sent
 * since the last check, and the connection is dropped with `net_tick_timeout` after four
 * checks in a row that saw nothing arrive — Erlang's rule, so a frozen peer goes down after
 * between 3/4 T and T.
 *
 * Invariants: a connection closes once, with one reason, and its `onClose` handlers run
 * once (also when added after the close); frames that arrive before the first `onFrame`
 * handler is added wait for it; nothing is sent after the close.
 */
import type { Socket } from 'node:net';
import type { Clock, TimerHandle } from '../../core/base/clock.js';
import { ErlmeshError } from '../../core/base/errors.js';
import type { Handshaken } from './handshake.js';
import type { PacketSocket } from './packet-socket.js';

/** The pass-through tag that starts every non-tick frame. */
export const PASS_THROUGH = 112;

/** Four silent tick periods: the peer is not responding. */
const SILENT_TICKS = 4;

/**
 * Why a BEAM connection closed: `closed` by `close()` here, `connection_closed` by the peer
 * (or the network), `net_tick_timeout` when the peer fell silent, `replaced` by a newer
 * connection from the same node, `bad_frame` / `frame_too_large` for what the peer sent.
 */
export type BeamCloseReason = 'closed' | 'connection_closed' | 'net_tick_timeout' | 'replaced' | 'bad_frame' | 'frame_too_large';

export interface BeamConnectionOptions {
  /** net_ticktime in seconds (default 60, as Erlang's). */
  netTicktime?: number;
  /** The longest frame accepted (default 128 MiB). */
  maxFrameBytes?: number;
  clock: Clock;
}

export const DEFAULT_NET_TICKTIME = 60;
export const DEFAULT_MAX_FRAME_BYTES = 128 * 1024 * 1024;

const TICK = Buffer.alloc(4);

export class BeamConnection {
  /** The peer's full node name. */
  readonly peer: string;
  readonly peerFlags: bigint;
  readonly peerCreation: number;
  /** The flags in force: ours and the peer's. */
  readonly flags: bigint;
  /** This side's node name. */
  readonly localName: string;
  private readonly socket: Socket;
  private readonly clock: Clock;
  private readonly tickMs: number;
  private frameHandlers: ((bytes: Uint8Array) => void)[] = [];
  private early: Uint8Array[] = [];
  private closeHandlers: ((reason: BeamCloseReason) => void)[] = [];
  private reason: BeamCloseReason | undefined;
  private timer: TimerHandle | undefined;
  private wrote = false;
  private lastReceived: number;
  private silent = 0;

  constructor(localName: string, hs: Handshaken, packets: PacketSocket, opts: BeamConnectionOptions) {
    this.localName = localName;
    this.peer = hs.peer;
    this.peerFlags = hs.peerFlags;
    this.peerCreation = hs.peerCreation;
    this.flags = hs.flags;
    this.socket = packets.socket;
    this.clock = opts.clock;
    const ticktime = opts.netTicktime ?? DEFAULT_NET_TICKTIME;
    if (!(ticktime > 0)) throw new ErlmeshError('badarg', `netTicktime must be a positive number of seconds, not ${ticktime}`);
    this.tickMs = (ticktime * 1000) / SILENT_TICKS;
    this.lastReceived = packets.received;
    this.socket.on('close', () => this.finish('connection_closed'));
    packets.startFrames(
      {
        frame: (payload) => this.receive(payload),
        tick: () => {},
        tooLarge: () => this.finish('frame_too_large'),
      },
      opts.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
    );
    this.checkTicks(packets);
  }

  /** True until the connection closes. */
  get isOpen(): boolean {
    return this.reason === undefined;
  }

  /** Why it closed, once it has. */
  get closeReason(): BeamCloseReason | undefined {
    return this.reason;
  }

  /** Sends one frame: 112, then `bytes` (the control message and the message, as terms). */
  send(bytes: Uint8Array): void {
    if (this.reason !== undefined) throw new ErlmeshError('closed', `the connection to ${this.peer} is closed (${this.reason})`);
    const head = Buffer.alloc(5);
    head.writeUInt32BE(bytes.length + 1, 0);
    head[4] = PASS_THROUGH;
    this.socket.write(Buffer.concat([head, bytes]));
    this.wrote = true;
  }

  /** Calls `handler` with the bytes after the 112 of every frame the peer sends. */
  onFrame(handler: (bytes: Uint8Array) => void): void {
    this.frameHandlers.push(handler);
    const early = this.early;
    this.early = [];
    for (const f of early) handler(f);
  }

  /** Calls `handler` once, with the reason, when the connection closes. */
  onClose(handler: (reason: BeamCloseReason) => void): void {
    if (this.reason !== undefined) {
      const reason = this.reason;
      queueMicrotask(() => handler(reason));
    } else {
      this.closeHandlers.push(handler);
    }
  }

  /** Bytes received and sent on its socket, as Node counts them (for the observer). */
  get bytes(): { bytesIn: number; bytesOut: number } {
    return { bytesIn: this.socket.bytesRead, bytesOut: this.socket.bytesWritten };
  }

  /** Closes the connection (reason `closed`, or the one given). */
  close(reason: BeamCloseReason = 'closed'): void {
    this.finish(reason);
  }

  private receive(payload: Uint8Array): void {
    if (payload[0] !== PASS_THROUGH) {
      this.finish('bad_frame');
      return;
    }
    const bytes = payload.subarray(1);
    if (this.frameHandlers.length === 0) this.early.push(bytes);
    else for (const h of this.frameHandlers) h(bytes);
  }

  private checkTicks(packets: PacketSocket): void {
    this.timer = this.clock.setTimeout(() => {
      if (this.reason !== undefined) return;
      if (packets.received === this.lastReceived) this.silent++;
      else this.silent = 0;
      this.lastReceived = packets.received;
      if (this.silent >= SILENT_TICKS) {
        this.finish('net_tick_timeout');
        return;
      }
      if (!this.wrote) this.socket.write(TICK);
      this.wrote = false;
      this.checkTicks(packets);
    }, this.tickMs);
  }

  private finish(reason: BeamCloseReason): void {
    if (this.reason !== undefined) return;
    this.reason = reason;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.socket.destroy();
    const handlers = this.closeHandlers;
    this.closeHandlers = [];
    for (const h of handlers) h(reason);
  }
}
