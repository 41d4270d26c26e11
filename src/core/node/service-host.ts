/**
 * The one `ServiceHost` of a node (interfaces/service-host.ts): what the services (rpc,
 * global, pg, the code server) get from the node, built from the node's parts by the node.
 * `startService` is the lifecycle global and pg each wrote for themselves: spawn, register,
 * restart when the process exits, give up once the node has stopped.
 */
import type { Clock } from '../base/clock.js';
import { ErlmeshError } from '../base/errors.js';
import { Pid } from '../terms/pid.js';
import type { Ref } from '../terms/ref.js';
import type { LogLevel } from '../interfaces/log.js';
import type { MonitorNodesOptions, NodeEvent, NodesKind } from '../interfaces/node-events.js';
import type { ServiceHandle, ServiceHost, ServiceSpec } from '../interfaces/service-host.js';
import type { Bifs } from '../process/bifs.js';
import type { Guard } from '../trust/guard.js';
import type { ProcessContext } from '../process/context.js';
import type { Proc } from '../process/proc.js';
import { runInProcess } from '../process/run.js';
import type { ProcessRuntime } from '../process/runtime.js';

/** The parts of a node its service host is built from (the node itself passes them). */
export interface ServiceHostParts {
  readonly name: string;
  readonly creation: number;
  readonly clock: Clock;
  readonly role: string | undefined;
  log(level: LogLevel, text: string): void;
  nodes(kind?: NodesKind | NodesKind[]): string[];
  monitorNodes(listener: (ev: NodeEvent) => void, opts?: MonitorNodesOptions): () => void;
  readonly runtime: ProcessRuntime<ProcessContext>;
  readonly bifs: Bifs<ProcessContext>;
  /** The capability guard's decisions (trust/guard.ts). */
  readonly capabilityGuard: Pick<Guard, 'policyOf' | 'refused'>;
  /** The `self` of a local process. */
  _context(proc: Proc): ProcessContext;
}

/** The node's ServiceHost; `run` hands the body the full `ProcessContext`. */
export interface NodeServiceHost extends ServiceHost {
  run<T>(fn: (self: ProcessContext) => T | Promise<T>): Promise<T>;
  /** The names of the servers started with `startService` (every role may send to them; each checks its own capability). */
  readonly serviceNames: ReadonlySet<string>;
}

export function createServiceHost(parts: ServiceHostParts): NodeServiceHost {
  const { runtime, bifs } = parts;
  const serviceNames = new Set<string>();
  const spawn = (fn: (self: ProcessContext) => unknown): Pid => bifs.spawn(undefined, [fn]) as Pid;
  const isConnected = (node: string): boolean => parts.nodes('connected').includes(node);

  function startService(spec: ServiceSpec): ServiceHandle {
    let stopped = false;
    let pid: Pid | undefined;
    const start = (restart: boolean): void => {
      const started = spawn(async (self) => {
        for (;;) {
          const msg = await self.receive();
          try {
            spec.handle(msg, self);
          } catch (e) {
            parts.log('error', `${spec.name}: the server failed on a message: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
          }
        }
      });
      const proc = runtime.local(started);
      if (!proc) throw new ErlmeshError('notalive', `${spec.name}: the server did not start`);
      try {
        bifs.register(spec.name, started);
      } catch (e) {
        bifs.exitSignal(undefined, started, 'kill');
        throw e;
      }
      pid = started;
      serviceNames.add(spec.name);
      spec.started(parts._context(proc), restart);
      void proc.exited.then((reason) => exited(reason));
    };
    const exited = (reason: unknown): void => {
      if (stopped) return;
      try {
        start(true);
      } catch (e) {
        // The node has stopped (spawn throws notalive), or the name was taken meanwhile.
        stopped = true;
        serviceNames.delete(spec.name);
        if (spec.gaveUp) spec.gaveUp(reason, e);
        else if (!(e instanceof ErlmeshError && e.code === 'notalive')) {
          parts.log('error', `${spec.name}: the server exited (${String(reason)}) and could not restart: ${String(e)}`);
        }
      }
    };
    start(false);
    return {
      pid: () => pid as Pid,
      stop: () => {
        if (stopped) return;
        stopped = true;
        serviceNames.delete(spec.name);
        if (pid) bifs.exitSignal(undefined, pid, 'kill');
      },
    };
  }

  return {
    name: parts.name,
    creation: parts.creation,
    clock: parts.clock,
    get role() {
      return parts.role;
    },
    serviceNames,
    log: (level, text) => parts.log(level, text),
    nodes: (kind) => parts.nodes(kind),
    isConnected,
    monitorNodes: (listener, opts) => parts.monitorNodes(listener, opts),
    makeRef: (): Ref => runtime.makeRef(),
    startService,
    run: <T>(fn: (self: ProcessContext) => T | Promise<T>): Promise<T> => runInProcess(spawn, fn),
    spawn,
    spawnOn: (node, module, fun, args) => bifs.spawn(undefined, [node, module, fun, args]) as Promise<Pid>,
    // The BIFs of `self.send`, from outside any process.
    send: (dest, msg, opts) => void (opts === undefined ? bifs.send(undefined, dest, msg) : bifs.sendWith(undefined, dest, msg, opts)),
    exit: (pid, reason) => bifs.exitSignal(undefined, pid, reason),
    whereis: (name) => runtime.registry.whereis(name),
    isLocalAlive: (pid) => pid instanceof Pid && runtime.local(pid) !== undefined,
    dropQueued: (pid, match) => void runtime.local(pid)?.mailbox.drain(match),
    exitReason: async (pid) => runtime.local(pid)?.exited ?? 'noproc',
    policyOf: (node) => parts.capabilityGuard.policyOf(node),
    refused: (node, what) => parts.capabilityGuard.refused(node, what),
  };
}
