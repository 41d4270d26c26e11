/**
 * temporary: replaced by node/service-host.ts at merge.
 *
 * The `PgHost` of today's `Node`, so that pg can be written against its host before the node
 * implements `ServiceHost`. The only file of pg/ that imports node/.
 */
import { ErlmeshError } from '../base/errors.js';
import type { ServiceHandle, ServiceSpec } from '../interfaces/service-host.js';
import type { Node } from '../node/node.js';
import type { Pid } from '../terms/pid.js';
import type { PgHost } from './types.js';

export function hostFromNode(node: Node): PgHost {
  const connected = (n: string): boolean => node.nodes('connected').includes(n);
  return {
    name: node.name,
    log: (level, text) => node.log(level, text),
    nodes: (kind) => node.nodes(kind),
    isConnected: connected,
    monitorNodes: (listener, opts) => node.monitorNodes(listener, opts),
    makeRef: () => node.runtime.makeRef(),
    startService: (spec) => startService(node, spec),
    send: (dest, msg, opts) => {
      const to = typeof dest === 'string' ? node.name : Array.isArray(dest) ? (dest as readonly [string, string])[1] : (dest as Pid).node;
      if (opts?.noconnect === true && to !== node.name && !connected(to)) return;
      node.send(dest, msg);
    },
    policyOf: (n) => node.security.policyOf(n),
    refused: (n, what) => node.security.refused(n, what),
    dropQueued: (pid, match) => void node.runtime.local(pid)?.mailbox.drain(match),
  };
}

/** Spawn and register the server; when it exits, start it again (`started(self, true)`); `gaveUp` when that fails. */
function startService(node: Node, spec: ServiceSpec): ServiceHandle {
  let current: Pid | undefined;
  let stopped = false;
  const start = (restart: boolean): void => {
    const pid = node.spawn(async (self) => {
      for (;;) spec.handle(await self.receive(), self);
    });
    const proc = node.runtime.local(pid);
    if (!proc) throw new ErlmeshError('notalive', `pg: the ${spec.name === 'pg' ? 'pg' : spec.name.slice(3)} scope server did not start`);
    try {
      node.register(spec.name, pid);
    } catch (e) {
      node.exit(pid, 'kill');
      throw e;
    }
    current = pid;
    spec.started(node._context(proc), restart);
    void node.exitReason(pid).then((reason) => {
      if (stopped) return;
      try {
        start(true);
      } catch (e) {
        // The node has stopped (spawn throws notalive), or the name was taken meanwhile.
        stopped = true;
        spec.gaveUp?.(reason, e);
      }
    });
  };
  start(false);
  return {
    pid: () => current!,
    stop: () => void (stopped = true),
  };
}
