/**
 * One distribution frame from BEAM, after the connection's length prefix and pass-through
 * byte: a control term, then the message term for the kinds that carry one (SEND, REG_SEND,
 * …), each in the external term format (compressed terms inflated with zlib). Throws on bytes
 * that are not ETF; the caller closes the connection (`bad_frame`).
 */
import { inflateSync } from 'node:zlib';
import type { AtomBudget } from '../../core/etf/atom-budget.js';
import { decodeEtfAt } from '../../core/etf/reader.js';

const inflate = (data: Uint8Array): Uint8Array => inflateSync(data);

/**
 * Decode a frame's control term and its message (undefined when the frame has none).
 *
 * @example
 * const { control, message } = decodeDistFrame(bytes, budget);
 * const r = readControl(control, message, 'js@host');
 */
export function decodeDistFrame(bytes: Uint8Array, atoms?: AtomBudget): { control: unknown; message: unknown } {
  const first = decodeEtfAt(bytes, 0, { atoms, inflate });
  const message = first.end < bytes.length ? decodeEtfAt(bytes, first.end, { atoms, inflate }).term : undefined;
  return { control: first.term, message };
}
