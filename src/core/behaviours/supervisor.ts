/**
 * supervisor: Erlang's supervisor behaviour, as a gen server (the built-in `supervisor`
 * module is its callback module), so a supervisor can be started on any node.
 *
 * Message exchange: the supervisor traps exits and is linked to each child it starts;
 * a child's death reaches it as `['EXIT', childPid, reason]` (`noconnection` when the
 * child's node went down). The client functions (whichChildren, startChild, …) are
 * genServer calls: `['which_children']`, `['count_children']`, `['start_child', specOrArgs]`,
 * `['terminate_child', idOrPid]`, `['restart_child', id]`, `['delete_child', id]`. A restart
 * that fails to start is retried later through `['$sup_try_again', key]` sent to itself.
 *
 * Starting a child (`spec.start = { module, fun, args, node? }`), on `node` (resolved at each
 * start: a string, or a function called then; default the supervisor's node):
 * - `{ module: 'gen_server', fun: 'start_link', args: [callbackModule, initArg, opts?] }`
 *   (`genServer.childStart(…)`) and `{ module: 'supervisor', fun: 'start_link', args: [spec,
 *   opts?] }` (`supervisor.childStart(…)`): the supervisor starts the gen server there, linked
 *   to itself as its parent, and waits for its init: `['error', r]` from init is a failed start.
 * - any other `{ module, fun, args }`: the supervisor spawnLinks `module.fun(self, ...args)`
 *   there; that process is the child (started as soon as it is spawned).
 *
 * Invariants (those of OTP's supervisor):
 * - Children start in list order and are stopped in reverse order. To stop a child the
 *   supervisor unlinks and monitors it, sends `exit(child, 'shutdown')` (or `'kill'` for
 *   `brutal_kill`), and kills it if it has not exited within `shutdown` ms.
 * - Restart: `permanent` always; `transient` unless the reason is 'normal', 'shutdown' or
 *   ['shutdown', _]; `temporary` never (its spec is then dropped). one_for_one restarts the
 *   child; one_for_all stops all the others then restarts all; rest_for_one stops those started
 *   after it then restarts it and them; simple_one_for_one restarts the dynamic child with its
 *   own arguments.
 * - Intensity: each restart is timed on the node's clock; when more than `intensity` restarts
 *   fall within `period` ms, the supervisor stops all children and exits with 'shutdown'.
 */
import { badarg, ErlmeshError } from '../base/errors.js';
import type { Node } from '../node/node.js';
import { ProcessContext } from '../process/context.js';
import { TIMEOUT } from '../process/mailbox.js';
import { formatTerm } from '../terms/format.js';
import { Pid } from '../terms/pid.js';
import {
  defineGenServer,
  genServer,
  isNormalExit,
  sameTerm,
  type CallResult,
  type Ctx,
  type NoReplyResult,
  type ServerRef,
  type StartOptions,
  type StartResult,
} from './gen-server.js';

// ----- types ---------------------------------------------------------------------------------

export type Strategy = 'one_for_one' | 'one_for_all' | 'rest_for_one' | 'simple_one_for_one';
export type RestartType = 'permanent' | 'transient' | 'temporary';
export type ChildType = 'worker' | 'supervisor';
/** Where a child runs: a node name, or a function naming it at each (re)start. */
export type NodeChoice = string | (() => string);

export interface ChildStart {
  module: string;
  fun: string;
  args?: unknown[];
  /** Default: the supervisor's node. A function works only for a supervisor on the caller's node (functions do not travel). */
  node?: NodeChoice;
}

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

export interface SupervisorSpec {
  /** Default 'one_for_one'. */
  strategy?: Strategy;
  /** Restarts allowed within `period` (default 1). */
  intensity?: number;
  /** ms on the node's clock (default 5000). */
  period?: number;
  children?: ChildSpec[];
}

/** A row of whichChildren. `id` is undefined for simple_one_for_one children. */
export interface ChildInfo {
  id: string | undefined;
  pid: Pid | 'restarting' | undefined;
  type: ChildType;
}

