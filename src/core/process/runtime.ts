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
import { signalTargetNode, type SignalFrame, type SignalTag, type SpawnSpec } from '../net/frames.js';
import { badarg } from '../base/errors.js';
import { formatTerm } from '../terms/format.js';
import { Pid } from '../terms/pid.js';
import { Ref } from '../terms/ref.js';
import { ExitSignal, ThrowSignal } from './unwind.js';
import { Proc, type ProcHost } from './proc.js';
import { Registry } from './registry.js';
import { exitSignalOutcome, isQuietReason } from './signals.js';
import { ProcessTable } from './process-table.js';
import { refId } from '../terms/ref-ids.js';

/** What a process runs. `C` is the process context type handed to it. */
export type Body<C> = (self: C) => unknown;

/** A spec that cannot run on this node resolves to an exit reason. */
export type Resolved<C> = { body: Body<C> } | { fail: unknown };

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

interface PendingSpawn {
  ref: Ref;
  requester: Pid;
  node: string;
  spec: SpawnSpec;
  link: boolean;
  monitor: boolean;
  /** Requested with `reply: 'error_only'`: the DOWN (or an error reply) is the only answer. */
  errorOnly?: boolean;
  resolve(r: { pid: Pid; ref: Ref }): void;
}

export interface SpawnOptions {
  groupLeader: Pid;
  /** Link the new process to this local process. */
  linkTo?: Proc;
  /** Monitor the new process from this local process, with this ref. */
  monitorFrom?: { proc: Proc; ref: Ref };
}

const noop = (): void => {};

type Handlers = { [K in SignalTag]: (s: Extract<SignalFrame, { t: K }>) => void };

export class ProcessRuntime<C> {
  readonly registry: Registry;
  private readonly table = new ProcessTable();
  /** Local process watched, by monitor ref key (for demonitor by name). */
  private readonly watchedBy = new Map<string, Proc>();
  private readonly pendingSpawns = new Map<string, PendingSpawn>();
  /** Monitors that processes of other nodes hold on this node's processes, per node (the guard caps them). */
  private readonly remoteWatchers = new Map<string, number>();
  private nextRef = 0;
  private readonly queue: SignalFrame[] = [];
  private draining = false;
  /** Shared by every Proc of this runtime: the clock, and how a process ends when its body settles. */
  private readonly procHost: ProcHost;

