/**
 * Little-endian float64s through one shared 8-byte scratch, for the fast-1 reader and the BEAM
 * float box (binary-reader.ts, binary-beam.ts): a DataView per read cost ~0.1 µs and ~100 bytes
 * of garbage, and floats are common on the wire (every ref after a node's 1,024th has an id past
 * 2^31, its random low bits: ref-ids.ts, and is written as one).
 */
const view = new DataView(new ArrayBuffer(8));
const bytes = new Uint8Array(view.buffer);

/**
 * The little-endian float64 at `b[p..p+8)` (the caller has checked the 8 bytes are there).
 *
 * @example
 * readFloat64LE(new Uint8Array(new Float64Array([1.5]).buffer), 0); // 1.5 on a little-endian host
 */
export function readFloat64LE(b: Uint8Array, p: number): number {
  for (let i = 0; i < 8; i++) bytes[i] = b[p + i]!;
  return view.getFloat64(0, true);
}

/**
 * `v` as 8 little-endian bytes, in the shared scratch: valid until the next call.
 *
 * @example
 * float64LEBytes(1); // Uint8Array [0, 0, 0, 0, 0, 0, 240, 63]
 */
export function float64LEBytes(v: number): Uint8Array {
  view.setFloat64(0, v, true);
  return bytes;
}
