/**
 * What the supervisor does when a child exits: restart it or not (by its restart type),
 * count the restart against the intensity, and restart by strategy. A restart that fails to
 * start is retried later through `['$sup_try_again', key]` sent to itself.
 *
 * `ProcessContext` throughout: restarting starts children (children.ts).
 */
import type { ProcessContext } from '../../process/context.js';
import type { NoReplyResult } from '../gen-server/types.js';
import { isNormalExit } from '../../process/signals.js';
import { removeChild, shutdownChild, startChild, supReport } from './children.js';
import { isSimple, type ChildEntry, type SupervisorState } from './state.js';

export async function onChildExit(self: ProcessContext, st: SupervisorState, child: ChildEntry, reason: unknown): Promise<NoReplyResult<SupervisorState>> {
  if (!isNormalExit(reason)) supReport(self, 'child_terminated', reason, child);
  const r = child.spec.restart;
  child.pid = undefined;
  if (r === 'permanent' || (r === 'transient' && !isNormalExit(reason))) return restart(self, st, child);
  if (r === 'temporary' || isSimple(st)) removeChild(st, child);
  return ['noreply', st];
}

/** Count a restart; stop the supervisor when the intensity is exceeded, else restart by strategy. */
export async function restart(self: ProcessContext, st: SupervisorState, child: ChildEntry): Promise<NoReplyResult<SupervisorState>> {
  const now = self.node.clock.now();
  st.restarts = [now, ...st.restarts.filter((t) => t >= now - st.period)];
  if (st.restarts.length > st.intensity) {
    supReport(self, 'shutdown', 'reached_max_restart_intensity', child);
    return ['stop', 'shutdown', st];
  }
  await restartByStrategy(self, st, child);
  return ['noreply', st];
}

function tryAgainLater(self: ProcessContext, child: ChildEntry, reason: unknown): void {
  supReport(self, 'start_error', reason, child);
  child.pid = 'restarting';
  self.send(self.pid, ['$sup_try_again', child.key]);
}

async function restartByStrategy(self: ProcessContext, st: SupervisorState, child: ChildEntry): Promise<void> {
  if (st.strategy === 'one_for_one' || isSimple(st)) {
    const r = await startChild(self, child);
    if (r[0] === 'error') return tryAgainLater(self, child, r[1]);
    child.pid = r[1];
    if (r[1] === undefined && (isSimple(st) || child.spec.restart === 'temporary')) removeChild(st, child);
    return;
  }
  const at = st.children.indexOf(child);
  const group = st.strategy === 'one_for_all' ? [...st.children] : st.children.slice(at);
  for (const c of [...group].reverse()) {
    if (c === child) continue;
    await shutdownChild(self, c);
    if (c.spec.restart === 'temporary') removeChild(st, c);
  }
  for (const c of group) {
    if (!st.children.includes(c)) continue;
    const r = await startChild(self, c);
    if (r[0] === 'error') return tryAgainLater(self, child, r[1]);
    c.pid = r[1];
  }
}
