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
 *
 * Files: spec.ts (spec types, checking), state.ts (SupervisorState, ChildEntry), children.ts
 * (start/stop a child, reports), restarts.ts, callbacks.ts (init, handleCall, handleInfo,
 * terminate), node-functions.ts (handing a `node` function to the supervisor), client.ts (the
 * API), module.ts (the `supervisor` module).
 */
export { supervisor } from './client.js';
export { supervisorModule } from './module.js';
export type {
  ChildCounts,
  ChildInfo,
  ChildSpec,
  ChildStart,
  ChildType,
  NodeChoice,
  RestartType,
  Strategy,
  SupervisorSpec,
} from './spec.js';
