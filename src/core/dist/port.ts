/**
 * A Port owns one Channel for the distribution layer: it encodes and decodes frames, buffers
 * decoded frames until a consumer is set (the handshake reads with `next()`, the connection
 * then takes over with `consume()`), and turns an undecodable frame into a closed channel with
 * reason `bad_frame` instead of an exception in transport code.
 */
import type { Clock } from '../clock.js';
import { AuthError } from '../errors.js';
import { decodeTerm, encodeTerm } from '../terms/codec.js';
import type { AnyFrame } from './protocol.js';
import type { Channel, Frame } from './transport.js';

export class Port {
  private buffer: AnyFrame[] = [];
  private consumer: ((f: AnyFrame) => void) | undefined;
  private waiter: { resolve(f: AnyFrame): void; reject(e: unknown): void } | undefined;
  private closeHandler: ((reason: string) => void) | undefined;
  private closedWith: string | undefined;
  /** Bytes (characters) received and sent, for stats. */
  framesIn = 0;
  /** True once this port closed its channel because a received frame could not be decoded. */
  badFrame = false;
  framesOut = 0;

  constructor(private readonly channel: Channel) {
    channel.attach({
      onFrame: (f) => this.onFrame(f),
      onClose: (r) => this.onClose(r),
    });
  }

  get isOpen(): boolean {
    return this.closedWith === undefined && this.channel.isOpen;
  }

  send(frame: AnyFrame): void {
    if (this.closedWith !== undefined) return;
    this.framesOut++;
    this.channel.send(encodeTerm(frame));
  }

  close(reason = 'closed'): void {
    this.channel.close(reason);
  }

  /** The next frame (handshake use), or a rejection on close or timeout. */
  next(clock: Clock, timeoutMs: number): Promise<AnyFrame> {
    const f = this.buffer.shift();
    if (f) return Promise.resolve(f);
    if (this.closedWith !== undefined) return Promise.reject(new AuthError('handshake_failed', `connection closed: ${this.closedWith}`));
    return new Promise((resolve, reject) => {
      const timer = clock.setTimeout(() => {
        this.waiter = undefined;
        reject(new AuthError('handshake_failed', 'handshake timed out'));
        this.close('handshake_timeout');
      }, timeoutMs);
      this.waiter = {
        resolve: (fr) => {
          clock.clearTimeout(timer);
          resolve(fr);
        },
        reject: (e) => {
          clock.clearTimeout(timer);
          reject(e);
        },
      };
    });
  }

  /** Hand every later frame (and those buffered) to `fn`, and closes to `onClose`. */
  consume(fn: (f: AnyFrame) => void, onClose: (reason: string) => void): void {
    this.consumer = fn;
    this.closeHandler = onClose;
    const pending = this.buffer;
    this.buffer = [];
    for (const f of pending) fn(f);
    if (this.closedWith !== undefined) onClose(this.closedWith);
  }

  private onFrame(raw: Frame): void {
    if (this.closedWith !== undefined) return;
    let frame: AnyFrame;
    try {
      if (typeof raw !== 'string') throw new Error('binary frames are not used by protocol 1');
      frame = decodeTerm(raw) as AnyFrame;
      if (!frame || typeof frame !== 'object' || typeof (frame as { t?: unknown }).t !== 'string') throw new Error('no tag');
    } catch {
      this.badFrame = true;
      this.close('bad_frame');
      return;
    }
    this.framesIn++;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w.resolve(frame);
    } else if (this.consumer) {
      this.consumer(frame);
    } else {
      this.buffer.push(frame);
    }
  }

  private onClose(reason: string): void {
    if (this.closedWith !== undefined) return;
    this.closedWith = reason;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w.reject(new AuthError('handshake_failed', `connection closed: ${reason}`));
    }
    this.closeHandler?.(reason);
  }
}
