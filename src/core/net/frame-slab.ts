/**
 * Bytes of outgoing batches, carved from one shared slab: a batch is copied into the current
 * SLAB_BYTES block and handed out as a view of it, as Node's `Buffer` pool does for small
 * buffers. A fresh ArrayBuffer per batch costs an allocation outside the JS heap and GC work
 * to sweep it (measured: ~7% of the CPU of back-to-back rpc calls). Each part of a slab is
 * handed out once and never written again, so a view stays valid however long it is kept;
 * a slab lives as long as any view of it. Views have a byteOffset: a consumer that needs the
 * whole ArrayBuffer (postMessage) copies them (local-links.ts does).
 */

/** Size of one slab. */
const SLAB_BYTES = 64 * 1024;
/** Batches above this size get an ArrayBuffer of their own. */
const SLAB_MAX_COPY = 4 * 1024;

let slab = new Uint8Array(SLAB_BYTES);
let used = 0;

/**
 * `src[0, n)` copied into the slab, as a view; a big one as a fresh exact-size Uint8Array.
 *
 * @example
 * const out = slabCopy(writer.buf, writer.pos); // out.byteOffset may be > 0
 */
export function slabCopy(src: Uint8Array, n: number): Uint8Array {
  if (n > SLAB_MAX_COPY) return src.slice(0, n);
  if (used + n > SLAB_BYTES) {
    slab = new Uint8Array(SLAB_BYTES);
    used = 0;
  }
  const at = used;
  const s = slab;
  if (n <= 64) for (let i = 0; i < n; i++) s[at + i] = src[i] as number;
  else s.set(src.subarray(0, n), at);
  // Keep views 8-byte aligned (readers may make DataViews; alignment keeps them fast).
  used = (at + n + 7) & ~7;
  return s.subarray(at, at + n);
}
