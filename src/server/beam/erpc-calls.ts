/**
 * erlmesh's rpc into a BEAM node. erlmesh's rpc spawns `erpc:execute(M, F, A)` on the target
 * and reads `['$erpc', Tag, Value]` from the worker's DOWN (core/rpc/erpc-worker.ts); a BEAM
 * node has OTP's erpc instead, whose `execute_call(Ref, M, F, A)` exits with `{Ref, return, V}`,
 * `{Ref, throw, V}`, `{Ref, exit, R}` or `{Ref, error, R, Stack}`. So, per BEAM connection:
 *
 * - out: a spawn request of `erpc:execute(M, F, A)` goes as `erpc:execute_call(ReqId, M, F, A)`
 *   (its request id as the Ref), `erpc:executeCast(M, F, A)` as `erpc:execute_cast(M, F, A)`;
 * - in: the DOWN of such a request (MONITOR_P_EXIT with that ReqId) gets its reason read back
 *   into erlmesh's form; other reasons (`noproc`, `killed`, …) stay as they are.
 *
 * Invariant: only the DOWN of a request rewritten here is read back, once.
 */
import type { SignalFrame } from '../../core/process/signals.js';
import { list } from '../../core/terms/beam-list.js';

type SpawnRequest = Extract<SignalFrame, { t: 'spawn_request' }>;
type Down = Extract<SignalFrame, { t: 'down' }>;

export class ErpcCalls {
  /** Refs of the execute_call requests whose DOWN is still to come. */
  private readonly open = new Set<string>();

  /** `s` as a BEAM node runs it. */
  out(s: SpawnRequest): SpawnRequest {
    const { spec } = s;
    if (spec.kind !== 'mfa' || spec.module !== 'erpc') return s;
    const [m, f, args] = spec.args as [unknown, unknown, unknown[]];
    if (spec.fun === 'execute') {
      this.open.add(s.ref.key);
      return { ...s, spec: { kind: 'mfa', module: 'erpc', fun: 'execute_call', args: [s.ref, m, f, list(args)] } };
    }
    if (spec.fun === 'executeCast') return { ...s, spec: { kind: 'mfa', module: 'erpc', fun: 'execute_cast', args: [m, f, list(args)] } };
    return s;
  }

  /** `s` with an execute_call's exit reason read back as erlmesh's `['$erpc', Tag, Value]`. */
  in(s: Down): Down {
    if (!this.open.delete(s.ref.key)) return s;
    const r = s.reason;
    if (!Array.isArray(r) || r.length < 3 || !(r[0] as { equals?: (x: unknown) => boolean })?.equals?.(s.ref)) return s;
    const tag = r[1];
    if (tag === 'return' || tag === 'throw' || tag === 'exit') return { ...s, reason: ['$erpc', tag, r[2]] };
    if (tag === 'error') return { ...s, reason: ['$erpc', 'error', r[2]] };
    return s;
  }

  /** The connection ended: no DOWN comes for what is open (the requests fail with noconnection). */
  clear(): void {
    this.open.clear();
  }
}
