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
import type { Ref } from '../terms/ref.js';

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

/**
 * Exit reasons that are not failures of a behaviour's process: `normal`, `shutdown`,
 * `['shutdown', _]` (a transient child is not restarted, a gen_server prints no crash report).
 *
 * @example
 * const reason = await node.exitReason(pid);
 * if (!isNormalExit(reason)) console.error('crashed:', formatTerm(reason));
 */
export function isNormalExit(reason: unknown): boolean {
  return reason === 'normal' || reason === 'shutdown' || (Array.isArray(reason) && reason.length === 2 && reason[0] === 'shutdown');
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

// ----- signals between processes (the frames net/ carries) --------------------------------

/** What a process spawned by a `spawn_request` runs. */
export type SpawnSpec =
  | { kind: 'mfa'; module: string; fun: string; args: unknown[] }
  | { kind: 'fn'; source: string };

/** A monitor or link target as sent on the wire: a pid, or a name registered on the target node. */
export type ProcTarget = Pid | string;

/**
 * Signals between processes. Local signals use the very same objects, so one handler table
 * (process/signal-handlers.ts) serves local and remote delivery alike; the network (net/) only
 * carries them.
 */
export type SignalFrame =
  | { t: 'send'; to: Pid; msg: unknown }
  | { t: 'reg_send'; from: Pid | undefined; to: string; node: string; msg: unknown }
  | { t: 'link'; from: Pid; to: Pid }
  | { t: 'unlink'; from: Pid; to: Pid }
  /** A linked process exited with `reason`. */
  | { t: 'exit'; from: Pid; to: Pid; reason: unknown }
  /** `exit(Pid, Reason)` called by `from`. */
  | { t: 'exit2'; from: Pid; to: Pid; reason: unknown }
  | { t: 'monitor'; from: Pid; to: ProcTarget; node: string; ref: Ref }
  | { t: 'demonitor'; from: Pid; to: ProcTarget; node: string; ref: Ref }
  | { t: 'down'; from: ProcTarget; to: Pid; ref: Ref; reason: unknown }
  | {
      t: 'spawn_request';
      ref: Ref;
      from: Pid;
      groupLeader: Pid;
      node: string;
      spec: SpawnSpec;
      link: boolean;
      monitor: boolean;
      /**
       * `'error_only'`: no spawn_reply on success (erlang:spawn_request's `{reply, error_only}`);
       * the requester learns the pid from the DOWN. Absent: always reply. A peer that ignores
       * it and replies anyway is handled too.
       */
      reply?: 'error_only';
    }
  | { t: 'spawn_reply'; ref: Ref; to: Pid; result: { ok: Pid } | { error: unknown } };

export type SignalTag = SignalFrame['t'];

/** The node a signal is addressed to. */
export function signalTargetNode(s: SignalFrame): string {
  switch (s.t) {
    case 'reg_send':
    case 'monitor':
    case 'demonitor':
    case 'spawn_request':
      return s.node;
    default:
      return s.to.node;
  }
}

/** The node a signal claims to come from, when it names a sending process (checked against the connection's peer). */
export function signalSenderNode(s: SignalFrame): string | undefined {
  switch (s.t) {
    case 'send':
    case 'spawn_reply':
      return undefined;
    case 'reg_send':
      return s.from?.node;
    case 'down':
      return typeof s.from === 'string' ? undefined : s.from.node;
    default:
      return s.from.node;
  }
}

const SIGNAL_TAGS: ReadonlySet<string> = new Set<SignalTag>([
  'send', 'reg_send', 'link', 'unlink', 'exit', 'exit2', 'monitor', 'demonitor', 'down',
  'spawn_request', 'spawn_reply',
]);

/** True when `t` names a signal frame. */
export function isSignalTag(t: unknown): t is SignalTag {
  return typeof t === 'string' && SIGNAL_TAGS.has(t);
}
