/**
 * The process BIFs (Erlang's `send/2`, `spawn*`, `link/1`, `monitor/2`, `exit/2`, …) that act
 * for one process of this node: `ProcessContext` (the `self` of a process) delegates to them,
 * and the node uses them for calls made from outside any process. One `Bifs` per node.
 */
import { badarg, ErlmeshError } from '../base/errors.js';
import type { SpawnSpec } from './signals.js';
import { checkTerm } from '../terms/check.js';
import { formatTerm } from '../terms/format.js';
import { isDownFor, isNameNode, isStrings } from '../terms/guards.js';
import { Pid } from '../terms/pid.js';
import { Ref } from '../terms/ref.js';
import type { Dest, MonitorTarget, SendOptions } from '../interfaces/self.js';
import type { Proc } from './proc.js';
import type { ProcessRuntime } from './runtime.js';

/** What the BIFs need from their node: its processes, whether it is up, and its connections. */
export interface BifsHost<C> {
  readonly name: string;
  readonly runtime: ProcessRuntime<C>;
  /** The group leader of processes spawned from outside any process (the `user` io server). */
  user(): Pid;
  /** The node has stopped (`stop()`). */
  stopped(): boolean;
  /** The node is distributed and running (monitorNode needs it). */
  distributed(): boolean;
  isConnected(node: string): boolean;
  /** Set up a connection to `node` in the background. */
  connect(node: string): void;
}

/** The spawn variants: `spawnLink` and `spawnMonitor`. */
export interface SpawnFlags {
  link?: boolean;
  monitor?: boolean;
}

export class Bifs<C> {
  private readonly runtime: ProcessRuntime<C>;

  constructor(private readonly host: BifsHost<C>) {
    this.runtime = host.runtime;
  }

  /** `erlang:send/2` (`!`); `from` undefined: sent from outside any process. */
  send<T>(from: Proc | undefined, dest: Dest, msg: T): T {
    checkTerm(msg);
    if (from !== undefined && !from.alive) return msg; // a dead process sends nothing
    if (dest instanceof Pid) {
      this.runtime.send(dest, msg);
    } else if (typeof dest === 'string') {
      const pid = this.runtime.registry.whereis(dest);
      if (!pid) throw badarg(`send: no process is registered as '${dest}'`, { dest });
      this.runtime.send(pid, msg);
    } else if (isNameNode(dest)) {
      const [name, node] = dest;
      this.runtime.route({ t: 'reg_send', from: from?.pid, to: name, node, msg });
    } else {
      throw badarg('send: the destination must be a pid, a registered name, or [name, node]', { dest });
    }
    return msg;
  }

  /**
   * `erlang:send/3`: as `send`, but with `noconnect` a message to another node that is not
   * connected is dropped, no connection is set up, and the answer is `'noconnect'`; else `'ok'`.
   * Badargs are those of `send`, and options that are not `{ noconnect?: boolean }`.
   */
  sendWith(from: Proc | undefined, dest: Dest, msg: unknown, opts: SendOptions): 'ok' | 'noconnect' {
    if (!isSendOptions(opts)) throw badarg('send: the options must be { noconnect?: boolean }', { opts });
    if (opts.noconnect) {
      const node = dest instanceof Pid ? dest.node : isNameNode(dest) ? dest[1] : undefined;
      if (node !== undefined && node !== this.host.name && !this.host.isConnected(node)) {
        checkTerm(msg);
        return 'noconnect';
      }
    }
    this.send(from, dest, msg);
    return 'ok';
  }

