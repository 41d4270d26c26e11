/**
 * One node's processes: the process table, local names, and the handling of every signal
 * addressed to a local process (message, link, exit, monitor, DOWN, spawn request/reply).
 *
 * Local and remote signals are the same `SignalFrame` objects and go through the same handler
 * table: `route()` hands a signal for another node to the host (the distribution layer), and
 * queues a local one. The queue is drained in a loop, never by recursion, so long link chains
 * cannot overflow the stack and signals between one pair of processes keep their order.
 *
 * Messages (`send()`) have a fast path: a message to a local process while no signal is being
 * handled goes straight to the mailbox, with no frame object. The queue is empty whenever no
 * signal is being handled, so nothing sent earlier can be overtaken; while one is (the message
 * is sent from inside a handler, e.g. by a matcher), it queues as a frame behind the others.
 */
import type { Clock } from '../base/clock.js';
import { signalTargetNode, type SignalFrame, type SpawnSpec } from './signals.js';
import { badarg } from '../base/errors.js';
import { formatTerm } from '../terms/format.js';
import { Pid } from '../terms/pid.js';
import { Ref } from '../terms/ref.js';
import { ExitSignal, ThrowSignal } from './unwind.js';
import { Proc, type ProcHost } from './proc.js';
import { Registry } from './registry.js';
import { exitSignalOutcome, isQuietReason } from './signals.js';
import { ProcessTable } from './process-table.js';
import { SpawnRequests } from './spawn-requests.js';
import { loseNode, signalHandlers, type SignalEnv, type SignalHandlers } from './signal-handlers.js';
import { refId } from '../terms/ref-ids.js';
import { initialCallOf, type InitialCall } from './initial-call.js';

/** What a process runs. `C` is the process context type handed to it. */
export type Body<C> = (self: C) => unknown;

/** A spec that cannot run here resolves to an exit reason; `initialCall`: what it shows it started with (initial-call.ts). */
export type Resolved<C> = ({ body: Body<C> } | { fail: unknown }) & { initialCall?: InitialCall };

export interface RuntimeHost<C> {
  readonly clock: Clock;
  /** Send a signal to a process on another node. */
  sendRemote(node: string, signal: SignalFrame): void;
  /** Turn a spawn spec into something runnable here. */
  resolveSpec(spec: SpawnSpec): Resolved<C>;
  makeContext(proc: Proc): C;
  /** A line for this node's log (system events, warnings). */
  log(level: 'info' | 'warning' | 'error', text: string): void;
}

export interface SpawnOptions {
  groupLeader: Pid;
  /** Link the new process to this local process. */
  linkTo?: Proc;
  /** Monitor the new process from this local process, with this ref. */
  monitorFrom?: { proc: Proc; ref: Ref };
}

export class ProcessRuntime<C> {
  readonly registry: Registry;
  private readonly table = new ProcessTable();
  /** Local process watched, by monitor ref key (for demonitor by name). */
  private readonly watchedBy = new Map<string, Proc>();
  /** @internal spawn requests awaiting an answer (Bifs.spawnForDown adds to them directly) */
  readonly spawns: SpawnRequests;
  private readonly handlers: SignalHandlers;
  private readonly handlerEnv: SignalEnv;
  /** Monitors that processes of other nodes hold on this node's processes, per node (the guard caps them). */
  private readonly remoteWatchers = new Map<string, number>();
  private nextRef = 0;
  private readonly queue: SignalFrame[] = [];
  private draining = false;
  /** Shared by every Proc of this runtime: the clock, and how a process ends when its body settles. */
  private readonly procHost: ProcHost;

