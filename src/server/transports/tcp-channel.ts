/**
 * One TCP socket as one erlmesh channel: the framing of a direct link between two server-nodes
 * once its HTTP upgrade to `erlmesh-direct` is done (direct-links.ts), as Erlang's
 * distribution frames its packets over TCP (`{packet, 4}`), without WebSocket's.
 *
 * Exchange: each side writes records `kind:u8 length:u32be payload[length]`, with kind
 *   0  a binary frame (a fast batch),
 *   1  a text frame (UTF-8: the superjson-1 frames of the handshake),
 *   2  close: the payload is the UTF-8 reason; the sender then ends the socket.
 * Invariants:
 * - Frames arrive whole and in order; a record longer than `maxFrameBytes` closes the channel
 *   (`frame_too_large`) instead of being buffered.
 * - The channel ends exactly once: with the reason of a close record, or `connection_closed`
 *   when the socket ends or fails without one.
 * - One socket write per frame; a batch of frames goes as soon as the code that sent them is
 *   done (`Channel.afterTurn` is `process.nextTick`): after a callback's own code, or, when
 *   a microtask sent (a process's reply), once the microtask queue is empty, so the replies
 *   of all processes resumed by one read leave together, before the loop moves on.
 *   `setImmediate` (the loop's next check phase), as WebSocket channels do, cost 9-10 µs per
 *   ping-pong round trip with busy wait off on the 2-core bench machine (46 → 37 µs p50) and
 *   batched no better: 32 concurrent callers 42.1-42.9k calls/s this way, 36.8-42.9k with
 *   `setImmediate`. Every record in or out kicks the busy waiter (busy-wait.ts); a write to
 *   a peer process on this host names its pid, so that the waiter can see whether its
 *   spinning holds that peer back (co-location.ts).
 * - Reads skip the socket's readable stream (socket-reads.ts, Node's `onread`): two
 *   server-nodes in one process over a direct link, 32.8 → 29.2 µs per ping-pong round trip;
 *   between two processes with busy wait off, 44.2 → 43.1-43.7 µs (the stream's follow-up work
 *   after a read was partly off the round trip's path already).
 */
import type { Socket } from 'node:net';
import { BaseChannel } from '../../core/relay-client/base-channel.js';
import { busyWaitKick } from '../busy-wait.js';
import { readSocket, type ReadPath } from './socket-reads.js';

const HEADER = 5;
const BINARY = 0;
const TEXT = 1;
const CLOSE = 2;

/**
 * A channel over `socket` (already upgraded); `head`: bytes that came with the upgrade;
 * `peerPid`: the pid of the process at the other end, when it runs on this host; `readPath`:
 * how its bytes are read (socket-reads.ts; `'data'` only to test the fallback).
 *
 * @example
 * server.on('upgrade', (req, socket, head) => onInbound(tcpChannel(socket as Socket, head, limit)));
 */
export function tcpChannel(socket: Socket, head: Uint8Array | undefined, maxFrameBytes: number, peerPid?: number, readPath: ReadPath = 'onread'): BaseChannel {
  socket.setNoDelay(true);
  let closing = false;
  const ch = new BaseChannel(
    (f) => {
      busyWaitKick(peerPid);
      socket.write(record(typeof f === 'string' ? TEXT : BINARY, f));
    },
    (reason) => {
      if (closing) return;
      closing = true;
      socket.end(record(CLOSE, reason.slice(0, 120)));
    },
    undefined,
    'direct',
    (fn) => process.nextTick(fn),
  );
  let buf: Buffer | undefined;
  const onData = (chunk: Buffer): void => {
    busyWaitKick();
    const b = buf === undefined ? chunk : Buffer.concat([buf, chunk]);
    buf = undefined;
    let p = 0;
    while (b.length - p >= HEADER) {
      const kind = b[p]!;
      const n = b.readUInt32BE(p + 1);
      if (n > maxFrameBytes || kind > CLOSE) {
        socket.destroy();
        ch.ended(kind > CLOSE ? 'bad_frame' : 'frame_too_large');
        return;
      }
      if (b.length - p - HEADER < n) break;
      const at = b.byteOffset + p + HEADER;
      p += HEADER + n;
      if (kind === BINARY) ch.deliver(new Uint8Array(b.buffer, at, n));
      else {
        const text = b.toString('utf8', at - b.byteOffset, at - b.byteOffset + n);
        if (kind === TEXT) ch.deliver(text);
        else {
          closing = true;
          socket.end();
          ch.ended(text || 'normal');
          return;
        }
      }
    }
    if (p < b.length) buf = p === 0 ? b : b.subarray(p);
  };
  // An upgraded server socket allows half-open connections: the peer's end is the end.
  socket.on('end', () => {
    socket.end();
    ch.ended('connection_closed');
  });
  socket.on('close', () => ch.ended('connection_closed'));
  socket.on('error', () => ch.ended('connection_closed'));
  // Once the caller has its handlers on the channel: the bytes of the upgrade, then the socket's.
  queueMicrotask(() => {
    if (head !== undefined && head.length > 0) onData(Buffer.from(head.buffer, head.byteOffset, head.byteLength));
    if (!socket.destroyed) readSocket(socket, onData, readPath);
  });
  return ch;
}

/** One record: header and payload in one buffer (small ones from Node's pool). */
function record(kind: number, f: string | Uint8Array): Buffer {
  const n = typeof f === 'string' ? Buffer.byteLength(f) : f.length;
  const out = Buffer.allocUnsafe(HEADER + n);
  out[0] = kind;
  out.writeUInt32BE(n, 1);
  if (typeof f === 'string') out.write(f, HEADER, 'utf8');
  else out.set(f, HEADER);
  return out;
}
