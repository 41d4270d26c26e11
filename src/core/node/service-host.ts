/**
 * The one `ServiceHost` of a node (interfaces/service-host.ts): what the services (rpc,
 * global, pg, the code server) get from the node, built from the node's parts by the node.
 * `startService` is the lifecycle global and pg each wrote for themselves: spawn, register,
 * restart when the process exits, give up once the node has stopped. The server process is a
 * gen_server (as OTP's global and pg are) running a callback module made from the spec.
 */
import { ErlmeshError } from '../base/errors.js';
import { defineGenServer, enterLoop, type From, type GenServerCallbacks } from '../behaviours/index.js';
import { formatTerm } from '../terms/format.js';
import { Pid } from '../terms/pid.js';
import type { Ref } from '../terms/ref.js';
import type { LogLevel } from '../interfaces/log.js';
import type { Self } from '../interfaces/self.js';
import type { ServiceHandle, ServiceHost, ServiceSpec } from '../interfaces/service-host.js';
import type { Bifs } from '../process/bifs.js';
import type { Guard } from '../trust/guard.js';
import type { ProcessContext } from '../process/context.js';
import type { Proc } from '../process/proc.js';
import type { SpawnSpec } from '../process/signals.js';
import { awaitDown } from '../process/await-down.js';
import { runInProcess } from '../process/run.js';
import type { ProcessRuntime } from '../process/runtime.js';
import type { NetKernel } from '../net/net-kernel.js';
import { ExitSignal } from '../process/unwind.js';

/** The parts of a node its service host is built from (the node itself passes them). */
export interface ServiceHostParts extends Pick<ServiceHost, 'name' | 'creation' | 'clock' | 'role' | 'log' | 'nodes' | 'monitorNodes'> {
  readonly net: Pick<NetKernel, 'isVouched'> | undefined;
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
  /** rpc's and erpc's wait for a remote worker's DOWN, with no process of their own (process/await-down.ts). */
  awaitDown(node: string, spec: SpawnSpec, timeoutMs: number | undefined): Promise<unknown>;
  /** The names of the servers started with `startService` (every role may send to them; each checks its own capability). */
  readonly serviceNames: ReadonlySet<string>;
}

/**
 * The gen_server callback module of a service's server (Erlang's `global` or `pg` module),
 * made from its spec. It is not loaded on the node: nothing can spawn or rpc it by name.
 * - `init` is `spec.started(self, restart)`; `startService` runs it, once the process is
 *   registered and before it enters the loop (`enterLoop`), so before its first message.
 * - `handleInfo` (every message but a gen_server call, cast or system message) is
 *   `spec.handle`; a throw is logged and the server goes on (a `self.exit` still ends it).
 * - A call is not answered (the caller times out) and logged, as OTP's global does with an
 *   unexpected call; a cast is dropped, as `spec.handle` drops a message it does not know.
 */
function serviceCallbacks(spec: ServiceSpec, label: string, log: (level: LogLevel, text: string) => void) {
  return {
    init: (self: Self, restart: boolean): ['ok', undefined] => {
      spec.started(self, restart);
      return ['ok', undefined];
    },
    handleInfo: (self, msg, state) => {
      try {
        spec.handle(msg, self);
      } catch (e) {
        if (e instanceof ExitSignal) throw e;
        log('error', `${label} failed on a message: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      }
      return ['noreply', state];
    },
    handleCall: (_self, request, from: From, state) => {
      log('warning', `${spec.name}: the server got an unexpected call ${formatTerm(request)} from ${from[0].toString()}; no reply`);
      return ['noreply', state];
    },
    handleCast: (_self, _msg, state) => ['noreply', state],
  } satisfies GenServerCallbacks<undefined, boolean>;
}

/**
 * The node's service host. `view` is how services see the cluster: `nodes` and `monitorNodes`
 * as the node's, but with foreign peers (BEAM nodes) hidden (node.ts).
 */
export function createServiceHost(parts: ServiceHostParts, view: Pick<ServiceHost, 'nodes' | 'monitorNodes'> = parts): NodeServiceHost {
  const { runtime, bifs } = parts;
  const serviceNames = new Set<string>();
  const spawn = (fn: (self: ProcessContext) => unknown): Pid => bifs.spawn(undefined, [fn]) as Pid;

  function startService(spec: ServiceSpec): ServiceHandle {
    let stopped = false;
    let pid: Pid | undefined;
    const label = spec.label ?? `${spec.name}: the server`;
    const callbacks = serviceCallbacks(spec, label, (level, text) => parts.log(level, text));
    const module = defineGenServer(spec.name, callbacks);
    const start = (restart: boolean): void => {
      // The body runs after this function returns (spawn queues it): registered and initialised by then.
      const started = spawn((self) => enterLoop(self, module, undefined, spec.name));
      const proc = runtime.local(started);
      if (!proc) throw new ErlmeshError('notalive', `${spec.name}: the server did not start`);
      proc.initialCall = [module.name, 'init', 1]; // a gen_server's, as the observer shows it
      try {
        bifs.register(spec.name, started);
      } catch (e) {
        bifs.exitSignal(undefined, started, 'kill');
        throw e;
      }
      pid = started;
      serviceNames.add(spec.name);
      callbacks.init(parts._context(proc), restart);
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
        if (!(e instanceof ErlmeshError && e.code === 'notalive')) {
          parts.log('error', `${label} exited (${String(reason)}) and could not restart: ${String(e)}`);
        }
        spec.gaveUp?.(reason, e);
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
    nodes: (kind) => view.nodes(kind),
    isConnected: (node) => bifs.isConnected(node),
    isVouched: (node) => parts.net?.isVouched(node) === true,
    monitorNodes: (listener, opts) => view.monitorNodes(listener, opts),
    makeRef: (): Ref => runtime.makeRef(),
    startService,
    run: <T>(fn: (self: ProcessContext) => T | Promise<T>): Promise<T> => runInProcess(spawn, fn),
    awaitDown: (node, spec, timeoutMs) => awaitDown(bifs, parts.clock, node, spec, timeoutMs),
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
