/**
 * One whole distribution frame from BEAM (connection.ts, dist-header.ts): a control term, then
 * the message term for the kinds that carry one (SEND, REG_SEND, …), in the external term
 * format — each with its own 131 after a pass-through 112, or without it and with atom cache
 * references after a distribution header. Compressed terms are inflated with zlib. Throws on
 * bytes that are not ETF; the caller closes the connection (`bad_frame`).
 */
import { inflateSync } from 'node:zlib';
import type { AtomBudget } from '../../core/etf/atom-budget.js';
import { decodeBareTermAt, decodeEtfAt } from '../../core/etf/reader.js';
import type { DistFrame } from './dist-header.js';

const inflate = (data: Uint8Array): Uint8Array => inflateSync(data);

/**
 * Decode a frame's control term and its message (undefined when the frame has none).
 *
 * @example
 * c.onFrame((frame) => {
 *   const { control, message } = decodeDistFrame(frame, budget);
 *   const r = readControl(control, message, 'js@host');
 * });
 */
export function decodeDistFrame(frame: DistFrame, atoms?: AtomBudget): { control: unknown; message: unknown } {
  const { bytes, offset, refs } = frame;
  const read = refs === undefined ? decodeEtfAt : decodeBareTermAt;
  const opts = { atoms, inflate, atomRefs: refs };
  const first = read(bytes, offset, opts);
  const message = first.end < bytes.length ? read(bytes, first.end, opts).term : undefined;
  return { control: first.term, message };
}
