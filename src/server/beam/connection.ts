/**
 * A connected Erlang distribution channel to one BEAM node: frames and ticks.
 *
 * After the handshake every packet has a 4-byte length. Length 0 is a tick. Every other
 * frame from the peer is pass-through (112, then the control message and an optional message,
 * each an external term with its own 131) or, as OTP sends when both ends offer
 * DFLAG_DIST_HDR_ATOM_CACHE, a distribution header with atom cache references, possibly in
 * fragments (dist-header.ts): `onFrame` handlers get each whole frame as a `DistFrame`.
 * `send(control, message?)` writes the same way: with a header (no atom cache references, the
 * terms without their 131) when the peer expects one, else pass-through.
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
import { DistHeaderReader, PASS_THROUGH, type DistFrame } from './dist-header.js';
import { DFLAG } from './flags.js';
import type { Handshaken } from './handshake.js';
import type { PacketSocket } from './packet-socket.js';

export { PASS_THROUGH };

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
const PASS = Uint8Array.of(PASS_THROUGH);
/** A normal distribution header with no atom cache references. */
const HEADER = Uint8Array.of(131, 68, 0);

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
  private frameHandlers: ((frame: DistFrame) => void)[] = [];
  private early: DistFrame[] = [];
  private readonly header: DistHeaderReader;
  /** The peer expects our frames with a distribution header (both ends offered DIST_HDR_ATOM_CACHE). */
  private readonly withHeader: boolean;
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
    this.header = new DistHeaderReader(opts.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES);
    this.withHeader = (hs.flags & DFLAG.DIST_HDR_ATOM_CACHE) !== 0n;
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

  /**
   * Sends one frame of `terms` (the control message, then the message if any), each a whole
   * encoded term with its 131: pass-through (112, then the terms), or, when the connection has
   * DFLAG_DIST_HDR_ATOM_CACHE (which OTP then requires), a distribution header with no atom
   * cache references (131, 68, 0) and the terms without their 131.
   */
  send(...terms: Uint8Array[]): void {
    if (this.reason !== undefined) throw new ErlmeshError('closed', `the connection to ${this.peer} is closed (${this.reason})`);
    const header = this.withHeader ? HEADER : PASS;
    const skip = this.withHeader ? 1 : 0;
    let length = header.length;
    for (const t of terms) length += t.length - skip;
    const out = Buffer.allocUnsafe(4 + length);
    out.writeUInt32BE(length, 0);
    out.set(header, 4);
    let at = 4 + header.length;
    for (const t of terms) {
      out.set(skip ? t.subarray(skip) : t, at);
      at += t.length - skip;
    }
    this.socket.write(out);
    this.wrote = true;
  }

  /** Calls `handler` with every whole frame the peer sends (fragments put together). */
  onFrame(handler: (frame: DistFrame) => void): void {
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

  /** Messages the peer sent in several fragments (DFLAG_FRAGMENTS), each counted once put together. */
  get fragmentedIn(): number {
    return this.header.fragmented;
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
    let frame: DistFrame | undefined;
    try {
      frame = this.header.read(payload);
    } catch (e) {
      this.finish(e instanceof ErlmeshError && e.code === 'frame_too_large' ? 'frame_too_large' : 'bad_frame');
      return;
    }
    if (frame === undefined) return;
    if (this.frameHandlers.length === 0) this.early.push(frame);
    else for (const h of this.frameHandlers) h(frame);
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
