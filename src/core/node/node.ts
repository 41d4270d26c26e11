/**
 * A node: a name, a cookie, processes, loaded modules, and connections to other nodes; a thin
 * facade (`NodeApi`) over its parts: the process runtime and BIFs (process/), the code server
 * (modules/code-server.ts), the net kernel (net/), the capability guard (trust/guard.ts), the
 * service host (node/service-host.ts) and the services the composition root gives it
 * (node/start-node.ts, which also has `startNode`).
 */
import { realClock, type Clock } from '../base/clock.js';
import { Emitter } from '../base/emitter.js';
import { badarg, ErlmeshError, type ErlmeshErrorCode } from '../base/errors.js';
import type { SignalFrame } from '../net/frames.js';
import type { NetKernel } from '../net/net-kernel.js';
import { subscribeNodeEvents, type NodeChange } from '../net/node-events.js';
import type { MembershipChange, Transport } from '../net/transport.js';
import { NOT_ALIVE_NAME } from '../terms/node-names.js';
import { Pid } from '../terms/pid.js';
import type { Guard } from '../trust/guard.js';
import type { TicketSource } from '../trust/ticket.js';
import type { LogEntry, LogLevel } from '../interfaces/log.js';
import type { NodeApi } from '../interfaces/node-api.js';
import type { MonitorNodesOptions, NodeEvent, NodesKind } from '../interfaces/node-events.js';
import type { SendOptions } from '../interfaces/self.js';
import { CodeServer } from '../modules/code-server.js';
import type { ErlModule } from '../modules/module.js';
import { Bifs } from '../process/bifs.js';
import { ProcessContext, contextClassFor, type Dest, type ProcessFn } from '../process/context.js';
import { processInfo, type ProcessInfo } from '../process/info.js';
import type { Proc } from '../process/proc.js';
import { ProcessRuntime } from '../process/runtime.js';
import type { Erpc } from '../rpc/erpc.js';
import type { Rpc } from '../rpc/rpc.js';
import type { Global } from '../global/global.js';
import type { Pg } from '../pg/pg.js';
import type { NodeOptions } from './options.js';
import { Cookies } from './cookies.js';
import { listNodes, startGuard, startNetKernel, waitForAttempts } from './wiring.js';
import { createServiceHost, type NodeServiceHost } from './service-host.js';
import { PeerRoutes, type ForeignHooks, type ForeignRoute } from './peer-routes.js';
import { attachDefaultOutput, startUserIo } from './user-io.js';
import { PendingNodeDowns } from './pending-node-downs.js';

export type { NodeOptions, LogEntry, LogLevel } from './options.js';
import type { NodeComposition } from './composition.js';

/**
 * A running node (from `startNode`): processes, modules, `rpc`, `erpc`, `global`, `pg`.
 * @example
 * const node = await startNode({ sname: 'a', cookie: 'abc', transport: net.transport() });
 * node.spawn(async (self) => self.print('hello from', self.node.name));
 * node.nodes();
 * await node.stop();
 */
export class Node implements NodeApi {
  readonly name: string;
  /** This node's incarnation number; a relay failover renews it (new pids and refs carry the new one). */
  get creation(): number { return this.runtime.creation; }
  readonly rpc: Rpc;
  /** rpc that raises Erlang-style exceptions (ErpcError). */
  readonly erpc: Erpc;
  /** Cluster-wide names (Erlang's global). */
  readonly global: Global;
  /** Process groups (Erlang's pg), default scope; `pg.scope(name)` for others. */
  readonly pg: Pg;
  /** @internal */ readonly runtime: ProcessRuntime<ProcessContext>;
  /** @internal the process BIFs of this node */ readonly bifs: Bifs<ProcessContext>;
  /** @internal what ticket holders may do here (trust/guard.ts) */ readonly capabilityGuard: Guard;
  /** @internal the one ServiceHost of this node */ readonly host: NodeServiceHost;
  /** @internal the node's clock */ readonly clock: Clock;
  /** @internal */ readonly net: NetKernel | undefined;
  private readonly transport: Transport | undefined;
  private readonly code = new CodeServer();
  private readonly outputs: Emitter<string>;
  private readonly logs: Emitter<LogEntry>;
  private readonly nodeEvents: Emitter<NodeChange>;
  private readonly cookies: Cookies;
  private allowList: Set<string> | undefined;
  private readonly user: Pid;
  private stopped = false;
  private readonly nodeDowns = new PendingNodeDowns((n) => this.runtime.nodeDown(n));
  /** @internal where signals for other nodes go (peer-routes.ts); the observer reads its counters */ readonly routes = new PeerRoutes(() => this.net);
  private contextClass: (new (proc: Proc) => ProcessContext) | undefined;