export interface ChildCounts {
  specs: number;
  active: number;
  supervisors: number;
  workers: number;
}

// ----- node functions passed by handle ----------------------------------------------------------

/** `node` functions of specs given to startChild, by handle, per node (functions cannot be sent). */
const nodeFns = new WeakMap<Node, Map<number, () => string>>();
let nextFnHandle = 0;
type FnHandle = ['$node_fn', number];

function isFnHandle(x: unknown): x is FnHandle {
  return Array.isArray(x) && x.length === 2 && x[0] === '$node_fn' && typeof x[1] === 'number';
}

function dropFnHandle(node: Node, choice: unknown): void {
  if (isFnHandle(choice)) nodeFns.get(node)?.delete(choice[1]);
}

// ----- spec checking ---------------------------------------------------------------------------

interface NormStart {
  module: string;
  fun: string;
  args: unknown[];
  node: string | (() => string) | FnHandle | undefined;
}

interface NormSpec {
  id: string | undefined;
  start: NormStart;
  restart: RestartType;
  shutdown: number | 'brutal_kill';
  type: ChildType;
}

const STRATEGIES: readonly string[] = ['one_for_one', 'one_for_all', 'rest_for_one', 'simple_one_for_one'];
const RESTARTS: readonly string[] = ['permanent', 'transient', 'temporary'];

function isGenStart(s: { module: string; fun: string }): boolean {
  return (s.module === 'gen_server' || s.module === 'supervisor') && s.fun === 'start_link';
}

/** A checked spec, or the problem as Erlang names it. */
function normSpec(spec: unknown, simple: boolean): { ok: NormSpec } | { error: unknown } {
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
      start: { module: st.module, fun: st.fun, args: st.args ?? [], node: node as NormStart['node'] },
      restart,
      shutdown,
      type,
    },
  };
}

// ----- state -----------------------------------------------------------------------------------

interface ChildRec {
  key: number;
  id: string | undefined;
  spec: NormSpec;
  pid: Pid | 'restarting' | undefined;
  /** simple_one_for_one: the extra arguments this child was started with. */
  extra?: unknown[];
}

interface SupState {
  strategy: Strategy;
  intensity: number;
  period: number;
  /** In start order. */
  children: ChildRec[];
  /** simple_one_for_one: the one spec. */
  template: NormSpec | undefined;
  /** Times of recent restarts, newest first. */
  restarts: number[];
  nextKey: number;
}

const isSimple = (st: SupState): boolean => st.strategy === 'simple_one_for_one';

// ----- starting and stopping children ------------------------------------------------------------

type ChildStartResult = ['ok', Pid | undefined] | ['error', unknown];

function resolveNode(self: ProcessContext, choice: NormStart['node']): string {
  let n: unknown = choice;
  if (isFnHandle(choice)) {
    const fn = nodeFns.get(self.node)?.get(choice[1]);
    if (!fn) throw new ErlmeshError('badarg', 'the node function of this child spec is not available on this node');
    n = fn();
  } else if (typeof choice === 'function') {
    n = choice();
  }
  if (n === undefined) return self.node.name;
  if (typeof n !== 'string' || n.length === 0) throw new ErlmeshError('badarg', `a child's node must be a node name, got ${formatTerm(n)}`);
  return n;
}

function withExtra(initArg: unknown, extra: unknown[] | undefined): unknown {
  if (!extra || extra.length === 0) return initArg;
  if (initArg === undefined) return extra;
  return Array.isArray(initArg) ? [...initArg, ...extra] : [initArg, ...extra];
}

