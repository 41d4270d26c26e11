/**
 * Supervisor and child specs: the public types, and checking a child spec into the form the
 * supervisor keeps (defaults filled in, errors named as Erlang names them).
 */
import type { Pid } from '../../terms/pid.js';
import { isFnHandle, type FnHandle } from './node-functions.js';

/**
 * How a supervisor restarts: only the failed child, all, the failed one and those started
 * after it, or (simple_one_for_one) dynamic children of one template.
 *
 * @example
 * const spec: SupervisorSpec = { strategy: 'rest_for_one' satisfies Strategy, children };
 */
export type Strategy = 'one_for_one' | 'one_for_all' | 'rest_for_one' | 'simple_one_for_one';

/**
 * When a child is restarted: always, after an abnormal exit only, or never.
 *
 * @example
 * const child: ChildSpec = { id: 'job', start: { module: 'jobs', fun: 'run' }, restart: 'transient' };
 */
export type RestartType = 'permanent' | 'transient' | 'temporary';

/**
 * A child is a worker or a (nested) supervisor.
 *
 * @example
 * const child: ChildSpec = { id: 'pool', start: supervisor.childStart(poolSpec), type: 'supervisor' };
 */
export type ChildType = 'worker' | 'supervisor';

/**
 * Where a child runs: a node name, or a function naming it at each (re)start.
 *
 * @example
 * const node: NodeChoice = () => self.node.nodes()[0] ?? self.node.name;
 */
export type NodeChoice = string | (() => string);

/**
 * How a supervisor starts a child: `module.fun(...args)` on `node`, linked to it.
 *
 * @example
 * const start: ChildStart = { module: 'worker', fun: 'run', args: [42], node: 'b@host' };
 */
export interface ChildStart {
  module: string;
  fun: string;
  args?: unknown[];
  /** Default: the supervisor's node. A function works only for a supervisor on the caller's node (functions do not travel). */
  node?: NodeChoice;
}

/**
 * One child of a supervisor.
 *
 * @example
 * const child: ChildSpec = { id: 'kvs', start: genServer.childStart('kvs_server', []), restart: 'permanent', shutdown: 2_000 };
 */
export interface ChildSpec {
  /** Unique among the supervisor's children (unused for simple_one_for_one). */
  id: string;
  start: ChildStart;
  /** Default 'permanent'. */
  restart?: RestartType;
  /** ms to wait after exit(child, 'shutdown') before killing it, Infinity, or 'brutal_kill'. Default 5000 (Infinity for a supervisor). */
  shutdown?: number | 'brutal_kill';
  /** Default 'worker' ('supervisor' for a supervisor.childStart start). */
  type?: ChildType;
}

/**
 * What `supervisor.start` takes: the strategy, the restart intensity and the children.
 *
 * @example
 * const spec: SupervisorSpec = { strategy: 'one_for_all', intensity: 3, period: 10_000, children: [child] };
 * await supervisor.start(node, spec, { name: 'top' });
 */
export interface SupervisorSpec {
  /** Default 'one_for_one'. */
  strategy?: Strategy;
  /** Restarts allowed within `period` (default 1). */
  intensity?: number;
  /** ms on the node's clock (default 5000). */
  period?: number;
  children?: ChildSpec[];
}

/**
 * A row of whichChildren. `id` is undefined for simple_one_for_one children.
 *
 * @example
 * const rows: ChildInfo[] = await supervisor.whichChildren(node, 'top');
 * const running = rows.filter((r) => r.pid instanceof Pid);
 */
export interface ChildInfo {
  id: string | undefined;
  pid: Pid | 'restarting' | undefined;
  type: ChildType;
}

/**
 * What `supervisor.countChildren` resolves to.
 *
 * @example
 * const { active, specs }: ChildCounts = await supervisor.countChildren(node, 'top');
 */
export interface ChildCounts {
  specs: number;
  active: number;
  supervisors: number;
  workers: number;
}

// ----- checked specs ---------------------------------------------------------------------------

/** A child's start, checked: `node` may still be a handle until the supervisor takes its function. */
export interface CheckedStart {
  module: string;
  fun: string;
  args: unknown[];
  node: string | (() => string) | FnHandle | undefined;
}

/** A child spec, checked and with its defaults. */
export interface CheckedSpec {
  id: string | undefined;
  start: CheckedStart;
  restart: RestartType;
  shutdown: number | 'brutal_kill';
  type: ChildType;
}

export const STRATEGIES: readonly string[] = ['one_for_one', 'one_for_all', 'rest_for_one', 'simple_one_for_one'];
const RESTARTS: readonly string[] = ['permanent', 'transient', 'temporary'];

/** A gen_server or supervisor start: the supervisor starts it itself and waits for its init. */
export function isGenStart(s: { module: string; fun: string }): boolean {
  return (s.module === 'gen_server' || s.module === 'supervisor') && s.fun === 'start_link';
}

/** A checked spec, or the problem as Erlang names it. */
export function checkChildSpec(spec: unknown, simple: boolean): { ok: CheckedSpec } | { error: unknown } {
  if (!spec || typeof spec !== 'object' || Array.isArray(spec)) return { error: ['invalid_child_spec', spec] };
  const s = spec as Partial<ChildSpec>;
  if (!simple && (typeof s.id !== 'string' || s.id.length === 0)) return { error: ['invalid_child_id', s.id] };
  const st = s.start as Partial<ChildStart> | undefined;
  if (!st || typeof st.module !== 'string' || typeof st.fun !== 'string' || (st.args !== undefined && !Array.isArray(st.args))) {
    return { error: ['invalid_mfa', st] };
  }
  const node = st.node;
  if (node !== undefined && typeof node !== 'string' && typeof node !== 'function' && !isFnHandle(node)) {
    return { error: ['invalid_node', node] };
  }
  const restart = s.restart ?? 'permanent';
  if (!RESTARTS.includes(restart)) return { error: ['invalid_restart_type', restart] };
  const sup = st.module === 'supervisor' && st.fun === 'start_link';
  const type = s.type ?? (sup ? 'supervisor' : 'worker');
  if (type !== 'worker' && type !== 'supervisor') return { error: ['invalid_child_type', type] };
  const shutdown = s.shutdown ?? (type === 'supervisor' ? Infinity : 5_000);
  if (shutdown !== 'brutal_kill' && !(typeof shutdown === 'number' && shutdown >= 0)) return { error: ['invalid_shutdown', shutdown] };
  return {
    ok: {
      id: simple ? undefined : s.id,
      start: { module: st.module, fun: st.fun, args: st.args ?? [], node: node as CheckedStart['node'] },
      restart,
      shutdown,
      type,
    },
  };
}