  /** @internal use startNode (node/start-node.ts) */
  constructor(
    opts: NodeOptions,
    name: string,
    creation: number,
    private readonly tickets: TicketSource | undefined,
    composition: NodeComposition,
    membership = false,
  ) {
    this.name = name;
    this.clock = opts.clock ?? realClock;
    this.transport = opts.transport;
    this.cookies = new Cookies(name === NOT_ALIVE_NAME ? undefined : opts.cookie);
    const onError = (what: string) => (e: unknown) => this.log('error', `${what} listener failed: ${String(e)}`);
    this.logs = new Emitter<LogEntry>();
    this.outputs = new Emitter<string>(onError('output'));
    this.nodeEvents = new Emitter<NodeChange>(onError('monitorNodes'));
    attachDefaultOutput(opts, this.outputs, this.logs);
    this.runtime = new ProcessRuntime<ProcessContext>(name, creation, {
      clock: this.clock,
      sendRemote: (node, s) => this.sendRemote(node, s),
      resolveSpec: (spec) => this.code.resolveSpec(spec),
      makeContext: (proc) => this._context(proc),
      log: (level, text) => this.log(level, text),
    });
    this.bifs = new Bifs<ProcessContext>({
      name,
      runtime: this.runtime,
      user: () => this.user,
      stopped: () => this.stopped,
      distributed: () => this.net !== undefined && !this.stopped,
      isConnected: (n) => this.routes.isConnected(n),
      connect: (n) => void this.routes.whenConnected(n),
    });
    // Every role may reach the name services; global and pg check their own capability.
    const isService = (n: string): boolean => this.host.serviceNames.has(n);
    this.capabilityGuard = startGuard(opts.capabilities, this.runtime, this.clock, () => this.net, isService, (l, t) => this.log(l, t));
    this.net = startNetKernel(opts, name, this.clock, tickets, this.runtime as ProcessRuntime<unknown>, membership, {
      cookieFor: (peer) => this.getCookie(peer),
      isAllowed: (peer) => !this.allowList || this.allowList.has(peer),
      onSignal: (s, peer, role) => this._remoteSignal(s, peer, role),
      onNodeDown: (node) => this.nodeDowns.schedule(node),
      onChange: (c) => this.nodeEvents.emit(this.capabilityGuard.nodeChange(c)),
      log: (level, text) => this.log(level, text),
    });
    // Services see foreign peers (BEAM nodes) as hidden: they speak neither global's nor pg's protocol.
    this.host = createServiceHost(this, { nodes: (k = 'visible') => listNodes(name, this.net && this.routes.forServices, k), monitorNodes: (l, o) => subscribeNodeEvents(this.nodeEvents, l, o, true) });
    for (const m of composition.modules) this.load(m);
    for (const m of opts.modules ?? []) this.load(m);
    this.rpc = composition.rpc(this.host);
    this.erpc = composition.erpc(this.host, this.rpc);
    // The group leader of processes started here: an io server printing to this node's output.
    this.user = startUserIo(this.runtime, (text) => this.outputs.emit(text));
    // Services run as processes of this node, as in OTP's kernel.
    this.global = composition.global(this.host);
    this.pg = composition.pg(this.host);
  }

  // ----- identity and membership -----------------------------------------------------------

  /** Printed (console.log, the shell, util.inspect) as `#Node<name>`: never its cookie or internals. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `#Node<${this.name}>`;
  }

  /** This node's role: its join ticket's, or undefined for a cookie holder. */
  get role(): string | undefined {
    return this.tickets?.role;
  }

  /**
   * The role of the connected peer `node`: its join ticket's (as verified in the handshake),
   * undefined for a cookie holder, null when not connected.
   * @example
   * node.roleOf('tab-k3x9q2@myhost')  // 'guest'
   */
  roleOf(node: string): string | undefined | null {
    return this.net ? this.net.roleOf(node) : null;
  }

  /** True when the node is distributed (has a name other than nonode@nohost). */
  isAlive(): boolean {
    return this.net !== undefined && !this.stopped;
  }

  /**
   * Connected nodes. `nodes()` = visible peers; also `'hidden'`, `'connected'` (all),
   * `'this'`, or a list of kinds, e.g. `nodes(['visible', 'this'])`.
   */
  nodes(kind: NodesKind | NodesKind[] = 'visible'): string[] {
    return listNodes(this.name, this.net && this.routes, kind);
  }

  /** `'pong'` when `node` can be reached (connecting if needed), else `'pang'`; see `lastConnectError`. */
  async ping(node: string): Promise<'pong' | 'pang'> {
    if (node === this.name && this.isAlive()) return 'pong';
    if (!this.net || this.stopped) return 'pang';
    return (await this.routes.whenConnected(node)) ? 'pong' : 'pang';
  }

