/**
 * How the shell and `--eval` print a failed evaluation, the way erl's shell does:
 *
 * ```
 * ** exception error: badarg (send: no process is registered as 'kvs')   ErlmeshError
 * ** exception error: {badrpc, 'nodedown'}                                BadRpcError
 * ** exception error: ['erpc', 'noconnection']                           ErpcError (its class)
 * ** exception error: undefined function kvs:nope/0                       UndefinedFunction
 * ** exception exit: normal                                               self.exit(reason)
 * ** exception throw: 42                                                  self.throw(value)
 * ** exception error: TypeError: x is not a function                      anything else
 * ```
 *
 * One line (two at most for multi-line messages), never a stack trace.
 */
import { BadRpcError, ErlmeshError } from '../../core/base/errors.js';
import { UndefinedFunction } from '../../core/modules/module.js';
import { ExitSignal, ThrowSignal } from '../../core/process/unwind.js';
import { ErpcError } from '../../core/rpc/erpc.js';
import { formatTerm } from '../../core/terms/format.js';

export function formatException(e: unknown): string {
  if (e instanceof ExitSignal) return `** exception exit: ${formatTerm(e.reason)}`;
  if (e instanceof ThrowSignal) return `** exception throw: ${formatTerm(e.value)}`;
  if (e instanceof ErpcError) return `** exception ${e.class}: ${formatTerm(e.reason)}`;
  if (e instanceof BadRpcError) return `** exception error: {badrpc, ${formatTerm(e.reason)}}`;
  if (e instanceof ErlmeshError) {
    return e.message && e.message !== e.code ? `** exception error: ${e.code} (${e.message})` : `** exception error: ${e.code}`;
  }
  if (e instanceof UndefinedFunction) return `** exception error: ${e.message}`;
  // Errors may come from another realm (vm contexts) or be any thrown value: duck-type.
  if (e !== null && typeof e === 'object' && typeof (e as Error).message === 'string') {
    const { name, message } = e as Error;
    return `** exception error: ${String(name || 'Error')}: ${message}`;
  }
  return `** exception error: ${formatTerm(e)}`;
}
