/**
 * The gen_server callbacks of the `supervisor` module: `init` checks the spec and starts the
 * children in order; `handleCall` serves the client API; `handleInfo` handles child EXITs
 * and retries; `terminate` stops the children in reverse order.
 *
 * `ProcessContext` where children are started (init, handleCall, handleInfo); `terminate`
 * only stops them.
 */
import type { ProcessContext } from '../../process/context.js';
import { formatTerm } from '../../terms/format.js';
import { sameTerm } from '../../codec/term-equal.js';
import { Pid } from '../../terms/pid.js';
import type { CallResult, NoReplyResult, SelfOnNode } from '../gen-server/types.js';
import { removeChild, shutdownChild, shutdownPids, startChild, type ChildStartResult } from './children.js';
import { isFnHandle, nodeFnOf } from './node-functions.js';
import { onChildExit, restart } from './restarts.js';
import { checkChildSpec, STRATEGIES, type CheckedSpec, type ChildCounts, type ChildInfo, type SupervisorSpec } from './spec.js';
import { isSimple, type ChildEntry, type SupervisorState } from './state.js';

export async function init(self: ProcessContext, spec: SupervisorSpec): Promise<['ok', SupervisorState] | ['stop', unknown]> {
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
  const st: SupervisorState = { strategy, intensity, period, children: [], template: undefined, restarts: [], nextKey: 0 };
  const simple = strategy === 'simple_one_for_one';
  if (simple && children.length !== 1) return ['stop', ['bad_start_spec', 'simple_one_for_one needs exactly one child spec']];
  const specs: CheckedSpec[] = [];
  for (const c of children) {
    const n = checkChildSpec(c, simple);
    if ('error' in n) return ['stop', ['start_spec', n.error]];
    if (!simple && specs.some((s) => s.id === n.ok.id)) return ['stop', ['start_spec', ['duplicate_child_name', n.ok.id]]];
    specs.push(n.ok);
  }
  if (simple) {
    st.template = specs[0];
    return ['ok', st];
  }
  for (const spec of specs) {
    const child: ChildEntry = { key: st.nextKey++, id: spec.id, spec, pid: undefined };
    const r = await startChild(self, child);
    if (r[0] === 'error') {
      for (const c of [...st.children].reverse()) await shutdownChild(self, c);
      return ['stop', ['shutdown', ['failed_to_start_child', spec.id, r[1]]]];
    }
    child.pid = r[1];
    if (r[1] !== undefined || spec.restart !== 'temporary') st.children.push(child);
  }
  return ['ok', st];
}

function findById(st: SupervisorState, id: unknown): ChildEntry | undefined {
  return st.children.find((c) => c.id !== undefined && sameTerm(c.id, id));
}

/** The stopped child `id` (neither running nor restarting), or the error restartChild and deleteChild answer with. */
function stoppedChild(st: SupervisorState, id: unknown): ChildEntry | ['error', unknown] {
  if (isSimple(st)) return ['error', 'simple_one_for_one'];
  const child = findById(st, id);
  if (!child) return ['error', 'not_found'];
  if (child.pid instanceof Pid) return ['error', 'running'];
  if (child.pid === 'restarting') return ['error', 'restarting'];
  return child;
}

function findByPid(st: SupervisorState, pid: unknown): ChildEntry | undefined {
  return pid instanceof Pid ? st.children.find((c) => c.pid instanceof Pid && c.pid.equals(pid)) : undefined;
}

export async function handleCall(self: ProcessContext, req: unknown, _from: unknown, st: SupervisorState): Promise<CallResult<SupervisorState>> {
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
      const child = isSimple(st) ? findByPid(st, arg) : findById(st, arg);
      if (!child) return ['reply', ['error', isSimple(st) && !(arg instanceof Pid) ? 'simple_one_for_one' : 'not_found'], st];
      await shutdownChild(self, child);
      if (isSimple(st) || child.spec.restart === 'temporary') removeChild(st, child);
      return ['reply', 'ok', st];
    }
    case 'restart_child': {
      const child = stoppedChild(st, arg);
      if (Array.isArray(child)) return ['reply', child, st];
      const r = await startChild(self, child);
      if (r[0] === 'ok') child.pid = r[1];
      return ['reply', r, st];
    }
    case 'delete_child': {
      const child = stoppedChild(st, arg);
      if (Array.isArray(child)) return ['reply', child, st];
      removeChild(st, child);
      return ['reply', 'ok', st];
    }
    default:
      return ['reply', ['error', ['badcall', req]], st];
  }
}

/** A spec's start, with the `node` function its handle carries (node-functions.ts) taken into the spec. */
function withNodeFunction(spec: CheckedSpec): CheckedSpec {
  const node = spec.start.node;
  const fn = isFnHandle(node) ? nodeFnOf(node) : undefined;
  return fn ? { ...spec, start: { ...spec.start, node: fn } } : spec;
}

async function startChildCall(self: ProcessContext, st: SupervisorState, arg: unknown): Promise<ChildStartResult> {
  if (isSimple(st)) {
    if (!Array.isArray(arg)) return ['error', ['badarg', 'simple_one_for_one: startChild takes a list of extra arguments']];
    const child: ChildEntry = { key: st.nextKey++, id: undefined, spec: st.template!, pid: undefined, extra: arg };
    const r = await startChild(self, child);
    if (r[0] === 'ok' && r[1] !== undefined) {
      child.pid = r[1];
      st.children.push(child);
    }
    return r;
  }
  const n = checkChildSpec(arg, false);
  if ('error' in n) return ['error', n.error];
  const existing = findById(st, n.ok.id);
  if (existing) return ['error', existing.pid instanceof Pid ? ['already_started', existing.pid] : 'already_present'];
  const spec = withNodeFunction(n.ok);
  const child: ChildEntry = { key: st.nextKey++, id: spec.id, spec, pid: undefined };
  const r = await startChild(self, child);
  if (r[0] === 'ok') {
    child.pid = r[1];
    if (r[1] !== undefined || spec.restart !== 'temporary') st.children.push(child);
  }
  return r;
}

export async function handleInfo(self: ProcessContext, msg: unknown, st: SupervisorState): Promise<NoReplyResult<SupervisorState>> {
  if (Array.isArray(msg) && msg[0] === 'EXIT' && msg.length === 3) {
    const child = findByPid(st, msg[1]);
    if (child) return onChildExit(self, st, child, msg[2]);
    return ['noreply', st];
  }
  if (Array.isArray(msg) && msg[0] === '$sup_try_again') {
    const child = st.children.find((c) => c.key === msg[1]);
    if (child && child.pid === 'restarting') {
      child.pid = undefined;
      return restart(self, st, child);
    }
    return ['noreply', st];
  }
  self.node.log('warning', `supervisor ${self.pid.toString()} received an unexpected message: ${formatTerm(msg)}`);
  return ['noreply', st];
}

export async function terminate(self: SelfOnNode, _reason: unknown, st: SupervisorState): Promise<void> {
  if (!st) return;
  if (isSimple(st)) {
    const pids = st.children.map((c) => c.pid).filter((p): p is Pid => p instanceof Pid);
    if (pids.length > 0) await shutdownPids(self, pids, st.template!.shutdown);
    for (const c of st.children) c.pid = undefined;
    return;
  }
  for (const c of [...st.children].reverse()) await shutdownChild(self, c);
}
