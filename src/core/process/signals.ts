/**
 * Exit-signal semantics, as in Erlang (erlang:exit/2 and link exit signals):
 *
 * | signal                         | trapping process       | non-trapping process   |
 * |--------------------------------|------------------------|------------------------|
 * | exit2 with `kill`              | dies with `killed`     | dies with `killed`     |
 * | any with `normal`              | gets ['EXIT', from, 'normal'] | ignored (unless exit2 from itself: dies `normal`) |
 * | any other reason R             | gets ['EXIT', from, R] | dies with R            |
 *
 * A link exit signal with `kill` is an ordinary reason (it is trappable).
 */
import type { Pid } from '../terms/pid.js';

export type ExitOutcome =
  | { kind: 'die'; reason: unknown }
  | { kind: 'message'; msg: ['EXIT', Pid, unknown] }
  | { kind: 'ignore' };

export function exitSignalOutcome(
  target: { pid: Pid; trapExit: boolean },
  from: Pid,
  reason: unknown,
  viaLink: boolean,
): ExitOutcome {
  if (!viaLink && reason === 'kill') return { kind: 'die', reason: 'killed' };
  if (target.trapExit) return { kind: 'message', msg: ['EXIT', from, reason] };
  if (reason === 'normal') {
    return !viaLink && from.equals(target.pid) ? { kind: 'die', reason: 'normal' } : { kind: 'ignore' };
  }
  return { kind: 'die', reason };
}

/** Exit reasons that are not crashes: no crash report is printed for them. */
export function isQuietReason(reason: unknown): boolean {
  return (
    reason === 'normal' ||
    reason === 'shutdown' ||
    reason === 'killed' ||
    reason === 'kill' ||
    reason === 'noproc' ||
    reason === 'noconnection' ||
    (Array.isArray(reason) && reason[0] === 'shutdown')
  );
}
