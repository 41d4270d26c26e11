/**
 * Signals that must arrive although their reason cannot be encoded (docs/semantics.md,
 * "Reasons that cannot travel"). A link's `exit`, an `exit2`, a monitor's `down` and a failed
 * `spawn_reply` carry a reason the sender does not choose freely (a process may exit with a
 * function, a symbol, a class instance, a cycle, or a term deeper than superjson-1 carries).
 * Erlang always delivers them, so when such a frame cannot be encoded the framed channel asks
 * {@link repairFrame} for the same frame with the offending parts of its reason replaced by
 * `['unencodable', description]` (terms/unencodable.ts), and sends that instead.
 *
 * One reason has a shape of its own: an erpc worker's report `['$erpc', tag, value]`
 * (rpc/erpc-worker.ts). A result (returned, or thrown with `self.throw`) that cannot travel is
 * not sent half-replaced as if it were the answer; the report becomes
 * `['$erpc', 'error', placeholder]` (the first one), so the caller fails at once: erpc raises
 * `error` with the placeholder, rpc gives `BadRpcError(['EXIT', placeholder])`. An error or
 * exit reason is repaired in place, like any reason.
 *
 * Messages (`send`, `reg_send`) are never repaired: their terms are checked at the send call,
 * which throws `badarg` (or `term_too_deep` on superjson-1) to the sender.
 */
import type { AnyFrame, DistFrame } from './frames.js';
import { checkTerm } from '../terms/check.js';
import { sanitizeTerm, unencodable } from '../terms/unencodable.js';
import { MAX_SUPERJSON_DEPTH } from '../codec/superjson.js';

/** What a part too deep for the connection (superjson-1) is replaced by. */
const TOO_DEEP = `term nested deeper than ${MAX_SUPERJSON_DEPTH}`;

/** The tag of an erpc worker's report (rpc/erpc-worker.ts). */
const ERPC_REPORT = '$erpc';

/**
 * `frame` with its reason made encodable (nested at most `maxDepth` levels below the frame),
 * or undefined when it carries no reason (the encode error is then the sender's).
 * `whole`: replace the whole reason by one placeholder describing `error` (the last resort,
 * when the repaired frame still cannot be encoded).
 */
export function repairFrame(frame: DistFrame, error: unknown, maxDepth: number, whole = false): DistFrame | undefined {
  const fix = (reason: unknown): unknown => (whole ? unencodable(describe(error)) : repairReason(reason, maxDepth));
  switch (frame.t) {
    case 'exit':
    case 'exit2':
    case 'down':
      return { ...frame, reason: fix(frame.reason) };
    case 'spawn_reply':
      return 'error' in frame.result ? { ...frame, result: { error: fix(frame.result.error) } } : undefined;
    default:
      return undefined;
  }
}

/**
 * Throws `badarg` when `frame` carries a reason that is not a term. superjson-1 needs this
 * before it encodes: it would send a class instance as a plain object (and a typed array
 * other than Uint8Array as one too), where fast-1 refuses it.
 */
export function checkReason(frame: AnyFrame): void {
  switch (frame.t) {
    case 'exit':
    case 'exit2':
    case 'down':
      return checkTerm(frame.reason, 'reason');
    case 'spawn_reply':
      if ('error' in frame.result) checkTerm(frame.result.error, 'reason');
      return;
  }
}

function repairReason(reason: unknown, maxDepth: number): unknown {
  if (Array.isArray(reason) && reason.length === 3 && reason[0] === ERPC_REPORT) {
    const s = sanitizeTerm(reason[2], maxDepth - 1, TOO_DEEP);
    const isResult = reason[1] === 'return' || reason[1] === 'throw';
    return isResult && s.first !== undefined ? [ERPC_REPORT, 'error', s.first] : [ERPC_REPORT, reason[1], s.term];
  }
  return sanitizeTerm(reason, maxDepth, TOO_DEEP).term;
}

function describe(error: unknown): string {
  return `cannot encode: ${error instanceof Error ? error.message : String(error)}`;
}
