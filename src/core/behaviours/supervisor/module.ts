/**
 * The built-in `supervisor` module: the gen_server callbacks of every supervisor, and client
 * functions for rpc and the shell (start_link, which_children, …).
 */
import type { Pid } from '../../terms/pid.js';
import { defineGenServer, genServer } from '../gen-server/define.js';
import type { ServerRef, StartOptions } from '../gen-server/types.js';
import { handleCall, handleInfo, init, terminate } from './callbacks.js';
import { supervisor } from './client.js';
import type { ChildSpec, SupervisorSpec } from './spec.js';
import type { SupervisorState } from './state.js';

/**
 * The built-in `supervisor` module: the gen_server callbacks of every supervisor, and client
 * functions for rpc (start_link, which_children, …). Every node loads it at start.
 *
 * @example
 * node.module('supervisor') === supervisorModule; // true: loaded by startNode
 * await node.rpc.call('b@host', 'supervisor', 'which_children', ['top']);
 */
export const supervisorModule = defineGenServer<SupervisorState, SupervisorSpec>(
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
    which_children: (self, sup: ServerRef) => supervisor.whichChildren(self, sup),
    count_children: (self, sup: ServerRef) => supervisor.countChildren(self, sup),
    start_child: (self, sup: ServerRef, specOrArgs: ChildSpec | unknown[]) => supervisor.startChild(self, sup, specOrArgs),
    terminate_child: (self, sup: ServerRef, idOrPid: string | Pid) => supervisor.terminateChild(self, sup, idOrPid),
    restart_child: (self, sup: ServerRef, id: string) => supervisor.restartChild(self, sup, id),
    delete_child: (self, sup: ServerRef, id: string) => supervisor.deleteChild(self, sup, id),
  },
);