async function startRec(self: ProcessContext, rec: ChildRec): Promise<ChildStartResult> {
  const { start } = rec.spec;
  try {
    const node = resolveNode(self, start.node);
    if (isGenStart(start)) {
      const isSup = start.module === 'supervisor';
      const [first, second, third] = start.args;
      const initArg = isSup ? first : withExtra(second, rec.extra);
      const opts = ((isSup ? second : third) ?? {}) as StartOptions;
      const r: StartResult = await genServer.start(self, isSup ? 'supervisor' : (first as string), initArg, {
        ...opts,
        link: true,
        node,
      });
      if (r === 'ignore') return ['ok', undefined];
      return r;
    }
    const pid = await self.spawnLink(node, start.module, start.fun, [...start.args, ...(rec.extra ?? [])]);
    return ['ok', pid];
  } catch (e) {
    return ['error', e instanceof ErlmeshError ? [e.code, e.message] : ['exception', e]];
  }
}

/**
 * Stop children (in parallel): unlink and monitor each, send exit 'shutdown' ('kill' for
 * brutal_kill), kill those still alive after `shutdown` ms, and wait for every DOWN.
 */
async function shutdownPids(self: ProcessContext, pids: Pid[], shutdown: number | 'brutal_kill'): Promise<void> {
  const clock = self.node.clock;
  const refs = pids.map((pid) => {
    const ref = self.monitor(pid);
    self.unlink(pid);
    self.exit(pid, shutdown === 'brutal_kill' ? 'kill' : 'shutdown');
    return ref;
  });
  const pending = new Set(refs.map((r) => r.key));
  const isOurDown = (m: unknown): boolean => Array.isArray(m) && m[0] === 'DOWN' && pending.has((m[1] as { key?: string })?.key ?? '');
  const deadline = shutdown === 'brutal_kill' || shutdown === Infinity ? undefined : clock.now() + shutdown;
  while (pending.size > 0) {
    const left = deadline === undefined ? undefined : Math.max(0, deadline - clock.now());
    const m = await self.receive(isOurDown, left);
    if (m === TIMEOUT) {
      for (let i = 0; i < pids.length; i++) if (pending.has(refs[i]!.key)) self.exit(pids[i]!, 'kill');
      while (pending.size > 0) pending.delete(((await self.receive(isOurDown)) as [string, { key: string }])[1].key);
      break;
    }
    pending.delete((m as [string, { key: string }])[1].key);
  }
  // EXITs that were already queued before the unlink are of no interest any more.
  const gone = new Set(pids.map((p) => p.key));
  while ((await self.receive((m) => Array.isArray(m) && m[0] === 'EXIT' && m[1] instanceof Pid && gone.has(m[1].key), 0)) !== TIMEOUT);
}

async function shutdownRec(self: ProcessContext, rec: ChildRec): Promise<void> {
  if (rec.pid instanceof Pid) await shutdownPids(self, [rec.pid], rec.spec.shutdown);
  rec.pid = undefined;
}

function removeRec(self: ProcessContext, st: SupState, rec: ChildRec): void {
  const i = st.children.indexOf(rec);
  if (i >= 0) st.children.splice(i, 1);
  if (!isSimple(st)) dropFnHandle(self.node, rec.spec.start.node);
}

// ----- reports ---------------------------------------------------------------------------------

function supReport(self: ProcessContext, context: string, reason: unknown, rec?: ChildRec): void {
  const offender = rec ? ` offender: ${rec.id === undefined ? '' : `id=${rec.id} `}pid=${rec.pid instanceof Pid ? rec.pid.toString() : String(rec.pid)}` : '';
  self.print(`=SUPERVISOR REPORT==== supervisor: ${self.pid.toString()} errorContext: ${context} reason: ${formatTerm(reason)}${offender}`);
}

// ----- restarts --------------------------------------------------------------------------------

async function onChildExit(self: ProcessContext, st: SupState, rec: ChildRec, reason: unknown): Promise<NoReplyResult<SupState>> {
  if (!isNormalExit(reason)) supReport(self, 'child_terminated', reason, rec);
  const r = rec.spec.restart;
  rec.pid = undefined;
  if (r === 'permanent' || (r === 'transient' && !isNormalExit(reason))) return restart(self, st, rec);
  if (r === 'temporary' || isSimple(st)) removeRec(self, st, rec);
  return ['noreply', st];
}

