/**
 * Temporary: replaced by node/service-host.ts at merge. A `GlobalHost` over today's `Node`
 * (the only file of global/ that knows `Node`).
 */
import { ErlmeshError } from '../base/errors.js';
import type { Self } from '../interfaces/self.js';
import type { ServiceHandle, ServiceSpec } from '../interfaces/service-host.js';
import type { Node } from '../node/node.js';
import type { Pid } from '../terms/pid.js';
import type { GlobalHost } from './host.js';

export function hostFromNode(node: Node): GlobalHost {
  const isConnected = (n: string): boolean => node.nodes('connected').includes(n);
  const run = <T>(fn: (self: Self) => T | Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      try {
        node.spawn(async (self) => (async () => fn(self))().then(resolve, reject));
      } catch (e) {
        reject(e);
      }
    });
  return {
    name: node.name,
    creation: node.creation,
    get role() {
      return node.role;
    },
    log: (level, text) => node.log(level, text),
    nodes: (kind) => node.nodes(kind),
    isConnected,
    monitorNodes: (listener, opts) => node.monitorNodes(listener, opts),
    startService: (spec) => startService(node, spec),
    run,
    send: (dest, msg, opts) => {
      const to = typeof dest === 'string' ? node.name : Array.isArray(dest) ? dest[1] : (dest as Pid).node;
      if (!opts?.noconnect || to === node.name || isConnected(to)) node.send(dest, msg);
    },
    isLocalAlive: (pid) => pid.node === node.name && node.runtime.local(pid) !== undefined,
    policyOf: (n) => node.security.policyOf(n),
    refused: (n, what) => node.security.refused(n, what),
  };
}

function startService(node: Node, spec: ServiceSpec): ServiceHandle {
  let stopped = false;
  let pid: Pid;
  const start = (restart: boolean): void => {
    const p = node.spawn(async (self) => {
      for (;;) {
        const msg: unknown = await self.receive();
        try {
          spec.handle(msg, self);
        } catch (e) {
          node.log('error', `${spec.name}: failed on a message: ${String(e)}`);
        }
      }
    });
    const proc = node.runtime.local(p);
    if (!proc) throw new ErlmeshError('notalive', `${spec.name}: the server did not start`);
    try {
      node.register(spec.name, p);
    } catch (e) {
      node.exit(p, 'kill');
      throw e;
    }
    pid = p;
    spec.started(node._context(proc), restart);
    void node.exitReason(p).then((reason) => {
      if (stopped) return;
      try {
        start(true);
      } catch (e) {
        stopped = true;
        spec.gaveUp?.(reason, e);
      }
    });
  };
  start(false);
  return { pid: () => pid, stop: () => void (stopped = true) };
}