  /** Why the last attempt to connect to `node` failed (`bad_cookie`, `not_allowed`, `name_mode_mismatch`, …). */
  lastConnectError(node: string): ErlmeshErrorCode | undefined {
    if (!this.net) return 'notalive';
    return this.net.lastConnectError(node);
  }

  /** Close the connection to `node` (reason `disconnect` here, `connection_closed` there). */
  disconnect(node: string): boolean {
    return this.net ? this.routes.disconnect(node) : false;
  }

  /**
   * Subscribe to nodeup/nodedown (see node-events.ts for the three shapes). Returns `off()`.
   * @example
   * const off = node.monitorNodes((ev) => console.log(ev), { nodedownReason: true });
   * // ['nodedown', 'b@host', { nodedownReason: 'connection_closed' }]
   */
  monitorNodes(listener: (ev: NodeEvent) => void, opts?: MonitorNodesOptions): () => void {
    return subscribeNodeEvents(this.nodeEvents, listener, opts);
  }

  /** Only these nodes may connect to this one (net_kernel:allow/1). */
  allow(nodes: string[]): true {
    if (!Array.isArray(nodes) || nodes.some((n) => typeof n !== 'string')) throw badarg('allow: expects a list of node names');
    this.allowList = new Set([...(this.allowList ?? []), ...nodes]);
    return true;
  }

  /** Set this node's cookie, or the cookie used with one node. */
  setCookie(cookie: string): true;
  setCookie(node: string, cookie: string): true;
  setCookie(a: string, b?: string): true {
    if (!this.isAlive()) throw new ErlmeshError('distribution_not_started', 'setCookie: this node is not distributed');
    return b === undefined ? this.cookies.set(a) : this.cookies.set(b, a);
  }

  /** This node's cookie, or the one used with `node`; `'nocookie'` when not distributed. */
  getCookie(node?: string): string {
    return this.isAlive() ? this.cookies.get(node) : 'nocookie';
  }

  // ----- output ----------------------------------------------------------------------------

  /** Group-leader output printed on this node (print, io.format, crash reports). */
  onOutput(listener: (text: string) => void): () => void {
    return this.outputs.on(listener);
  }

  /** System log lines (refused connections, timeouts, spawn failures). */
  onLog(listener: (entry: LogEntry) => void): () => void {
    return this.logs.on(listener);
  }

  /** @internal a line for this node's system log */
  log(level: LogLevel, text: string): void {
    this.logs.emit({ level, node: this.name, text });
  }

  // ----- modules (modules/code-server.ts) --------------------------------------------------

  /** Make a module's functions spawnable and rpc-callable on this node (replaces an older version). */
  load(mod: ErlModule): true {
    return this.code.load(mod);
  }

  /** The loaded module called `name`. */
  module(name: string): ErlModule | undefined {
    return this.code.module(name);
  }

  /** Names of loaded modules. */
  loadedModules(): string[] {
    return this.code.loadedModules();
  }

  /**
   * Load `mod` here and on every connected node, shipping its functions as source (Erlang's
   * `nl/1`). Its functions must be self-contained (no closure over local variables).
   */
  nl(mod: ErlModule): Promise<{ nodes: string[]; badNodes: string[] }> {
    return this.code.nl(mod, this.nodes('connected'), this.rpc);
  }

  /**
   * Call `module.fun(self, ...args)` in the calling process. A missing module or function
   * throws `UndefinedFunction` (exit reason `['undef', [m, f, args]]`).
   */
  apply(self: ProcessContext, module: string, fun: string, args: unknown[] = []): unknown {
    return this.code.apply(self, module, fun, args);
  }

  // ----- processes -------------------------------------------------------------------------

  /**
   * Spawn a process. `spawn(fn)` runs here and returns its Pid; `spawn(node, fn)` ships `fn`
   * as source; `spawn(node, module, fun, args)` runs a loaded module's function there.
   */
  spawn(fn: ProcessFn): Pid;
  spawn(node: string, fn: ProcessFn): Promise<Pid>;
  spawn(node: string, module: string, fun: string, args?: unknown[]): Promise<Pid>;
  spawn(...args: unknown[]): Pid | Promise<Pid> {
    return this.bifs.spawn(undefined, args) as Pid | Promise<Pid>;
  }

  /**
   * Run `fn` in a throwaway local process and settle with what it returns or throws
   * (the service host's `run`, over process/run.ts); see `NodeApi.run`.
   * @example
   * const v = await node.run((self) => self.receive(undefined, 10));
   */
  run<T>(fn: (self: ProcessContext) => T | Promise<T>): Promise<T> {
    return this.host.run(fn);
  }