/** Count a restart; stop the supervisor when the intensity is exceeded, else restart by strategy. */
async function restart(self: ProcessContext, st: SupState, rec: ChildRec): Promise<NoReplyResult<SupState>> {
  const now = self.node.clock.now();
  st.restarts = [now, ...st.restarts.filter((t) => t >= now - st.period)];
  if (st.restarts.length > st.intensity) {
    supReport(self, 'shutdown', 'reached_max_restart_intensity', rec);
    return ['stop', 'shutdown', st];
  }
  await restartByStrategy(self, st, rec);
  return ['noreply', st];
}

function tryAgainLater(self: ProcessContext, rec: ChildRec, reason: unknown): void {
  supReport(self, 'start_error', reason, rec);
  rec.pid = 'restarting';
  self.send(self.pid, ['$sup_try_again', rec.key]);
}

async function restartByStrategy(self: ProcessContext, st: SupState, rec: ChildRec): Promise<void> {
  if (st.strategy === 'one_for_one' || isSimple(st)) {
    const r = await startRec(self, rec);
    if (r[0] === 'error') return tryAgainLater(self, rec, r[1]);
    rec.pid = r[1];
    if (r[1] === undefined && (isSimple(st) || rec.spec.restart === 'temporary')) removeRec(self, st, rec);
    return;
  }
  const at = st.children.indexOf(rec);
  const group = st.strategy === 'one_for_all' ? [...st.children] : st.children.slice(at);
  for (const c of [...group].reverse()) {
    if (c === rec) continue;
    await shutdownRec(self, c);
    if (c.spec.restart === 'temporary') removeRec(self, st, c);
  }
  for (const c of group) {
    if (!st.children.includes(c)) continue;
    const r = await startRec(self, c);
    if (r[0] === 'error') return tryAgainLater(self, rec, r[1]);
    c.pid = r[1];
  }
}

// ----- the callback module ---------------------------------------------------------------------

async function init(self: ProcessContext, spec: SupervisorSpec): Promise<['ok', SupState] | ['stop', unknown]> {
  self.trapExit(true);
  if (!spec || typeof spec !== 'object') return ['stop', ['supervisor_data', ['invalid_spec', spec]]];
  const strategy = spec.strategy ?? 'one_for_one';
  if (!STRATEGIES.includes(strategy)) return ['stop', ['supervisor_data', ['invalid_strategy', strategy]]];
  const intensity = spec.intensity ?? 1;
  if (!(Number.isInteger(intensity) && intensity >= 0)) return ['stop', ['supervisor_data', ['invalid_intensity', intensity]]];
  const period = spec.period ?? 5_000;
  if (!(typeof period === 'number' && period > 0)) return ['stop', ['supervisor_data', ['invalid_period', period]]];
  const children = spec.children ?? [];
  if (!Array.isArray(children)) return ['stop', ['start_spec', ['invalid_children', children]]];
  const st: SupState = { strategy, intensity, period, children: [], template: undefined, restarts: [], nextKey: 0 };
  const simple = strategy === 'simple_one_for_one';
  if (simple && children.length !== 1) return ['stop', ['bad_start_spec', 'simple_one_for_one needs exactly one child spec']];
  const specs: NormSpec[] = [];
  for (const c of children) {
    const n = normSpec(c, simple);
    if ('error' in n) return ['stop', ['start_spec', n.error]];
    if (!simple && specs.some((s) => s.id === n.ok.id)) return ['stop', ['start_spec', ['duplicate_child_name', n.ok.id]]];
    specs.push(n.ok);
  }
  if (simple) {
    st.template = specs[0];
    return ['ok', st];
  }
  for (const spec of specs) {
    const rec: ChildRec = { key: st.nextKey++, id: spec.id, spec, pid: undefined };
    const r = await startRec(self, rec);
    if (r[0] === 'error') {
      for (const c of [...st.children].reverse()) await shutdownRec(self, c);
      return ['stop', ['shutdown', ['failed_to_start_child', spec.id, r[1]]]];
    }
    rec.pid = r[1];
    if (r[1] !== undefined || spec.restart !== 'temporary') st.children.push(rec);
  }
  return ['ok', st];
}