  constructor(
    readonly name: string,
    /** New pids and refs carry it; a relay failover renews it (Node.creation). */
    public creation: number,
    private readonly host: RuntimeHost<C>,
  ) {
    this.registry = new Registry((pid) => this.local(pid) !== undefined);
    this.spawns = new SpawnRequests({
      route: (s) => this.route(s),
      local: (pid) => this.local(pid),
      neverAlivePid: () => this.neverAlivePid(),
      applyExit: (p, from, reason, viaLink) => this.applyExit(p, from, reason, viaLink),
      log: (level, text) => host.log(level, text),
    });
    this.handlerEnv = {
      registry: this.registry,
      watchedBy: this.watchedBy,
      spawns: this.spawns,
      local: (pid) => this.local(pid),
      route: (s) => this.route(s),
      applyExit: (p, from, reason, viaLink) => this.applyExit(p, from, reason, viaLink),
      countWatcher: (watcher, delta) => this.countWatcher(watcher, delta),
      startRequested: (s) => this.start(host.resolveSpec(s.spec), { groupLeader: s.groupLeader }),
    };
    this.handlers = signalHandlers(this.handlerEnv);
    const clock = host.clock;
    this.procHost = {
      defaultGroupLeader: undefined,
      now: () => clock.now(),
      setTimeout: (fn, ms) => clock.setTimeout(fn, ms),
      clearTimeout: (h) => clock.clearTimeout(h),
      bodyReturned: (p) => this.terminate(p, 'normal'),
      bodyFailed: (p, e) => this.bodyFailed(p, e),
    };
  }

  // ----- lookups ---------------------------------------------------------------------------

  /** The live local process `pid` names, if any (a pid of another incarnation names none). */
  local(pid: Pid): Proc | undefined {
    return pid.node === this.name ? this.ofThisNode(pid) : undefined;
  }

  /** As local(), for a pid already known to name this node. */
  private ofThisNode(pid: Pid): Proc | undefined {
    // The creation the process was born with: once a relay failover renewed the node's, a pid
    // of before still names its process, one of another incarnation of the name none.
    const p = this.table.get(pid.id);
    return p !== undefined && p.pid.serial === pid.serial && p.pid.creation === pid.creation && p.alive ? p : undefined;
  }

  isLocalNode(pid: Pid): boolean {
    return pid.node === this.name;
  }

  get processCount(): number {
    return this.table.size;
  }

  processes(): Proc[] {
    return this.table.values();
  }

  /** The group leader most processes of this node have (its `user` io server). */
  setDefaultGroupLeader(gl: Pid): void {
    this.procHost.defaultGroupLeader = gl;
  }

  /** A new reference of this node, unguessable by peers (terms/ref-ids.ts). */
  makeRef(): Ref {
    return new Ref(this.name, this.creation, refId(++this.nextRef));
  }

  /** A fresh pid of this node that never runs (Erlang's "useless pid"). */
  neverAlivePid(): Pid {
    const { id, serial } = this.table.never();
    return new Pid(this.name, id, serial, this.creation);
  }

  /** A pid no live process has: a free slot of the table with its next serial. */
  private newPid(): Pid {
    const { id, serial } = this.table.allocate();
    return new Pid(this.name, id, serial, this.creation);
  }

  // ----- routing ---------------------------------------------------------------------------

  /** Deliver a signal wherever its target lives. */
  route(s: SignalFrame): void {
    const node = signalTargetNode(s);
    if (node === this.name) this.deliver(s);
    else this.host.sendRemote(node, s);
  }

  /**
   * Send `msg` to `to` (Erlang's `!`): the same as `route({ t: 'send', to, msg })`, without the
   * frame when `to` is local and no signal is being handled.
   */
  send(to: Pid, msg: unknown): void {
    if (to.node !== this.name) {
      this.host.sendRemote(to.node, { t: 'send', to, msg });
      return;
    }
    if (this.draining) {
      this.queue.push({ t: 'send', to, msg });
      return;
    }
    const p = this.ofThisNode(to);
    if (p === undefined) return;
    // A matcher of a waiting receive runs inside deliver(); what it sends queues behind.
    this.draining = true;
    try {
      p.mailbox.deliver(msg);
      if (this.queue.length !== 0) this.drainQueue();
    } finally {
      if (this.queue.length !== 0) this.queue.length = 0;
      this.draining = false;
    }
  }