  constructor(
    readonly name: string,
    readonly creation: number,
    private readonly host: RuntimeHost<C>,
  ) {
    this.registry = new Registry((pid) => this.local(pid) !== undefined);
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

  /** The live local process `pid` names, if any (a pid of an old incarnation names none). */
  local(pid: Pid): Proc | undefined {
    return pid.node === this.name ? this.ofThisNode(pid) : undefined;
  }

  /** As local(), for a pid already known to name this node. */
  private ofThisNode(pid: Pid): Proc | undefined {
    if (pid.creation !== this.creation) return undefined;
    const p = this.table.get(pid.id);
    return p !== undefined && p.pid.serial === pid.serial && p.alive ? p : undefined;
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

  private readonly handlers: Handlers = {
    send: (s) => this.local(s.to)?.mailbox.deliver(s.msg),
    reg_send: (s) => {
      const pid = this.registry.whereis(s.to);
      if (pid) this.local(pid)?.mailbox.deliver(s.msg);
    },
    link: (s) => {
      const p = this.local(s.to);
      if (p) p.links.set(s.from.key, s.from);
      else this.route({ t: 'exit', from: s.to, to: s.from, reason: 'noproc' });
    },
    unlink: (s) => {
      this.local(s.to)?.linksIfAny?.delete(s.from.key);
    },
    exit: (s) => {
      const p = this.local(s.to);
      if (!p || !p.linksIfAny?.delete(s.from.key)) return;
      this.applyExit(p, s.from, s.reason, true);
    },
    exit2: (s) => {
      const p = this.local(s.to);
      if (p) this.applyExit(p, s.from, s.reason, false);
    },
    monitor: (s) => {
      const pid = typeof s.to === 'string' ? this.registry.whereis(s.to) : s.to;
      const p = pid && this.local(pid);
      if (!p) {
        this.route({ t: 'down', from: s.to, to: s.from, ref: s.ref, reason: 'noproc' });
        return;
      }
      if (!p.watchers.has(s.ref.key)) this.countWatcher(s.from, 1);
      p.watchers.set(s.ref.key, { ref: s.ref, watcher: s.from, byName: typeof s.to === 'string' ? s.to : undefined });
      this.watchedBy.set(s.ref.key, p);
    },
    demonitor: (s) => {
      const p = this.watchedBy.get(s.ref.key);
      if (!p || p.watchersIfAny?.get(s.ref.key)?.watcher.equals(s.from) !== true) return;
      this.watchedBy.delete(s.ref.key);
      p.watchersIfAny?.delete(s.ref.key);
      this.countWatcher(s.from, -1);
    },
    down: (s) => {
      const p = this.local(s.to);
      const m = p?.monitorsIfAny?.get(s.ref.key);
      if (!m) {
        const pending = this.pendingSpawns.get(s.ref.key);
        if (pending?.errorOnly && pending.requester.equals(s.to) && typeof s.from !== 'string') {
          // The DOWN of a process spawned with reply 'error_only': its first and last word.
          this.pendingSpawns.delete(s.ref.key);
          if (p?.alive) p.mailbox.deliver(['DOWN', s.ref, 'process', s.from, s.reason]);
        }
        return;
      }
      if (!p) return;
      p.monitors.delete(s.ref.key);
      p.mailbox.deliver(['DOWN', s.ref, 'process', m.shownAs, s.reason]);
    },
    spawn_request: (s) => {
      const resolved = this.host.resolveSpec(s.spec);
      const p = this.start(resolved, { groupLeader: s.groupLeader });
      if (s.link) p.links.set(s.from.key, s.from);
      if (s.monitor) {
        p.watchers.set(s.ref.key, { ref: s.ref, watcher: s.from, byName: undefined });
        this.watchedBy.set(s.ref.key, p);
        this.countWatcher(s.from, 1);
      }
      if (s.reply !== 'error_only') this.route({ t: 'spawn_reply', ref: s.ref, to: s.from, result: { ok: p.pid } });
    },
    spawn_reply: (s) => {
      const pending = this.pendingSpawns.get(s.ref.key);
      if (!pending) return;
      this.pendingSpawns.delete(s.ref.key);
      if ('error' in s.result) {
        this.failSpawn(pending, s.result.error);
        return;
      }
      const pid = s.result.ok;
      const requester = this.local(pending.requester);
      if (pending.link) {
        if (requester) requester.links.set(pid.key, pid);
        else this.route({ t: 'exit', from: pending.requester, to: pid, reason: 'noproc' });
      }
      if (pending.monitor) {
        if (requester) requester.monitors.set(s.ref.key, { ref: s.ref, shownAs: pid, node: pid.node, target: pid });
        else this.route({ t: 'demonitor', from: pending.requester, to: pid, node: pid.node, ref: s.ref });
      }
      pending.resolve({ pid, ref: s.ref });
    },
  };

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
      this.printTo(
        p.groupLeader,
        p.pid,
        `Error in process ${p.pid.toString()} on node ${this.name} with exit value:\n${formatTerm(reason)}\n`,
      );
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
    const p = new Proc(this.newPid(), opts.groupLeader, this.procHost);
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
    const from = requester?.pid ?? groupLeader;
    return new Promise((resolve) => {
      this.pendingSpawns.set(ref.key, { ref, requester: from, node, spec, link, monitor, resolve });
      this.route({ t: 'spawn_request', ref, from, groupLeader, node, spec, link, monitor });
    });
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
    const from = requester.pid;
    const pending: PendingSpawn = { ref, requester: from, node, spec, link: false, monitor: true, errorOnly: true, resolve: noop };
    this.pendingSpawns.set(ref.key, pending);
    this.route({ t: 'spawn_request', ref, from, groupLeader, node, spec, link: false, monitor: true, reply: 'error_only' });
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
    return this.pendingSpawns.get(ref.key)?.node;
  }

  /** Demonitor a process spawned by `spawnMonitorErrorOnly` whose DOWN has not come yet. */
  cancelSpawnMonitor(requester: Proc, ref: Ref): boolean {
    const pending = this.pendingSpawns.get(ref.key);
    if (!pending?.errorOnly || !pending.requester.equals(requester.pid)) return false;
    this.pendingSpawns.delete(ref.key);
    // The remote side finds the monitor by its ref; the node name stands for the unknown pid.
    this.route({ t: 'demonitor', from: requester.pid, to: pending.node, node: pending.node, ref });
    return true;
  }

  private failSpawn(pending: PendingSpawn, reason: unknown): void {
    const ref = pending.ref;
    const useless = this.neverAlivePid();
    const what = pending.spec.kind === 'mfa' ? `${pending.spec.module}:${pending.spec.fun},${formatTerm(pending.spec.args)}` : 'fun';
    const suffix = pending.link ? ' ([link])' : pending.monitor ? ' ([monitor])' : '';
    this.host.log('warning', `** Can not start ${what} on ${pending.node} **${suffix}`);
    const requester = this.local(pending.requester);
    if (requester && pending.link) this.applyExit(requester, useless, reason, true);
    if (requester?.alive && pending.monitor) requester.mailbox.deliver(['DOWN', ref, 'process', useless, reason]);
    pending.resolve({ pid: useless, ref });
  }

  // ----- node failure ----------------------------------------------------------------------

  /**
   * `node` is unreachable (it went down, or a connection to it could not be made): every link
   * to it gives `noconnection`, every monitor on it a DOWN with `noconnection`, every
   * monitorNode a `['nodedown', node]`, and every spawn request to it fails.
   */
  nodeDown(node: string): void {
    this.remoteWatchers.delete(node);
    for (const [key, pending] of [...this.pendingSpawns]) {
      if (pending.node !== node) continue;
      this.pendingSpawns.delete(key);
      this.failSpawn(pending, 'noconnection');
    }
    for (const p of this.table.values()) {
      const nodeMonitors = p.nodeMonitorsIfAny;
      const count = nodeMonitors?.get(node);
      if (nodeMonitors !== undefined && count !== undefined) {
        nodeMonitors.delete(node);
        for (let i = 0; i < count; i++) p.mailbox.deliver(['nodedown', node]);
      }
      const watchers = p.watchersIfAny;
      if (watchers !== undefined) {
        for (const [key, w] of [...watchers]) {
          if (w.watcher.node === node) {
            watchers.delete(key);
            this.watchedBy.delete(key);
          }
        }
      }
      const monitors = p.monitorsIfAny;
      if (monitors !== undefined) {
        for (const [key, m] of [...monitors]) {
          if (m.node !== node || !p.alive) continue;
          monitors.delete(key);
          p.mailbox.deliver(['DOWN', m.ref, 'process', m.shownAs, 'noconnection']);
        }
      }
      const links = p.linksIfAny;
      if (links !== undefined) {
        for (const [key, pid] of [...links]) {
          if (pid.node !== node || !p.alive) continue;
          links.delete(key);
          this.applyExit(p, pid, 'noconnection', true);
        }
      }
    }
  }

  /** Stop every process (node shutdown). */
  shutdown(reason: unknown = 'shutdown'): void {
    for (const p of this.table.values()) this.terminate(p, reason);
  }
}