function findById(st: SupState, id: unknown): ChildRec | undefined {
  return st.children.find((c) => c.id !== undefined && sameTerm(c.id, id));
}

function findByPid(st: SupState, pid: unknown): ChildRec | undefined {
  return pid instanceof Pid ? st.children.find((c) => c.pid instanceof Pid && c.pid.equals(pid)) : undefined;
}

async function handleCall(self: ProcessContext, req: unknown, _from: unknown, st: SupState): Promise<CallResult<SupState>> {
  const [op, arg] = Array.isArray(req) ? req : [req];
  switch (op) {
    case 'which_children':
      return ['reply', st.children.map((c): ChildInfo => ({ id: c.id, pid: c.pid, type: c.spec.type })), st];
    case 'count_children': {
      const specs = isSimple(st) ? (st.template ? [st.template] : []) : st.children.map((c) => c.spec);
      const all = isSimple(st) ? st.children.length : specs.length;
      const type = isSimple(st) ? st.template?.type : undefined;
      const counts: ChildCounts = {
        specs: specs.length,
        active: st.children.filter((c) => c.pid instanceof Pid).length,
        supervisors: isSimple(st) ? (type === 'supervisor' ? all : 0) : specs.filter((s) => s.type === 'supervisor').length,
        workers: isSimple(st) ? (type === 'worker' ? all : 0) : specs.filter((s) => s.type === 'worker').length,
      };
      return ['reply', counts, st];
    }
    case 'start_child':
      return ['reply', await startChildCall(self, st, arg), st];
    case 'terminate_child': {
      const rec = isSimple(st) ? findByPid(st, arg) : findById(st, arg);
      if (!rec) return ['reply', ['error', isSimple(st) && !(arg instanceof Pid) ? 'simple_one_for_one' : 'not_found'], st];
      await shutdownRec(self, rec);
      if (isSimple(st) || rec.spec.restart === 'temporary') removeRec(self, st, rec);
      return ['reply', 'ok', st];
    }
    case 'restart_child': {
      if (isSimple(st)) return ['reply', ['error', 'simple_one_for_one'], st];
      const rec = findById(st, arg);
      if (!rec) return ['reply', ['error', 'not_found'], st];
      if (rec.pid instanceof Pid) return ['reply', ['error', 'running'], st];
      if (rec.pid === 'restarting') return ['reply', ['error', 'restarting'], st];
      const r = await startRec(self, rec);
      if (r[0] === 'ok') rec.pid = r[1];
      return ['reply', r, st];
    }
    case 'delete_child': {
      if (isSimple(st)) return ['reply', ['error', 'simple_one_for_one'], st];
      const rec = findById(st, arg);
      if (!rec) return ['reply', ['error', 'not_found'], st];
      if (rec.pid instanceof Pid) return ['reply', ['error', 'running'], st];
      if (rec.pid === 'restarting') return ['reply', ['error', 'restarting'], st];
      removeRec(self, st, rec);
      return ['reply', 'ok', st];
    }
    default:
      return ['reply', ['error', ['badcall', req]], st];
  }
}

async function startChildCall(self: ProcessContext, st: SupState, arg: unknown): Promise<ChildStartResult> {
  if (isSimple(st)) {
    if (!Array.isArray(arg)) return ['error', ['badarg', 'simple_one_for_one: startChild takes a list of extra arguments']];
    const rec: ChildRec = { key: st.nextKey++, id: undefined, spec: st.template!, pid: undefined, extra: arg };
    const r = await startRec(self, rec);
    if (r[0] === 'ok' && r[1] !== undefined) {
      rec.pid = r[1];
      st.children.push(rec);
    }
    return r;
  }
  const n = normSpec(arg, false);
  if ('error' in n) return ['error', n.error];
  const existing = findById(st, n.ok.id);
  if (existing) return ['error', existing.pid instanceof Pid ? ['already_started', existing.pid] : 'already_present'];
  const rec: ChildRec = { key: st.nextKey++, id: n.ok.id, spec: n.ok, pid: undefined };
  const r = await startRec(self, rec);
  if (r[0] === 'ok') {
    rec.pid = r[1];
    if (r[1] !== undefined || n.ok.restart !== 'temporary') st.children.push(rec);
  }
  return r;
}