  /** Handle a signal addressed to this node (from a local process or from the network). */
  deliver(s: SignalFrame): void {
    if (this.draining) {
      this.queue.push(s);
      return;
    }
    this.draining = true;
    try {
      this.handle(s);
      this.drainQueue();
    } finally {
      if (this.queue.length !== 0) this.queue.length = 0;
      this.draining = false;
    }
  }

  private drainQueue(): void {
    for (let i = 0; i < this.queue.length; i++) this.handle(this.queue[i]!);
  }

  private handle(s: SignalFrame): void {
    (this.handlers[s.t] as (s: SignalFrame) => void)(s);
  }

  // ----- exit signals and termination ------------------------------------------------------

  private applyExit(p: Proc, from: Pid, reason: unknown, viaLink: boolean): void {
    const o = exitSignalOutcome(p, from, reason, viaLink);
    if (o.kind === 'die') this.terminate(p, o.reason);
    else if (o.kind === 'message') p.mailbox.deliver(o.msg);
  }

  /**
   * End a process: free its name, send exit signals to its links and DOWN to its monitors.
   * `crashed` prints a crash report on the process's group leader.
   */
  terminate(p: Proc, reason: unknown, crashed = false): void {
    if (!p.alive) return;
    p.mailbox.close(); // p.alive is false from here on
    this.table.delete(p);
    this.registry.removePid(p.pid);
    const links = p.linksIfAny;
    if (links !== undefined) {
      for (const to of links.values()) this.route({ t: 'exit', from: p.pid, to, reason });
      links.clear();
    }
    const watchers = p.watchersIfAny;
    if (watchers !== undefined) {
      for (const w of watchers.values()) {
        this.watchedBy.delete(w.ref.key);
        this.countWatcher(w.watcher, -1);
        this.route({ t: 'down', from: p.pid, to: w.watcher, ref: w.ref, reason });
      }
      watchers.clear();
    }
    const monitors = p.monitorsIfAny;
    if (monitors !== undefined) {
      for (const m of monitors.values()) {
        this.route({ t: 'demonitor', from: p.pid, to: m.target, node: m.node, ref: m.ref });
      }
      monitors.clear();
    }
    if (crashed && !isQuietReason(reason)) {
      this.printTo(p.groupLeader, p.pid, `Error in process ${p.pid.toString()} on node ${this.name} with exit value:\n${formatTerm(reason)}\n`);
    }
    p.finish(reason);
  }

  /** Send text to a group leader (an io server process, local or remote). */
  printTo(groupLeader: Pid, from: Pid, text: string): void {
    this.send(groupLeader, ['io_request', from, 'put_chars', text]);
  }

  // ----- spawning --------------------------------------------------------------------------

  /** Start a local process running `resolved` (a body, or a failure that exits at once). */
  start(resolved: Resolved<C>, opts: SpawnOptions): Proc {
    const p = new Proc(this.newPid(), opts.groupLeader, this.procHost, resolved.initialCall ?? ('body' in resolved ? initialCallOf(resolved.body) : 'anonymous'));
    this.table.set(p);
    if (opts.linkTo) {
      p.links.set(opts.linkTo.pid.key, opts.linkTo.pid);
      opts.linkTo.links.set(p.pid.key, p.pid);
    }
    if (opts.monitorFrom) {
      const { proc: owner, ref } = opts.monitorFrom;
      owner.monitors.set(ref.key, { ref, shownAs: p.pid, node: this.name, target: p.pid });
      p.watchers.set(ref.key, { ref, watcher: owner.pid, byName: undefined });
      this.watchedBy.set(ref.key, p);
    }
    queueMicrotask(() => {
      if ('fail' in resolved) this.terminate(p, resolved.fail, true);
      else this.run(p, resolved.body);
    });
    return p;
  }

  /**
   * Run the body and end the process with its outcome. The result is watched with one `then`
   * (Proc.watchBody, with the timing of `await result`) rather than with an async function,
   * whose suspended frame would stay alive, per process, for as long as the process waits.
   */
  private run(p: Proc, body: Body<C>): void {
    if (!p.alive) return;
    let result: unknown;
    try {
      result = body(this.host.makeContext(p));
    } catch (e) {
      this.bodyFailed(p, e);
      return;
    }
    p.watchBody(result);
  }