  /** Send from outside any process; with options (`{ noconnect: true }`) as `self.send`: `'ok'` or `'noconnect'`. */
  send<T>(dest: Dest, msg: T): T;
  send(dest: Dest, msg: unknown, opts: SendOptions): 'ok' | 'noconnect';
  send(dest: Dest, msg: unknown, opts?: SendOptions): unknown {
    return opts === undefined ? this.bifs.send(undefined, dest, msg) : this.bifs.sendWith(undefined, dest, msg, opts);
  }

  /** Send an exit signal from outside any process (the sender is this node's `user` process). */
  exit(pid: Pid, reason: unknown): true {
    return this.bifs.exitSignal(undefined, pid, reason);
  }

  register(name: string, pid: Pid): true { return this.runtime.registry.register(name, pid); }

  unregister(name: string): true { return this.runtime.registry.unregister(name); }

  whereis(name: string): Pid | undefined { return this.runtime.registry.whereis(name); }

  registered(): string[] { return this.runtime.registry.registered(); }

  /** True for a live local process; `badarg` for a remote pid (as erlang:is_process_alive/1). */
  isProcessAlive(pid: Pid): boolean {
    if (!(pid instanceof Pid) || pid.node !== this.name) throw badarg('isProcessAlive: not a local pid');
    return this.runtime.local(pid) !== undefined;
  }

  /**
   * For a live local process: resolves with its exit reason once it exits. For a pid that is
   * not alive (already exited, remote, or never existed): `'noproc'` at once.
   */
  async exitReason(pid: Pid): Promise<unknown> {
    return this.host.exitReason(pid);
  }

  /**
   * What this node knows of a live local process (Erlang's process_info/1, in part):
   * undefined when it is not alive; `badarg` for a remote pid or a non-pid.
   * @example
   * node.processInfo(pid);
   * // { messageQueueLen: 0, messagesDropped: 0, maxMailbox: undefined, trapExit: false, registeredName: undefined, … }
   */
  processInfo(pid: Pid): ProcessInfo | undefined {
    if (!(pid instanceof Pid) || pid.node !== this.name) throw badarg('processInfo: not a local pid');
    const p = this.runtime.local(pid);
    return p && processInfo(p, this.runtime.registry);
  }

  /** Stop the node: every process exits with `shutdown`, peers see nodedown. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.net?.close();
    const foreignClosed = this.routes.close(); // BEAM connections end now, as the net kernel's did
    this.runtime.shutdown('shutdown');
    await Promise.all([foreignClosed, this.transport?.close()]);
  }

  // ----- internals: the transport's callbacks, and the runtime's ---------------------------

  /** @internal */
  _accept(ch: Parameters<NetKernel['accept']>[0]): void {
    return this.net ? this.net.accept(ch) : ch.close('not_distributed');
  }

  /** @internal the transport's rendezvous lists these nodes: connect to them (connect_all) */
  _joinMesh(peers: string[], waitMs = 0): Promise<void> {
    return waitForAttempts(this.clock, this.net?.joinMesh(peers) ?? [], waitMs);
  }

  /** @internal the relay's membership (net/relay-membership.ts); who it cannot vouch for is dialled */
  _members(changes: MembershipChange[], snapshot: boolean, waitMs = 0): Promise<void> {
    return this._joinMesh(this.net?.members(changes, snapshot) ?? [], waitMs);
  }

  private sendRemote(node: string, s: SignalFrame): void {
    if (this.net && !this.stopped) this.routes.send(node, s, (n, x) => this.net!.send(n, x));
    else this.nodeDowns.schedule(node);
  }

  /** @internal reach some nodes another way than the net kernel (BEAM; node/peer-routes.ts) */
  _attachForeign(make: (hooks: ForeignHooks) => ForeignRoute): ForeignRoute {
    const deliver = (s: SignalFrame, peer: string) => this._remoteSignal(s, peer, undefined);
    return this.routes.attach(make({ name: this.name, creation: this.creation, log: (l, t) => this.log(l, t), deliver, nodeDown: (n) => this.nodeDowns.schedule(n), change: (c) => this.nodeEvents.emit(c) }));
  }

  /** The `self` of local process `proc`. @internal */
  _context(proc: Proc): ProcessContext {
    return new (this.contextClass ??= contextClassFor(this, this.bifs))(proc);
  }

  /**
   * A signal from the connected node `peer` (`role` undefined: a cookie holder). The
   * capability checks for ticket holders go here (trust/guard.ts).
   * @internal
   */
  _remoteSignal(s: SignalFrame, peer: string, role: string | undefined): void {
    this.nodeDowns.flush(peer);
    if (role === undefined || this.capabilityGuard.admit(s, peer, role)) this.runtime.deliver(s);
  }
}