async function handleInfo(self: ProcessContext, msg: unknown, st: SupState): Promise<NoReplyResult<SupState>> {
  if (Array.isArray(msg) && msg[0] === 'EXIT' && msg.length === 3) {
    const rec = findByPid(st, msg[1]);
    if (rec) return onChildExit(self, st, rec, msg[2]);
    return ['noreply', st];
  }
  if (Array.isArray(msg) && msg[0] === '$sup_try_again') {
    const rec = st.children.find((c) => c.key === msg[1]);
    if (rec && rec.pid === 'restarting') {
      rec.pid = undefined;
      return restart(self, st, rec);
    }
    return ['noreply', st];
  }
  self.node.log('warning', `supervisor ${self.pid.toString()} received an unexpected message: ${formatTerm(msg)}`);
  return ['noreply', st];
}

async function terminate(self: ProcessContext, _reason: unknown, st: SupState): Promise<void> {
  if (!st) return;
  if (isSimple(st)) {
    const pids = st.children.map((c) => c.pid).filter((p): p is Pid => p instanceof Pid);
    if (pids.length > 0) await shutdownPids(self, pids, st.template!.shutdown);
    for (const c of st.children) c.pid = undefined;
    return;
  }
  for (const c of [...st.children].reverse()) await shutdownRec(self, c);
}

// ----- client API ------------------------------------------------------------------------------

function hasNodeFunction(spec: SupervisorSpec): boolean {
  return (spec?.children ?? []).some((c) => typeof c?.start?.node === 'function');
}