  /**
   * Parse the spawn forms (`(fn)`, `(node, fn)`, `(node, m, f, args)`, `(m, f, args)`,
   * `(node, m, f)`) and start the process, here or there.
   */
  spawn(requester: Proc | undefined, args: unknown[], flags: SpawnFlags = {}): unknown {
    const link = flags.link ?? false;
    const monitor = flags.monitor ?? false;
    if (this.host.stopped()) throw new ErlmeshError('notalive', 'spawn: the node has stopped');
    if (requester && !requester.alive) {
      // A killed body that goes on running (it was awaiting something else) starts nothing.
      const never = this.runtime.neverAlivePid();
      const out = monitor ? [never, this.runtime.makeRef()] : never;
      return args.length === 1 ? out : Promise.resolve(out);
    }
    const gl = requester?.groupLeader ?? this.host.user();
    if (args.length === 1 && typeof args[0] === 'function') {
      const fn = args[0] as (self: C) => unknown;
      const ref = monitor ? this.runtime.makeRef() : undefined;
      const p = this.runtime.start(
        { body: fn },
        { groupLeader: gl, linkTo: link ? requester : undefined, monitorFrom: ref && requester ? { proc: requester, ref } : undefined },
      );
      return monitor ? [p.pid, ref] : p.pid;
    }
    let node: string;
    let spec: SpawnSpec;
    if (args.length === 2 && typeof args[0] === 'string' && typeof args[1] === 'function') {
      node = args[0];
      spec = { kind: 'fn', source: (args[1] as () => unknown).toString() };
      if (node === this.host.name) return this.spawn(requester, [args[1]], flags);
    } else if (args.length === 4 && isStrings(args.slice(0, 3)) && Array.isArray(args[3])) {
      const [n, module, fun, fargs] = args as [string, string, string, unknown[]];
      node = n;
      spec = { kind: 'mfa', module, fun, args: fargs };
    } else if (args.length === 3 && isStrings(args.slice(0, 2)) && Array.isArray(args[2])) {
      // spawn(module, fun, args): here
      const [module, fun, fargs] = args as [string, string, unknown[]];
      node = this.host.name;
      spec = { kind: 'mfa', module, fun, args: fargs };
    } else if (args.length === 3 && isStrings(args)) {
      const [n, module, fun] = args as [string, string, string];
      node = n;
      spec = { kind: 'mfa', module, fun, args: [] };
    } else {
      throw badarg('spawn: expected (fn), (node, fn) or (node, module, fun, args)');
    }
    if (spec.kind === 'mfa') checkTerm(spec.args, 'args');
    if ((link || monitor) && !requester) throw badarg('spawnLink/spawnMonitor need a calling process');
    return this.runtime.requestSpawn(requester, gl, node, spec, link, monitor).then(({ pid, ref }) => (monitor ? [pid, ref] : pid));
  }

  link(p: Proc, pid: Pid): true {
    if (!(pid instanceof Pid)) throw badarg('link: not a pid');
    if (!p.alive || pid.equals(p.pid) || p.links.has(pid.key)) return true;
    p.links.set(pid.key, pid);
    this.runtime.route({ t: 'link', from: p.pid, to: pid });
    return true;
  }

  unlink(p: Proc, pid: Pid): true {
    if (!(pid instanceof Pid)) throw badarg('unlink: not a pid');
    // As erlang:unlink/1, the mailbox is left alone: an EXIT already queued stays there.
    if (p.links.delete(pid.key)) this.runtime.route({ t: 'unlink', from: p.pid, to: pid });
    return true;
  }

  monitor(p: Proc, target: MonitorTarget): Ref {
    const ref = this.runtime.makeRef();
    let wire: Pid | string;
    let node: string;
    let shownAs: Pid | [string, string];
    if (target instanceof Pid) {
      wire = target;
      node = target.node;
      shownAs = target;
    } else if (typeof target === 'string') {
      wire = target;
      node = this.host.name;
      shownAs = [target, this.host.name];
    } else if (isNameNode(target)) {
      wire = target[0];
      node = target[1];
      shownAs = [target[0], target[1]];
    } else {
      throw badarg('monitor: the target must be a pid, a registered name, or [name, node]');
    }
    if (!p.alive) return ref;
    p.monitors.set(ref.key, { ref, shownAs, node, target: wire });
    this.runtime.route({ t: 'monitor', from: p.pid, to: wire, node, ref });
    return ref;
  }

  demonitor(p: Proc, ref: Ref, flush: boolean): true {
    if (!(ref instanceof Ref)) throw badarg('demonitor: not a ref');
    const m = p.monitors.get(ref.key);
    if (m) {
      p.monitors.delete(ref.key);
      this.runtime.route({ t: 'demonitor', from: p.pid, to: m.target, node: m.node, ref });
    } else {
      this.runtime.cancelSpawnMonitor(p, ref);
    }
    if (flush) p.mailbox.drain((msg) => isDownFor(msg, ref));
    return true;
  }

