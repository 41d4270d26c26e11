/**
 * A FramedChannel owns one Channel for the distribution layer: it encodes and decodes frames, buffers
 * decoded frames until a consumer is set (the handshake reads with `next()`, the connection
 * then takes over with `consume()`), and turns an undecodable frame into a closed channel with
 * reason `bad_frame` instead of an exception in transport code.
 *
 * Encodings (encodings.ts): a framed channel starts in superjson-1, one text frame per frame, which the
 * handshake always uses. The handshake then calls `acceptEncoding` as soon as it knows the
 * negotiated encoding (before the peer can send in it), and `useEncoding` once its own last
 * handshake frame is sent. In fast-1, `send` encodes the frame at once into the pending batch
 * (so a message that cannot be encoded still throws at the sender; a signal's exit reason is
 * repaired instead, see unencodable-frames.ts) and the batch goes out as one binary transport
 * frame at the end of the turn (`Channel.afterTurn`, else a microtask), or at once when it
 * reaches BATCH_FLUSH_BYTES or the turn's EARLY_FLUSH_FRAMES-th frame; `close` sends what is pending first. Received text frames are always superjson-1; binary frames are
 * fast-1 batches, and a bad_frame unless fast-1 was negotiated.
 *
 * Big frames (fragments.ts): in fast-1, a frame whose encoding is over FRAGMENT_BYTES goes in
 * fragments to a peer that takes them (`useEncoding`'s `sendLimit`), a bounded amount per turn,
 * while frames that may overtake it go on flowing; over the limit, `send` throws
 * `message_too_large` and the connection stays. Received fragments are put together (at most
 * `acceptEncoding`'s `recvLimit` bytes) and the frame delivered where its last fragment was.
 *
 * Holding (back-pressure, inbound-flow.ts): between `hold` and `release` the encoded output
 * stays here, in order, instead of going to the channel; `sendUrgent` frames (ticks, flow
 * and control frames) still go at once. Frames are still encoded by `send`, so a message that
 * cannot travel still throws at its sender, and what waits is its compact wire form. Held
 * output over HELD_BYTES_LIMIT closes the channel with `send_queue_full` (its node sees a
 * nodedown: loss only ever comes with one).
 */
import type { Clock } from '../base/clock.js';
import { AuthError } from '../base/errors.js';
import { MAX_SUPERJSON_DEPTH, decodeTerm, encodeTerm } from '../codec/superjson.js';
import { checkReason, repairFrame } from './unencodable-frames.js';
import type { AnyFrame, DistFrame } from './frames.js';
import type { Channel, Frame } from './transport.js';
import { BATCH_FLUSH_BYTES, BatchWriter, EARLY_FLUSH_FRAMES, decodeBatch, decodeFrame, encodeFrame, type BatchItem, type WireEncoding, isFast } from './encodings.js';
import { FRAGMENT_BYTES, FragmentPiece, OutQueue, PUMP_BYTES_PER_TURN, Reassembler, messageTooLarge, orderKey } from './fragments.js';

/** Why a framed channel closed its channel itself (`closedHere`), as its node logs it. */
export const CLOSED_HERE = {
  bad_frame: (peer: string) => `Bad frame from node ${peer} (undecodable)`,
  send_queue_full: (peer: string) => `Node ${peer} paused us and what waits for it passed the limit (send_queue_full)`,
} as const;

/** Held output (bytes) over which a held channel closes with `send_queue_full`. */
export const HELD_BYTES_LIMIT = 64 * 1024 * 1024;

export class FramedChannel {
  /** Encoded output kept while the peer asked to hold it (`hold`), oldest first. */
  private held: Frame[] | undefined;
  /** Bytes (or characters) in `held`. */
  heldBytes = 0;
  private buffer: AnyFrame[] = [];
  private consumer: ((f: AnyFrame) => void) | undefined;
  private waiter: { resolve(f: AnyFrame): void; reject(e: unknown): void } | undefined;
  private closeHandler: ((reason: string) => void) | undefined;
  private closedWith: string | undefined;
  /** Frames received and sent, for stats. */
  framesIn = 0;
  /** True once this framed channel closed its channel because a received frame could not be decoded. */
  badFrame = false;
  /** True once it closed its channel because held output passed HELD_BYTES_LIMIT. */
  heldOverflow = false;

  /** Why this side closed the channel itself, if it did: a frame it could not decode, or held output over the limit. */
  get closedHere(): keyof typeof CLOSED_HERE | undefined {
    return this.badFrame ? 'bad_frame' : this.heldOverflow ? 'send_queue_full' : undefined;
  }
  framesOut = 0;
  /** Transport frames sent (a fast-1 batch counts once). */
  transportFramesOut = 0;
  /** The encoding `send` uses (superjson-1 until the handshake switches). */
  encoding: WireEncoding = 'superjson-1';
  private binaryIn = false;
  private batch: BatchWriter | undefined;
  private flushQueued = false;
  /** Frames batched in this turn so far (batchGrew: EARLY_FLUSH_FRAMES), counted from the turn's first. */
  private turnFrames = 0;
  /** Largest frame the peer takes in fragments; undefined: it takes none (send frames whole). */
  private sendLimit: number | undefined;
  private reassembler: Reassembler | undefined;
  private readonly out = new OutQueue();
  private pumpQueued = false;
  private readonly flushTask = (): void => {
    this.flushQueued = false;
    this.flush();
  };

