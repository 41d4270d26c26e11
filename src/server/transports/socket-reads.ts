/**
 * Reads of a TCP socket without its readable stream: Node's `onread` (a buffer that libuv
 * reads into and a callback per read, no `push`, no `'data'` event, no per-read allocation)
 * for a socket that Node made, as the sockets of an HTTP upgrade are.
 *
 * Node takes `onread` only as an option of `net.connect` / `new net.Socket`; the two sockets
 * of a direct link come out of an HTTP upgrade (direct-links.ts), one accepted, one dialed,
 * so neither could have it. This module gives such a socket the same two internal fields the
 * option sets (`kBuffer`, `kBufferCb`, found by their symbols' names) and points the handle at
 * the buffer (`useUserBuffer`), which is all the option does (lib/net.js, read for Node 20).
 * The rest of the socket is untouched: writes, `'end'` and `'close'`, timeouts, the server's
 * count of connections. Where those internals are not as Node 20 has them (both fields null on
 * a socket made without the option, a handle with `useUserBuffer`: other runtimes' Node
 * compatibility layers preset them), it falls back to `'data'` events and says so.
 *
 * Measured on the 2-core bench machine: a TCP echo between two sockets of one process,
 * 24.5 µs per round trip with `'data'` events, 20.5 µs with both sides read this way.
 *
 * Invariants:
 * - `onBytes` gets every byte once, in order: first what the stream already buffered, then
 *   each read; each chunk is its own copy (the read buffer is reused by the next read).
 * - The end of the stream is still the socket's `'end'` event.
 */
import type { Socket } from 'node:net';

/** How a socket's bytes reach its reader: `'onread'` (no stream) or `'data'` (the fallback). */
export type ReadPath = 'onread' | 'data';

/** Bytes libuv reads at most per read on the `onread` path (its own default for a stream). */
const READ_BUFFER_BYTES = 64 * 1024;

interface StreamHandle {
  useUserBuffer(buf: Uint8Array): void;
}

/**
 * Deliver the bytes of `socket` to `onBytes`, without its readable stream where this Node
 * allows it; returns which path was taken.
 *
 * @example
 * const path = readSocket(socket, (chunk) => parser.push(chunk)); // 'onread' on Node 20
 */
export function readSocket(socket: Socket, onBytes: (chunk: Buffer) => void, prefer: ReadPath = 'onread'): ReadPath {
  const fields = prefer === 'onread' ? userBufferFields(socket) : undefined;
  if (fields === undefined) {
    socket.on('data', onBytes);
    return 'data';
  }
  // What the stream read before the takeover (nothing, usually) goes first.
  for (let c = socket.read() as Buffer | null; c !== null; c = socket.read() as Buffer | null) onBytes(c);
  const buf = Buffer.allocUnsafeSlow(READ_BUFFER_BYTES);
  const s = socket as unknown as Record<symbol, unknown>;
  s[fields.buffer] = buf;
  s[fields.callback] = (n: number, b: Buffer): void => {
    // A copy per read: the buffer is reused by the next one (small ones come from Node's pool).
    const chunk = Buffer.allocUnsafe(n);
    b.copy(chunk, 0, 0, n);
    onBytes(chunk);
  };
  fields.handle.useUserBuffer(buf);
  // Reading on: the stream stays empty, so it never asks the handle to stop.
  socket.resume();
  return 'onread';
}

/** The socket's `kBuffer` / `kBufferCb` symbols and its handle, when this Node has them. */
function userBufferFields(socket: Socket): { buffer: symbol; callback: symbol; handle: StreamHandle } | undefined {
  const handle = (socket as unknown as { _handle?: Partial<StreamHandle> | null })._handle;
  if (handle === null || handle === undefined || typeof handle.useUserBuffer !== 'function') return undefined;
  let buffer: symbol | undefined;
  let callback: symbol | undefined;
  for (const sym of Object.getOwnPropertySymbols(socket)) {
    if (sym.description === 'kBuffer') buffer = sym;
    else if (sym.description === 'kBufferCb') callback = sym;
  }
  if (buffer === undefined || callback === undefined) return undefined;
  const s = socket as unknown as Record<symbol, unknown>;
  // Both are null on a socket made without `onread`; anything else is not the layout this knows.
  if (s[buffer] !== null || s[callback] !== null) return undefined;
  return { buffer, callback, handle: handle as StreamHandle };
}
