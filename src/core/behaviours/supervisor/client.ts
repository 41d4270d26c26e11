/**
 * The supervisor client API: `start`, `childStart`, and the calls `whichChildren`,
 * `countChildren`, `startChild`, `terminateChild`, `restartChild`, `deleteChild` (genServer
 * calls: `['which_children']`, `['count_children']`, `['start_child', specOrArgs]`,
 * `['terminate_child', idOrPid]`, `['restart_child', id]`, `['delete_child', id]`).
 */
import { badarg } from '../../base/errors.js';
import { Pid } from '../../terms/pid.js';
import { callerNode } from '../caller.js';
import { genServer } from '../gen-server/define.js';
import { nameService } from '../gen-server/refs.js';
import type { Caller, HostNode, ServerRef, StartOptions, StartResult } from '../gen-server/types.js';
import { nodeFnHandle } from './node-functions.js';
import type { ChildCounts, ChildInfo, ChildSpec, SupervisorSpec } from './spec.js';

function hasNodeFunction(spec: SupervisorSpec): boolean {
  return (spec?.children ?? []).some((c) => typeof c?.start?.node === 'function');
}

function isLocalRef(node: HostNode, ref: ServerRef): boolean {
  if (ref instanceof Pid) return ref.node === node.name;
  if (typeof ref === 'string') return true;
  if (ref[0] === 'global') return nameService(node).whereisName(ref[1])?.node === node.name;
  return ref[1] === node.name;
}

/**
 * Start a supervisor; resolves `['ok', pid]` once every child has started, or `['error',
 * reason]` (e.g. `['shutdown', ['failed_to_start_child', id, reason]]`). `opts` as for
 * genServer.start (name, link, node, timeoutMs).
 *
 * @example
 * const [, sup] = await supervisor.start(node, {
 *   strategy: 'one_for_one', intensity: 3, period: 10_000,
 *   children: [{ id: 'kvs', start: genServer.childStart('kvs_server', []), restart: 'permanent' }],
 * }, { name: 'top' });
 */
async function start(ctx: Caller, spec: SupervisorSpec, opts: StartOptions = {}): Promise<StartResult> {
  const here = ctx ? callerNode(ctx).name : undefined;
  if (opts?.node !== undefined && opts.node !== here && hasNodeFunction(spec)) {
    throw badarg('supervisor.start: a child whose node is a function needs a supervisor on this node (functions do not travel)');
  }
  return genServer.start(ctx, 'supervisor', spec, opts);
}

/**
 * A supervisor child start for a nested supervisor (`{ module: 'supervisor', fun:
 * 'start_link', args: [spec, opts] }`); its child type defaults to 'supervisor'.
 *
 * @example
 * { id: 'workers', start: supervisor.childStart({ strategy: 'simple_one_for_one', children: [tpl] }) }
 */
function childStart(spec: SupervisorSpec, opts: Omit<StartOptions, 'link' | 'node'> = {}): { module: 'supervisor'; fun: 'start_link'; args: unknown[] } {
  return { module: 'supervisor', fun: 'start_link', args: [spec, opts] };
}

/**
 * The children, in start order: `{ id, pid, type }` with pid a Pid, `'restarting'` or undefined.
 *
 * @example
 * await supervisor.whichChildren(node, sup);   // [{ id: 'kvs', pid: Pid, type: 'worker' }]
 */
function whichChildren(ctx: Caller, sup: ServerRef): Promise<ChildInfo[]> {
  return genServer.call(ctx, sup, ['which_children'], Infinity);
}

/**
 * `{ specs, active, supervisors, workers }` (simple_one_for_one: specs 1, and every dynamic child
 * counted as a worker or supervisor).
 *
 * @example
 * await supervisor.countChildren(node, sup);   // { specs: 2, active: 2, supervisors: 0, workers: 2 }
 */
function countChildren(ctx: Caller, sup: ServerRef): Promise<ChildCounts> {
  return genServer.call(ctx, sup, ['count_children'], Infinity);
}

/**
 * Add and start a child: a ChildSpec, or for simple_one_for_one the extra arguments appended
 * to the template's (to a genServer start's init argument). `['ok', pid]`, `['ok', undefined]`
 * (init returned ignore), or `['error', reason]` (`['already_started', pid]`, 'already_present', …).
 * A `node` function goes to the supervisor on a handle in the spec (node-functions.ts); only a
 * supervisor on this node can take one.
 *
 * @example
 * await supervisor.startChild(node, sup, { id: 'w2', start: { module: 'worker', fun: 'run', args: [] } });
 * await supervisor.startChild(node, pool, ['job-7']);    // simple_one_for_one
 */
async function startChild(ctx: Caller, sup: ServerRef, specOrArgs: ChildSpec | unknown[]): Promise<['ok', Pid | undefined] | ['error', unknown]> {
  const node = callerNode(ctx);
  let arg: unknown = specOrArgs;
  const s = specOrArgs as ChildSpec;
  if (!Array.isArray(specOrArgs) && typeof s?.start?.node === 'function') {
    if (!isLocalRef(node, sup)) throw badarg('supervisor.startChild: a node function needs a supervisor on this node (functions do not travel)');
    arg = { ...s, start: { ...s.start, node: nodeFnHandle(s.start.node) } };
  }
  return genServer.call(ctx, sup, ['start_child', arg], Infinity);
}

/**
 * Stop a child (by id; by pid for simple_one_for_one) and keep its spec (not a temporary one's,
 * nor a simple_one_for_one child): `'ok'` or `['error', 'not_found']`.
 *
 * @example
 * await supervisor.terminateChild(node, sup, 'kvs');   // 'ok'
 */
function terminateChild(ctx: Caller, sup: ServerRef, idOrPid: string | Pid): Promise<'ok' | ['error', unknown]> {
  return genServer.call(ctx, sup, ['terminate_child', idOrPid], Infinity);
}

/**
 * Start a stopped child again: `['ok', pid]`, or `['error', 'running' | 'restarting' | 'not_found' | reason]`.
 *
 * @example
 * await supervisor.restartChild(node, sup, 'kvs');     // ['ok', pid]
 */
function restartChild(ctx: Caller, sup: ServerRef, id: string): Promise<['ok', Pid | undefined] | ['error', unknown]> {
  return genServer.call(ctx, sup, ['restart_child', id], Infinity);
}

/**
 * Remove a stopped child's spec: `'ok'`, or `['error', 'running' | 'restarting' | 'not_found']`.
 *
 * @example
 * await supervisor.terminateChild(node, sup, 'kvs');
 * await supervisor.deleteChild(node, sup, 'kvs');      // 'ok'
 */
function deleteChild(ctx: Caller, sup: ServerRef, id: string): Promise<'ok' | ['error', unknown]> {
  return genServer.call(ctx, sup, ['delete_child', id], Infinity);
}

/**
 * The supervisor client API: `start`, `childStart`, `whichChildren`, `countChildren`,
 * `startChild`, `terminateChild`, `restartChild`, `deleteChild`.
 *
 * @example
 * const r = await supervisor.start(node, { children: [{ id: 'kvs', start: genServer.childStart('kvs_server', []) }] }, { name: 'top' });
 * await supervisor.whichChildren(node, 'top'); // [{ id: 'kvs', pid: Pid, type: 'worker' }]
 */
export const supervisor = {
  start,
  childStart,
  whichChildren,
  countChildren,
  startChild,
  terminateChild,
  restartChild,
  deleteChild,
} as const;