  private bodyFailed(p: Proc, e: unknown): void {
    if (e instanceof ExitSignal) this.terminate(p, e.reason);
    else if (e instanceof ThrowSignal) this.terminate(p, ['nocatch', e.value], true);
    else this.terminate(p, ['exception', e], true);
  }

  /**
   * Spawn on `node` (this one or another) with a spawn request, as erlang:spawn_request/5.
   * Resolves with the new pid (and the monitor ref). A node that cannot be reached gives a
   * pid that never lived, and `noconnection` through the link or monitor, as Erlang does.
   */
  requestSpawn(
    requester: Proc | undefined,
    groupLeader: Pid,
    node: string,
    spec: SpawnSpec,
    link: boolean,
    monitor: boolean,
  ): Promise<{ pid: Pid; ref: Ref }> {
    if ((link || monitor) && !requester) throw badarg('spawn with link or monitor needs a calling process');
    const ref = this.makeRef();
    if (node === this.name) {
      const p = this.start(this.host.resolveSpec(spec), {
        groupLeader,
        linkTo: link ? requester : undefined,
        monitorFrom: monitor && requester ? { proc: requester, ref } : undefined,
      });
      return Promise.resolve({ pid: p.pid, ref });
    }
    return this.spawns.request(ref, requester?.pid ?? groupLeader, groupLeader, node, spec, link, monitor);
  }

  /**
   * Spawn `spec` on `node` monitored by `requester`, as erlang:spawn_request/5 with
   * `[monitor, {reply, error_only}]`: no round trip for the pid; the one answer is
   * `['DOWN', ref, 'process', pid, reason]` (reason `noconnection` when the node is
   * unreachable). `cancelSpawnMonitor` (demonitor) drops it. Returns the monitor ref.
   */
  spawnMonitorErrorOnly(requester: Proc, groupLeader: Pid, node: string, spec: SpawnSpec): Ref {
    const ref = this.makeRef();
    if (node === this.name) {
      this.start(this.host.resolveSpec(spec), { groupLeader, monitorFrom: { proc: requester, ref } });
      return ref;
    }
    this.spawns.requestErrorOnly(ref, requester.pid, groupLeader, node, spec);
    return ref;
  }

  /** How many monitors processes of `node` hold on this node's processes (0 for this node itself). */
  watchersFrom(node: string): number {
    return this.remoteWatchers.get(node) ?? 0;
  }

  private countWatcher(watcher: Pid, delta: 1 | -1): void {
    const node = watcher.node;
    if (node === this.name) return;
    const n = (this.remoteWatchers.get(node) ?? 0) + delta;
    if (n > 0) this.remoteWatchers.set(node, n);
    else this.remoteWatchers.delete(node);
  }

  /** The node a spawn request with `ref` went to, while its answer is awaited (the guard checks replies come from there). */
  pendingSpawnNode(ref: Ref): string | undefined {
    return this.spawns.nodeOf(ref);
  }

  /** Demonitor a process spawned by `spawnMonitorErrorOnly` whose DOWN has not come yet. */
  cancelSpawnMonitor(requester: Proc, ref: Ref): boolean {
    return this.spawns.cancel(requester.pid, ref);
  }

  /** @internal the spawn requests awaiting an answer (tests look at them) */
  get pendingSpawns(): ReadonlyMap<number, unknown> {
    return this.spawns.pending;
  }

  // ----- node failure ----------------------------------------------------------------------

  /**
   * `node` is unreachable (it went down, or a connection to it could not be made): every link
   * to it gives `noconnection`, every monitor on it a DOWN with `noconnection`, every
   * monitorNode a `['nodedown', node]`, and every spawn request to it fails.
   */
  nodeDown(node: string): void {
    this.remoteWatchers.delete(node);
    this.spawns.nodeDown(node);
    for (const p of this.table.values()) loseNode(p, node, this.handlerEnv);
  }

  /** Stop every process (node shutdown). */
  shutdown(reason: unknown = 'shutdown'): void {
    for (const p of this.table.values()) this.terminate(p, reason);
  }
}