  /** `exit(pid, reason)`: an exit signal from `p`, or from the node's `user` process when `p` is undefined. */
  exitSignal(p: Proc | undefined, pid: Pid, reason: unknown): true {
    if (!(pid instanceof Pid)) throw badarg('exit: not a pid');
    checkTerm(reason, 'reason');
    if (p === undefined) this.runtime.route({ t: 'exit2', from: this.host.user(), to: pid, reason });
    else if (p.alive) this.runtime.route({ t: 'exit2', from: p.pid, to: pid, reason });
    return true;
  }

  /** End `p` with `reason` (`crashed`: log it as a crash). */
  terminate(p: Proc, reason: unknown, crashed = false): void {
    this.runtime.terminate(p, reason, crashed);
  }

  /** Print `args` (terms formatted, strings as they are) to `p`'s group leader. */
  print(p: Proc, args: unknown[]): void {
    if (!p.alive) return;
    const text = args.map((a) => (typeof a === 'string' ? a : formatTerm(a))).join(' ') + '\n';
    this.runtime.printTo(p.groupLeader, p.pid, text);
  }

  /** Send `text` as it is to `p`'s group leader (io:put_chars). */
  putChars(p: Proc, text: string): void {
    this.runtime.printTo(p.groupLeader, p.pid, text);
  }

  monitorNode(p: Proc, node: string, flag: boolean): true {
    if (!this.host.distributed()) throw new ErlmeshError('notalive', 'monitorNode: this node is not distributed');
    if (typeof node !== 'string') throw badarg('monitorNode: node must be a string');
    if (!flag) {
      const n = p.nodeMonitors.get(node) ?? 0;
      if (n <= 1) p.nodeMonitors.delete(node);
      else p.nodeMonitors.set(node, n - 1);
      return true;
    }
    p.nodeMonitors.set(node, (p.nodeMonitors.get(node) ?? 0) + 1);
    if (node !== this.host.name && !this.host.isConnected(node)) this.host.connect(node);
    return true;
  }

  register(name: string, pid: Pid): true {
    return this.runtime.registry.register(name, pid);
  }

  /** Is there a connection to `node` (the net kernel's own table, no list built)? */
  isConnected(node: string): boolean {
    return this.host.isConnected(node);
  }

  /**
   * Spawn `erpc:<fun>(...args)` on `node`, monitored by `p` with `reply: 'error_only'` (one
   * spawn request out, one DOWN back); returns the monitor ref.
   */
  spawnMonitorErrorOnly(p: Proc, node: string, spec: SpawnSpec): Ref {
    return this.runtime.spawnMonitorErrorOnly(p, p.groupLeader, node, spec);
  }

  /**
   * As `spawnMonitorErrorOnly` from outside any process, to another node: the monitor is held
   * in the name of this node's `user` process (also the worker's group leader), and `onDown`
   * gets the DOWN's reason (`noconnection` when the node is or goes down); no local process
   * is spawned to wait for it. Returns the monitor ref (`cancelForDown` drops it).
   */
  spawnForDown(node: string, spec: SpawnSpec, onDown: (reason: unknown) => void): Ref {
    if (this.host.stopped()) throw new ErlmeshError('notalive', 'spawn: the node has stopped');
    const ref = this.runtime.makeRef();
    const user = this.host.user();
    this.runtime.spawns.requestErrorOnly(ref, user, user, node, spec, onDown);
    return ref;
  }

  /** Drop the monitor of a `spawnForDown` whose DOWN has not come (its `onDown` is not called). */
  cancelForDown(ref: Ref): void {
    this.runtime.spawns.cancel(this.host.user(), ref);
  }
}

/** `{ noconnect?: boolean }` and nothing else (as erlang:send/3, an unknown option is a badarg). */
function isSendOptions(opts: unknown): opts is SendOptions {
  if (typeof opts !== 'object' || opts === null) return false;
  for (const k in opts) if (k !== 'noconnect') return false;
  const nc = (opts as SendOptions).noconnect;
  return nc === undefined || typeof nc === 'boolean';
}