function isLocalRef(node: Node, ref: ServerRef): boolean {
  if (ref instanceof Pid) return ref.node === node.name;
  if (typeof ref === 'string') return true;
  if (ref[0] === 'global') {
    const g = node.global as unknown as { whereisName?: (n: string) => Pid | undefined };
    return g.whereisName?.(ref[1])?.node === node.name;
  }
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
async function start(ctx: Ctx, spec: SupervisorSpec, opts: StartOptions = {}): Promise<StartResult> {
  const here = ctx instanceof ProcessContext ? ctx.node.name : ctx?.name;
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
function whichChildren(ctx: Ctx, sup: ServerRef): Promise<ChildInfo[]> {
  return genServer.call(ctx, sup, ['which_children'], Infinity);
}

/**
 * `{ specs, active, supervisors, workers }` (simple_one_for_one: specs 1, and every dynamic child
 * counted as a worker or supervisor).
 *
 * @example
 * await supervisor.countChildren(node, sup);   // { specs: 2, active: 2, supervisors: 0, workers: 2 }
 */
function countChildren(ctx: Ctx, sup: ServerRef): Promise<ChildCounts> {
  return genServer.call(ctx, sup, ['count_children'], Infinity);
}

/**
 * Add and start a child: a ChildSpec, or for simple_one_for_one the extra arguments appended
 * to the template's (to a genServer start's init argument). `['ok', pid]`, `['ok', undefined]`
 * (init returned ignore), or `['error', reason]` (`['already_started', pid]`, 'already_present', …).
 *
 * @example
 * await supervisor.startChild(node, sup, { id: 'w2', start: { module: 'worker', fun: 'run', args: [] } });
 * await supervisor.startChild(node, pool, ['job-7']);    // simple_one_for_one
 */
async function startChild(ctx: Ctx, sup: ServerRef, specOrArgs: ChildSpec | unknown[]): Promise<['ok', Pid | undefined] | ['error', unknown]> {
  const node = ctx instanceof ProcessContext ? ctx.node : ctx;
  let arg: unknown = specOrArgs;
  let handle: FnHandle | undefined;
  const s = specOrArgs as ChildSpec;
  if (!Array.isArray(specOrArgs) && typeof s?.start?.node === 'function') {
    if (!isLocalRef(node, sup)) throw badarg('supervisor.startChild: a node function needs a supervisor on this node (functions do not travel)');
    let fns = nodeFns.get(node);
    if (!fns) nodeFns.set(node, (fns = new Map()));
    handle = ['$node_fn', ++nextFnHandle];
    fns.set(handle[1], s.start.node as () => string);
    arg = { ...s, start: { ...s.start, node: handle } };
  }
  const r = await genServer.call(ctx, sup, ['start_child', arg], Infinity).catch((e: unknown) => {
    if (handle) dropFnHandle(node, handle);
    throw e;
  });
  if (handle && (r[0] !== 'ok' || (r[1] === undefined && s.restart === 'temporary'))) dropFnHandle(node, handle);
  return r;
}

/**
 * Stop a child (by id; by pid for simple_one_for_one) and keep its spec (not a temporary one's,
 * nor a simple_one_for_one child): `'ok'` or `['error', 'not_found']`.
 *
 * @example
 * await supervisor.terminateChild(node, sup, 'kvs');   // 'ok'
 */
function terminateChild(ctx: Ctx, sup: ServerRef, idOrPid: string | Pid): Promise<'ok' | ['error', unknown]> {
  return genServer.call(ctx, sup, ['terminate_child', idOrPid], Infinity);
}

/**
 * Start a stopped child again: `['ok', pid]`, or `['error', 'running' | 'restarting' | 'not_found' | reason]`.
 *
 * @example
 * await supervisor.restartChild(node, sup, 'kvs');     // ['ok', pid]
 */
function restartChild(ctx: Ctx, sup: ServerRef, id: string): Promise<['ok', Pid | undefined] | ['error', unknown]> {
  return genServer.call(ctx, sup, ['restart_child', id], Infinity);
}

/**
 * Remove a stopped child's spec: `'ok'`, or `['error', 'running' | 'restarting' | 'not_found']`.
 *
 * @example
 * await supervisor.terminateChild(node, sup, 'kvs');
 * await supervisor.deleteChild(node, sup, 'kvs');      // 'ok'
 */
function deleteChild(ctx: Ctx, sup: ServerRef, id: string): Promise<'ok' | ['error', unknown]> {
  return genServer.call(ctx, sup, ['delete_child', id], Infinity);
}

/** The supervisor client API. */
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

/**
 * The built-in `supervisor` module: the gen_server callbacks of every supervisor, and client
 * functions for rpc and the shell (start_link, which_children, …).
 */
export const supervisorModule = defineGenServer<SupState, SupervisorSpec>(
  'supervisor',
  {
    init,
    handleCall,
    handleCast: (_self, _msg, st) => ['noreply', st],
    handleInfo,
    terminate,
  },
  {
    start: (self, spec: SupervisorSpec, opts?: StartOptions) => genServer.start(self, 'supervisor', spec, { ...opts, link: false }),
    start_link: (self, spec: SupervisorSpec, opts?: StartOptions) => genServer.start(self, 'supervisor', spec, { ...opts, link: true }),
    which_children: (self, sup: ServerRef) => whichChildren(self, sup),
    count_children: (self, sup: ServerRef) => countChildren(self, sup),
    start_child: (self, sup: ServerRef, specOrArgs: ChildSpec | unknown[]) => startChild(self, sup, specOrArgs),
    terminate_child: (self, sup: ServerRef, idOrPid: string | Pid) => terminateChild(self, sup, idOrPid),
    restart_child: (self, sup: ServerRef, id: string) => restartChild(self, sup, id),
    delete_child: (self, sup: ServerRef, id: string) => deleteChild(self, sup, id),
  },
);