  constructor(/** What carries the frames (the observer reads its `via`: net/carrier.ts). */ readonly channel: Channel) {
    channel.attach({
      onFrame: (f) => this.onFrame(f),
      onClose: (r) => this.onClose(r),
    });
  }

  get isOpen(): boolean {
    return this.closedWith === undefined && this.channel.isOpen;
  }

  /**
   * Encode and send `frame` (fast-1: into the pending batch). A frame that cannot be encoded
   * throws `badarg` or `term_too_deep` to the sender, except a signal carrying an exit reason,
   * which goes out with the parts that cannot travel replaced (unencodable-frames.ts).
   */
  send(frame: AnyFrame): void {
    if (this.closedWith !== undefined) return;
    try {
      this.encodeAndSend(frame);
    } catch (e) {
      const depth = this.batch === undefined ? MAX_SUPERJSON_DEPTH - 16 : Infinity;
      let repaired: DistFrame | undefined;
      try {
        repaired = repairFrame(frame as DistFrame, e, depth);
      } catch (e1) {
        repaired = repairFrame(frame as DistFrame, e1, depth, true); // a getter or trap threw while repairing
      }
      if (repaired === undefined) throw e;
      try {
        this.encodeAndSend(repaired);
      } catch (e2) {
        this.encodeAndSend(repairFrame(frame as DistFrame, e2, depth, true)!);
      }
    }
  }

  private encodeAndSend(frame: AnyFrame): void {
    const b = this.batch;
    if (b !== undefined) {
      if (this.sendLimit !== undefined) {
        this.sendFast(b, frame as DistFrame, this.sendLimit);
        return;
      }
      b.add(frame as DistFrame);
      this.framesOut++;
      this.batchGrew(b);
      return;
    }
    checkReason(frame);
    const text = encodeTerm(frame, { beam: this.encoding === 'superjson-2' });
    this.framesOut++;
    this.emit(text);
  }

  /** fast-1 to a peer that takes fragments: inline, or in fragments, or behind the waiting ones. */
  private sendFast(b: BatchWriter, frame: DistFrame, limit: number): void {
    // The order key is needed only while frames wait, or for a big frame (the common case: neither).
    let key = this.out.empty ? undefined : orderKey(frame);
    if (this.out.empty || this.out.mayOvertake(key)) {
      const big = b.add(frame, FRAGMENT_BYTES);
      this.framesOut++;
      if (big === undefined) return this.batchGrew(b);
      if (big.length > limit) {
        this.framesOut--;
        throw messageTooLarge(big.length, limit);
      }
      key ??= orderKey(frame);
      this.out.push({ bytes: big, sent: 0, key });
    } else {
      const bytes = encodeFrame(frame, b);
      if (bytes.length > limit) throw messageTooLarge(bytes.length, limit);
      this.framesOut++;
      this.out.push({ bytes, sent: 0, key });
    }
    if (!this.pumpQueued) this.pump();
  }

  /** Send up to PUMP_BYTES_PER_TURN of the waiting frames, then again next turn while some wait. */
  private readonly pump = (): void => {
    this.pumpQueued = false;
    const b = this.batch;
    if (b === undefined || this.closedWith !== undefined) return this.out.clear();
    let budget = PUMP_BYTES_PER_TURN;
    for (let w = this.out.first; w !== undefined && budget > 0; w = this.out.first) {
      if (w.bytes.length <= FRAGMENT_BYTES) {
        b.addEncoded(w.bytes);
        budget -= w.bytes.length;
        w.sent = w.bytes.length;
      } else {
        const to = Math.min(w.sent + FRAGMENT_BYTES, w.bytes.length);
        // A fragment rides alone or with what fits under BATCH_FLUSH_BYTES: transport frames stay small.
        if (b.bytes > 0 && b.bytes + (to - w.sent) > BATCH_FLUSH_BYTES) this.flush();
        b.addFragment(w.bytes, w.sent, to);
        budget -= to - w.sent;
        w.sent = to;
      }
      if (w.sent === w.bytes.length) this.out.shift();
      this.batchGrew(b);
    }
    if (!this.out.empty) {
      this.pumpQueued = true;
      setTimeout(this.pump, 0);
    }
  };

