/**
 * The two framings of an Erlang distribution TCP connection, over one socket.
 *
 * - During the handshake every message has a 2-byte big-endian length prefix; `read()` gives
 *   the next one, `write()` sends one.
 * - Once connected (`startFrames`), every packet has a 4-byte length prefix; a packet of
 *   length 0 is a tick. Bytes that arrived together with the last handshake message are
 *   kept and read as frames, so nothing sent right after the handshake is lost.
 *
 * Invariants: a frame longer than `maxFrameBytes` ends the connection (`frame_too_large`)
 * without buffering it; each frame is copied out of the socket's chunks at most once.
 */
import type { Socket } from 'node:net';
import { ErlmeshError } from '../../core/base/errors.js';

export interface FrameSink {
  frame(payload: Uint8Array): void;
  tick(): void;
  /** The peer announced a frame longer than allowed; the socket is already destroyed. */
  tooLarge(length: number): void;
}

export class PacketSocket {
  private chunks: Buffer[] = [];
  private size = 0;
  private waiting: { resolve: (p: Uint8Array) => void; reject: (e: unknown) => void } | undefined;
  private ended: ErlmeshError | undefined;
  private sink: FrameSink | undefined;
  private maxFrameBytes = Infinity;
  /** Bumped on every byte received: the tick timer compares it. */
  received = 0;

  constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.received++;
      this.chunks.push(d);
      this.size += d.length;
      this.drain();
    });
    socket.on('error', (e: NodeJS.ErrnoException) => this.end(new ErlmeshError('closed', `connection error: ${e.code ?? e.message}`)));
    socket.on('close', () => this.end(new ErlmeshError('closed', 'the peer closed the connection')));
  }

  /** The next handshake message (without its 2-byte length). */
  read(): Promise<Uint8Array> {
    if (this.waiting) throw new Error('PacketSocket: one read at a time');
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.drain();
    });
  }

  /** Sends one handshake message with its 2-byte length. */
  write(message: Uint8Array): void {
    const head = Buffer.alloc(2);
    head.writeUInt16BE(message.length);
    this.socket.write(Buffer.concat([head, message]));
  }

  /** Switches to 4-byte frames; frames already buffered are delivered at once. */
  startFrames(sink: FrameSink, maxFrameBytes: number): void {
    this.sink = sink;
    this.maxFrameBytes = maxFrameBytes;
    this.drain();
  }

  private end(e: ErlmeshError): void {
    this.ended ??= e;
    const w = this.waiting;
    this.waiting = undefined;
    w?.reject(this.ended);
  }

  /** The first `n` bytes, gathered into one chunk (copies only when they span chunks). */
  private head(n: number): Buffer {
    if (this.chunks[0]!.length < n) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0]!;
  }

  private take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    const first = this.head(n);
    const out = first.subarray(0, n);
    if (first.length === n) this.chunks.shift();
    else this.chunks[0] = first.subarray(n);
    this.size -= n;
    return out;
  }

  private drain(): void {
    if (this.sink) return this.drainFrames(this.sink);
    const w = this.waiting;
    if (!w) return;
    if (this.size >= 2) {
      const len = this.head(2).readUInt16BE(0);
      if (this.size >= 2 + len) {
        this.take(2);
        const msg = this.take(len);
        this.waiting = undefined;
        w.resolve(msg);
        return;
      }
    }
    if (this.ended) this.end(this.ended);
  }

  private drainFrames(sink: FrameSink): void {
    while (this.size >= 4 && !this.socket.destroyed) {
      const len = this.head(4).readUInt32BE(0);
      if (len > this.maxFrameBytes) {
        this.socket.destroy();
        sink.tooLarge(len);
        return;
      }
      if (this.size < 4 + len) return;
      this.take(4);
      if (len === 0) sink.tick();
      else sink.frame(this.take(len));
    }
  }
}
