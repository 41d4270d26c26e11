import { badarg } from './errors.js';

/**
 * The value a receive resolves to when its timeout passes (Erlang's `after`).
 *
 * @example
 * const m = await self.receive((m) => m === 'ping', 1_000);
 * if (m === TIMEOUT) console.log('no ping within a second');
 */
export const TIMEOUT: unique symbol = Symbol.for('erlmesh.TIMEOUT');
/**
 * The type of `TIMEOUT`, in what a receive resolves to.
 *
 * @example
 * const m: string | Timeout = await self.receive((m) => typeof m === 'string', 1_000);
 */
export type Timeout = typeof TIMEOUT;

/**
 * `t` checked as a timeout in ms: a number >= 0, or Infinity (wait for ever); anything else
 * throws badarg naming `what`.
 *
 * @example
 * checkTimeoutMs(5_000, 'genServer.call');   // 5000
 * checkTimeoutMs(-1, 'rpc');                 // throws badarg "rpc: timeout must be a number >= 0 or Infinity, got -1"
 */
export function checkTimeoutMs(t: unknown, what: string): number {
  if (t === Infinity) return Infinity;
  if (typeof t !== 'number' || !(t >= 0)) throw badarg(`${what}: timeout must be a number >= 0 or Infinity, got ${String(t)}`);
  return t;
}