  /** A frame went into the batch: send it at the end of the turn, or now if it is full. */
  private batchGrew(b: BatchWriter): void {
    if (!this.flushQueued) {
      this.flushQueued = true;
      this.turnFrames = 1;
      if (this.channel.afterTurn) this.channel.afterTurn(this.flushTask);
      else queueMicrotask(this.flushTask);
    } else if (b.bytes >= BATCH_FLUSH_BYTES || ++this.turnFrames === EARLY_FLUSH_FRAMES) {
      this.flush();
    }
  }

  /** Accept frames in `enc` from now on (the handshake calls this early), fragmented ones up to `recvLimit` bytes (none without it). */
  acceptEncoding(enc: WireEncoding, recvLimit?: number): void {
    this.binaryIn = isFast(enc);
    this.reassembler = this.binaryIn && recvLimit !== undefined ? new Reassembler(recvLimit) : undefined;
  }

  /**
   * Send in `enc` from now on (the handshake calls this after its last frame); in fast-1, big
   * frames in fragments up to `sendLimit` bytes when given (the peer takes them).
   */
  useEncoding(enc: WireEncoding, sendLimit?: number): void {
    this.encoding = enc;
    this.batch = isFast(enc) ? BatchWriter.for(enc) : undefined;
    this.sendLimit = isFast(enc) ? sendLimit : undefined;
  }

  /** Send the pending batch now (normally done at the end of the turn). */
  flush(): void {
    const bytes = this.batch?.take();
    if (bytes === undefined) return;
    if (this.closedWith !== undefined) return;
    this.emit(bytes);
  }

  /** Hand `f` to the channel, or keep it while held. */
  private emit(f: Frame): void {
    const h = this.held;
    if (h === undefined) {
      this.transportFramesOut++;
      this.channel.send(f);
      return;
    }
    h.push(f);
    if (this.heldBytes <= HELD_BYTES_LIMIT && (this.heldBytes += f.length) > HELD_BYTES_LIMIT) {
      this.heldOverflow = true;
      queueMicrotask(() => this.close('send_queue_full'));
    }
  }

  /** Keep the output from now on (what is already in the batch too) until `release`. */
  hold(): void {
    this.flush();
    this.held ??= [];
  }

  /** Send what was held, in order, and everything after it as usual. */
  release(): void {
    this.flush();
    const h = this.held;
    this.held = undefined;
    this.heldBytes = 0;
    if (h !== undefined && this.closedWith === undefined) for (const f of h) this.emit(f);
  }

  /** True between `hold` and `release`. */
  get holding(): boolean {
    return this.held !== undefined;
  }

  /**
   * Send a frame that need not keep its place among the signals (a tick, pause, resume, peers):
   * at once even while held, as a transport frame of its own.
   */
  sendUrgent(frame: DistFrame): void {
    if (this.held === undefined) return this.send(frame);
    if (this.closedWith !== undefined) return;
    this.framesOut++;
    this.transportFramesOut++;
    if (this.batch === undefined) return this.channel.send(encodeTerm(frame, { beam: this.encoding === 'superjson-2' }));
    const w = new BatchWriter(this.batch.beam, this.batch.signals);
    w.add(frame);
    this.channel.send(w.take()!);
  }

  /** Close the channel, sending the pending batch first; held output is dropped (a nodedown follows). */
  close(reason = 'closed'): void {
    if (this.held === undefined) this.flush();
    else this.batch?.clear();
    this.held = undefined;
    this.heldBytes = 0;
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
    if (typeof raw !== 'string') {
      let frames: BatchItem[];
      try {
        if (!this.binaryIn) throw new Error('binary frame before fast-1 was negotiated');
        frames = decodeBatch(raw);
      } catch {
        this.rejectFrame();
        return;
      }
      for (let i = 0; i < frames.length && this.closedWith === undefined && this.channel.isOpen; i++) {
        const f = frames[i]!;
        if (!(f instanceof FragmentPiece)) {
          this.deliver(f);
          continue;
        }
        let whole: AnyFrame | undefined;
        try {
          if (this.reassembler === undefined) throw new Error('fragments were not negotiated');
          const bytes = this.reassembler.add(f);
          whole = bytes && decodeFrame(bytes);
        } catch {
          this.rejectFrame();
          return;
        }
        if (whole !== undefined) this.deliver(whole);
      }
      return;
    }
    let frame: AnyFrame;
    try {
      frame = decodeTerm(raw) as AnyFrame;
      if (!frame || typeof frame !== 'object' || typeof (frame as { t?: unknown }).t !== 'string') throw new Error('no tag');
    } catch {
      this.rejectFrame();
      return;
    }
    this.deliver(frame);
  }

  private rejectFrame(): void {
    this.badFrame = true;
    this.batch?.clear();
    this.out.clear();
    this.reassembler?.clear();
    this.close('bad_frame');
  }

  private deliver(frame: AnyFrame): void {
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
    this.out.clear();
    this.reassembler?.clear();
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w.reject(new AuthError('handshake_failed', `connection closed: ${reason}`));
    }
    this.closeHandler?.(reason);
  }
}
