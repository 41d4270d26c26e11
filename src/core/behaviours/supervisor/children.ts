/**
 * Starting and stopping children, and the supervisor's reports. A child start is a
 * gen_server/supervisor start (linked, waiting for init) or a spawnLink of `module.fun`.
 */
import { ErlmeshError } from '../../base/errors.js';
import type { Self } from '../../interfaces/self.js';
import type { ProcessContext } from '../../process/context.js';
import { TIMEOUT } from '../../process/mailbox.js';
import { formatTerm } from '../../terms/format.js';
import { Pid } from '../../terms/pid.js';
import { genServer } from '../gen-server/define.js';
import type { SelfOnNode, StartOptions, StartResult } from '../gen-server/types.js';
import { isFnHandle } from './node-functions.js';
import { isGenStart, type CheckedStart } from './spec.js';
import type { ChildEntry, SupervisorState } from './state.js';

export type ChildStartResult = ['ok', Pid | undefined] | ['error', unknown];

function resolveNode(self: SelfOnNode, choice: CheckedStart['node']): string {
  let n: unknown = choice;
  if (isFnHandle(choice)) {
    // The supervisor takes the function off the handle when the spec arrives (callbacks.ts);
    // a handle still here carried none (a copy from another node).
    throw new ErlmeshError('badarg', 'the node function of this child spec is not available on this node');
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

/** Start `child` (its pid is not set here). A `ProcessContext`: genServer.start links the child to it. */
export async function startChild(self: ProcessContext, child: ChildEntry): Promise<ChildStartResult> {
  const { start } = child.spec;
  try {
    const node = resolveNode(self, start.node);
    if (isGenStart(start)) {
      const isSup = start.module === 'supervisor';
      const [first, second, third] = start.args;
      const initArg = isSup ? first : withExtra(second, child.extra);
      const opts = ((isSup ? second : third) ?? {}) as StartOptions;
      const r: StartResult = await genServer.start(self, isSup ? 'supervisor' : (first as string), initArg, {
        ...opts,
        link: true,
        node,
      });
      if (r === 'ignore') return ['ok', undefined];
      return r;
    }
    const pid = await self.spawnLink(node, start.module, start.fun, [...start.args, ...(child.extra ?? [])]);
    return ['ok', pid];
  } catch (e) {
    return ['error', e instanceof ErlmeshError ? [e.code, e.message] : ['exception', e]];
  }
}

/**
 * Stop children (in parallel): unlink and monitor each, send exit 'shutdown' ('kill' for
 * brutal_kill), kill those still alive after `shutdown` ms, and wait for every DOWN.
 */
export async function shutdownPids(self: SelfOnNode, pids: Pid[], shutdown: number | 'brutal_kill'): Promise<void> {
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

export async function shutdownChild(self: SelfOnNode, child: ChildEntry): Promise<void> {
  if (child.pid instanceof Pid) await shutdownPids(self, [child.pid], child.spec.shutdown);
  child.pid = undefined;
}

/** Forget `child` (its spec, and with it the spec's node function). */
export function removeChild(st: SupervisorState, child: ChildEntry): void {
  const i = st.children.indexOf(child);
  if (i >= 0) st.children.splice(i, 1);
}

/** A SUPERVISOR REPORT on the group leader. */
export function supReport(self: Self, context: string, reason: unknown, child?: ChildEntry): void {
  const offender = child ? ` offender: ${child.id === undefined ? '' : `id=${child.id} `}pid=${child.pid instanceof Pid ? child.pid.toString() : String(child.pid)}` : '';
  self.print(`=SUPERVISOR REPORT==== supervisor: ${self.pid.toString()} errorContext: ${context} reason: ${formatTerm(reason)}${offender}`);
}
