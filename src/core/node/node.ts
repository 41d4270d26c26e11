/**
 * A node: a name, a cookie, processes, loaded modules, and connections to other nodes.
 * `startNode` is the entry point; the platform entries (`erlmesh/server`, `erlmesh/browser`)
 * supply a transport and defaults.
 */
import { realClock, type Clock } from '../base/clock.js';
import { webCrypto, type DistCrypto } from '../net/proofs.js';
import { NetKernel } from '../net/net-kernel.js';
import { NOT_ALIVE_NAME, parseNodeName } from '../terms/node-names.js';
import { checkMonitorNodesOptions, shapeNodeEvent, type MonitorNodesOptions, type NodeChange, type NodeEvent } from '../net/node-events.js';
import type { NameMode, SignalFrame, SpawnSpec } from '../net/frames.js';
import type { Transport } from '../net/transport.js';
import { checkEncodings, type WireEncoding } from '../net/encodings.js';
import { badarg, ErlmeshError, type ErlmeshErrorCode } from '../base/errors.js';
import { builtinModules } from '../modules/builtins.js';
import { compileFunction, moduleFromSources, moduleFunction, moduleSources, UndefinedFunction, type ErlModule } from '../modules/module.js';
import { ProcessContext, contextClassFor, type Dest, type ProcessFn } from '../process/context.js';
import type { Proc } from '../process/proc.js';
import { ProcessRuntime, type Resolved } from '../process/runtime.js';
import { Rpc } from '../rpc/rpc.js';
import { Erpc } from '../rpc/erpc.js';
import { Global } from '../global/global.js';
import { isPgScopeName, Pg } from '../pg/pg.js';
import { SERVER_NAME as GLOBAL_SERVER } from '../global/name-server.js';
import { Pid } from '../terms/pid.js';
import { Emitter } from '../base/emitter.js';
import { TicketSource, type TicketOption } from '../trust/ticket.js';
import { checkCapabilities } from '../trust/capabilities.js';
import { Guard } from '../trust/guard.js';
import type { Capabilities } from '../interfaces/trust.js';
import type { NodeApi } from '../interfaces/node-api.js';
import { processInfo, type ProcessInfo } from '../process/info.js';
import { Bifs } from '../process/bifs.js';

export type LogLevel = 'info' | 'warning' | 'error';
export interface LogEntry {
  level: LogLevel;
  node: string;
  text: string;
}

export interface NodeOptions {
  /** Short name: `'gandalf'` → `gandalf@<host>`; or a full `'gandalf@host'`. */
  sname?: string;
  /** Long name: `'gandalf@10.0.0.5'` or `'gandalf@host.example.com'`. */
  name?: string;
  /** Host part for `sname` without `@` (platforms pass the short host name). Default `'localhost'`. */
  host?: string;
  /** Required for a named node (platform entries read `~/.erlang.cookie`), unless it has a `ticket`. */
  cookie?: string;
  /**
   * A join ticket (src/core/trust/ticket.ts) instead of the cookie: the node joins as an
   * untrusted ticket holder in the ticket's role (`node.role`). A function is called anew
   * before each relay (re)registration and each handshake, so pages can use short-lived
   * tickets. Not together with `cookie`.
   *
   * @example
   * await startNode({ ticket: () => fetch('/erlmesh/ticket').then((r) => r.text()) });  // erlmesh/browser
   */
  ticket?: TicketOption;
  /** How this node reaches others; required for a named node. */
  transport?: Transport;
  /** Hidden nodes are left out of `nodes()` and the mesh. */
  hidden?: boolean;
  /** Take part in the transitive full mesh (default true). */
  connectAll?: boolean;
  /** Interval between ticks; a silent peer is dropped after 4–5 of them. Default 15 000 (net_ticktime 60 s). */
  tickMs?: number;
  /** Bound on a connection setup (handshake). Default 7 000. */
  setupTimeoutMs?: number;
  clock?: Clock;
  crypto?: DistCrypto;
  /** Group-leader output of this node (print, io.format, crash reports). Default: console.log; false: drop. */
  output?: ((text: string) => void) | false;
  /** System log lines. Default: warnings and errors to console.error; false: drop. */
  logger?: ((entry: LogEntry) => void) | false;
  /** Extra modules to load at start (the built-ins are always loaded). */
  modules?: ErlModule[];
  /**
   * Frame encodings offered to peers after the handshake, most preferred first (see
   * net/encodings.ts). Default `['fast-1', 'superjson-1']`; `['superjson-1']` makes the node
   * speak as nodes did before fast-1 (one superjson text frame per frame, no batching).
   */
  encodings?: WireEncoding[];
  /**
   * What peers admitted with a join ticket may do to this node, per role (see
   * trust/capabilities.ts and trust/guard.ts for the refusals they see). Cookie holders
   * may always do everything; a role left out may only send to pids and monitor. A bad shape
   * throws `badarg`, an unknown policy field `unknown_options`.
   *
   * @example
   * await startNode({ ...opts, capabilities: { guest: { rpc: { kvs: ['lookup'] }, send: ['kvs'], maxMessagesPerSecond: 200 } } });
   */
  capabilities?: Capabilities;
}

type NodesKind = 'visible' | 'hidden' | 'connected' | 'this' | 'known';

/**
 * Start a node.
 *
 * @example
 * const net = new MemoryNetwork();
 * const a = await startNode({ sname: 'a', cookie: 'abc', transport: net.transport() });
 * const b = await startNode({ sname: 'b', cookie: 'abc', transport: net.transport() });
 * await a.ping(b.name); // 'pong'
 */
export async function startNode(opts: NodeOptions = {}): Promise<Node> {
  const name = resolveName(opts);
  if (opts.capabilities !== undefined) checkCapabilities(opts.capabilities);
  if (name === NOT_ALIVE_NAME) return new Node(opts, name, 0);
  if (!opts.transport) throw new ErlmeshError('badarg', 'a named node needs a transport (use erlmesh/server or erlmesh/browser, or pass one)');
  if (opts.ticket !== undefined && opts.cookie !== undefined) throw badarg('give either a cookie or a ticket, not both');
  const tickets = opts.ticket !== undefined ? new TicketSource(opts.ticket) : undefined;
  if (tickets) await tickets.get(); // a bad ticket fails here, before registering
  else if (typeof opts.cookie !== 'string' || opts.cookie.length === 0) throw badarg('a named node needs a cookie (a non-empty string) or a ticket');
  if (opts.encodings !== undefined) checkEncodings(opts.encodings);
  let node: Node | undefined;
  const pending: Array<Parameters<Parameters<Transport['listen']>[1]>[0]> = [];
  let pendingPeers: string[] = [];
  const reg = await opts.transport.listen(name, (ch) => (node ? node._accept(ch) : pending.push(ch)), {
    hidden: !!opts.hidden,
    onPeers: (peers) => (node ? void node._joinMesh(peers) : (pendingPeers = peers)),
  });
  node = new Node(opts, name, reg.creation, tickets);
  for (const ch of pending) node._accept(ch);
  // The rendezvous listed peers: give the first connections a moment (bounded), so that
  // nodes() is complete when startNode resolves.
  await node._joinMesh(pendingPeers, Math.min(opts.setupTimeoutMs ?? 7_000, 3_000));
  return node;
}

function resolveName(opts: NodeOptions): string {
  if (opts.sname !== undefined && opts.name !== undefined) throw badarg('give either sname or name, not both');
  const raw = opts.sname ?? opts.name;
  if (raw === undefined) return NOT_ALIVE_NAME;
  if (typeof raw !== 'string' || raw.length === 0) throw badarg('the node name must be a non-empty string');
  const full = raw.includes('@') ? raw : `${raw}@${opts.host ?? 'localhost'}`;
  const parsed = parseNodeName(full);
  if (!parsed) throw badarg(`illegal node name: ${full}`);
  const want: NameMode = opts.sname !== undefined ? 'short' : 'long';
  if (parsed.mode !== want) {
    throw new ErlmeshError(
      'name_mode_mismatch',
      want === 'long' ? `Can't set long node name! ${full} has no fully qualified host` : `${full} is a long name; use name, not sname`,
    );
  }
  return full;
}

export class Node implements NodeApi {
  readonly name: string;
  readonly creation: number;
  readonly rpc: Rpc;
  /** rpc that raises Erlang-style exceptions (ErpcError). */
  readonly erpc: Erpc;
  /** Cluster-wide names (Erlang's global). */
  readonly global: Global;
  /** Process groups (Erlang's pg), default scope; `pg.scope(name)` for others. */
  readonly pg: Pg;
  /** @internal */ readonly runtime: ProcessRuntime<ProcessContext>;
  /** @internal what ticket holders may do here (trust/guard.ts) */ readonly security: Guard;
  /** @internal the process BIFs of this node */ readonly bifs: Bifs<ProcessContext>;
  private readonly net: NetKernel | undefined;
  /** @internal */ readonly clock: Clock;
  private readonly transport: Transport | undefined;
  private readonly modulesByName = new Map<string, ErlModule>();
  private readonly outputs: Emitter<string>;
  private readonly logs: Emitter<LogEntry>;
  private readonly nodeEvents: Emitter<NodeChange>;
  private readonly cookies = new Map<string, string>();
  private cookie: string | undefined;
  private allowList: Set<string> | undefined;
  private readonly user: Pid;
  private stopped = false;
  private readonly hidden: boolean;
  private readonly tickets: TicketSource | undefined;

  /** @internal use startNode */
  constructor(opts: NodeOptions, name: string, creation: number, tickets?: TicketSource) {
    this.tickets = tickets;
    this.name = name;
    this.creation = creation;
    this.clock = opts.clock ?? realClock;
    this.transport = opts.transport;
    this.cookie = name === NOT_ALIVE_NAME ? undefined : opts.cookie;
    this.hidden = !!opts.hidden;
    this.logs = new Emitter<LogEntry>();
    this.outputs = new Emitter<string>((e) => this.log('error', `output listener failed: ${String(e)}`));
    this.nodeEvents = new Emitter<NodeChange>((e) => this.log('error', `monitorNodes listener failed: ${String(e)}`));
    if (opts.output !== false) this.outputs.on(opts.output ?? ((t) => console.log(t.endsWith('\n') ? t.slice(0, -1) : t)));
    if (opts.logger !== false) {
      this.logs.on(opts.logger ?? ((e) => (e.level === 'info' ? undefined : console.error(`[${e.node}] ${e.text}`))));
    }
    this.runtime = new ProcessRuntime<ProcessContext>(name, creation, {
      clock: this.clock,
      sendRemote: (node, s) => this.sendRemote(node, s),
      resolveSpec: (spec) => this.resolveSpec(spec),
      makeContext: (proc) => this._context(proc),
      log: (level, text) => this.log(level, text),
    });
    this.bifs = new Bifs<ProcessContext>({
      name,
      runtime: this.runtime,
      user: () => this.user,
      stopped: () => this.stopped,
      distributed: () => this.net !== undefined && !this.stopped,
      isConnected: (n) => this.net?.isConnected(n) ?? false,
      connect: (n) => void this.net?.whenConnected(n),
    });
    this.security = new Guard(opts.capabilities, {
      name,
      clock: this.clock,
      log: (level, text) => this.log(level, text),
      route: (s) => this.runtime.route(s),
      roleOf: (peer) => (this.net ? this.net.roleOf(peer) : null),
      disconnect: (peer, reason) => this.net?.disconnect(peer, reason) ?? false,
      // Every role may reach the name services; global and pg check their own capability.
      isService: (n) => n === GLOBAL_SERVER || isPgScopeName(this, n),
      nameOf: (pid) => this.runtime.registry.nameOf(pid),
      watchersFrom: (peer) => this.runtime.watchersFrom(peer),
      awaitedFrom: (to, ref) => this.runtime.local(to)?.monitorsIfAny?.get(ref.key)?.node ?? this.runtime.pendingSpawnNode(ref),
    });
    const mode = parseNodeName(name)?.mode ?? 'short';
    this.net =
      name === NOT_ALIVE_NAME || !opts.transport
        ? undefined
        : new NetKernel({
            name,
            creation,
            flags: {
              hidden: this.hidden,
              connectAll: opts.connectAll ?? true,
              mode,
              ...(opts.encodings !== undefined ? { encodings: checkEncodings(opts.encodings) } : {}),
            },
            transport: opts.transport,
            clock: this.clock,
            crypto: opts.crypto ?? webCrypto,
            tickMs: opts.tickMs ?? 15_000,
            setupTimeoutMs: opts.setupTimeoutMs ?? 7_000,
            cookieFor: (peer) => this.getCookie(peer),
            isAllowed: (peer) => !this.allowList || this.allowList.has(peer),
            ...(tickets ? { ticket: () => tickets.get() } : {}),
            onSignal: (s, peer, role) => this._remoteSignal(s, peer, role),
            onNodeDown: (node) => queueMicrotask(() => this.runtime.nodeDown(node)),
            onChange: (c) => this.nodeEvents.emit(this.security.nodeChange(c)),
            log: (level, text) => this.log(level, text),
          });
    for (const m of builtinModules) this.load(m);
    for (const m of opts.modules ?? []) this.load(m);
    this.rpc = new Rpc(this);
    this.erpc = new Erpc(this);
    // The group leader of processes started here: an io server printing to this node's output.
    const userProc = this.runtime.start(
      {
        body: async (self: ProcessContext) => {
          for (;;) {
            const m = (await self.receive()) as unknown[];
            if (Array.isArray(m) && m[0] === 'io_request' && m[2] === 'put_chars') this.outputs.emit(String(m[3]));
          }
        },
      },
      { groupLeader: undefined as unknown as Pid },
    );
    this.runtime.setDefaultGroupLeader(userProc.pid);
    userProc.groupLeader = userProc.pid;
    this.user = userProc.pid;
    this.runtime.registry.register('user', this.user);
    // Services run as processes of this node, as in OTP's kernel.
    this.global = new Global(this);
    this.pg = new Pg(this);
  }

  // ----- identity and membership -----------------------------------------------------------

  /** This node's role: its join ticket's, or undefined for a cookie holder. */
  get role(): string | undefined {
    return this.tickets?.role;
  }

  /**
   * The role of the connected peer `node`: its join ticket's (as verified in the handshake),
   * undefined for a cookie holder, null when not connected.
   *
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
    const kinds = Array.isArray(kind) ? kind : [kind];
    const out: string[] = [];
    if (kinds.includes('this')) out.push(this.name);
    for (const k of kinds) {
      if (k === 'this') continue;
      else if (k === 'known') out.push(this.name, ...(this.net?.peers('connected') ?? []));
      else if (k === 'visible' || k === 'hidden' || k === 'connected') out.push(...(this.net?.peers(k) ?? []));
      else throw badarg(`nodes: unknown kind ${String(k)}`);
    }
    return [...new Set(out)];
  }

  /** `'pong'` when `node` can be reached (connecting if needed), else `'pang'`; see `lastConnectError`. */
  async ping(node: string): Promise<'pong' | 'pang'> {
    if (node === this.name && this.isAlive()) return 'pong';
    if (!this.net || this.stopped) return 'pang';
    return (await this.net.whenConnected(node)) ? 'pong' : 'pang';
  }

  /** Why the last attempt to connect to `node` failed (`bad_cookie`, `not_allowed`, `name_mode_mismatch`, …). */
  lastConnectError(node: string): ErlmeshErrorCode | undefined {
    if (!this.net) return 'notalive';
    return this.net.lastConnectError(node);
  }

  /** Close the connection to `node` (reason `disconnect` here, `connection_closed` there). */
  disconnect(node: string): boolean {
    return this.net?.disconnect(node) ?? false;
  }

  /**
   * Subscribe to nodeup/nodedown (see node-events.ts for the three shapes). Returns `off()`.
   *
   * @example
   * const off = node.monitorNodes((ev) => console.log(ev), { nodedownReason: true });
   * // ['nodedown', 'b@host', { nodedownReason: 'connection_closed' }]
   */
  monitorNodes(listener: (ev: NodeEvent) => void, opts?: MonitorNodesOptions): () => void {
    if (typeof listener !== 'function') throw badarg('monitorNodes: listener must be a function');
    const o = checkMonitorNodesOptions(opts);
    return this.nodeEvents.on((c) => {
      const ev = shapeNodeEvent(c, o);
      if (ev) listener(ev);
    });
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
    const cookie = b === undefined ? a : b;
    if (typeof cookie !== 'string' || cookie.length === 0) throw badarg('setCookie: the cookie must be a non-empty string');
    if (b === undefined) this.cookie = cookie;
    else {
      if (!parseNodeName(a)) throw badarg(`setCookie: illegal node name ${String(a)}`);
      this.cookies.set(a, cookie);
    }
    return true;
  }

  /** This node's cookie, or the one used with `node`; `'nocookie'` when not distributed. */
  getCookie(node?: string): string {
    if (!this.isAlive() || this.cookie === undefined) return 'nocookie';
    return (node !== undefined ? this.cookies.get(node) : undefined) ?? this.cookie;
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

  /** @internal */
  log(level: LogLevel, text: string): void {
    this.logs.emit({ level, node: this.name, text });
  }

  // ----- modules ---------------------------------------------------------------------------

  /** Make a module's functions spawnable and rpc-callable on this node (replaces an older version). */
  load(mod: ErlModule): true {
    if (!mod || typeof mod.name !== 'string' || typeof mod.functions !== 'object') throw badarg('load: not a module (use defineModule)');
    this.modulesByName.set(mod.name, mod);
    return true;
  }

  /** The loaded module called `name`. */
  module(name: string): ErlModule | undefined {
    return this.modulesByName.get(name);
  }

  /** Names of loaded modules. */
  loadedModules(): string[] {
    return [...this.modulesByName.keys()];
  }

  /**
   * Load `mod` here and on every connected node, shipping its functions as source (Erlang's
   * `nl/1`). Its functions must be self-contained (no closure over local variables).
   */
  async nl(mod: ErlModule): Promise<{ nodes: string[]; badNodes: string[] }> {
    this.load(mod);
    const sources = moduleSources(mod);
    const peers = this.nodes('connected');
    const { results, badNodes } = await this.rpc.multicall(peers, 'code', 'loadSources', [mod.name, sources]);
    const good = peers.filter((n) => !badNodes.includes(n));
    const failed = good.filter((_, i) => results[i] !== true);
    return { nodes: good.filter((n) => !failed.includes(n)), badNodes: [...badNodes, ...failed] };
  }

  /** @internal rebuild and load a module from shipped sources */
  _loadSources(name: string, sources: Record<string, string>): true {
    return this.load(moduleFromSources(name, sources));
  }

  /**
   * Call `module.fun(self, ...args)` in the calling process. A missing module or function
   * throws `UndefinedFunction` (exit reason `['undef', [m, f, args]]`).
   */
  apply(self: ProcessContext, module: string, fun: string, args: unknown[] = []): unknown {
    const fn = moduleFunction(this.modulesByName.get(module), fun);
    if (fn === undefined) throw new UndefinedFunction(module, fun, args);
    return fn(self, ...args);
  }

  private resolveSpec(spec: SpawnSpec): Resolved<ProcessContext> {
    if (spec.kind === 'mfa') {
      const fn = moduleFunction(this.modulesByName.get(spec.module), spec.fun);
      if (fn === undefined) return { fail: ['undef', [spec.module, spec.fun, spec.args]] };
      return { body: (self) => fn(self, ...spec.args) };
    }
    try {
      const fn = compileFunction(spec.source) as ProcessFn;
      return { body: fn };
    } catch (e) {
      return { fail: ['badfun', e instanceof Error ? `${e.name}: ${e.message}` : String(e)] };
    }
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

  /** Send from outside any process. */
  send<T>(dest: Dest, msg: T): T {
    return this.bifs.send(undefined, dest, msg);
  }

  /** Send an exit signal from outside any process (the sender is this node's `user` process). */
  exit(pid: Pid, reason: unknown): true {
    return this.bifs.exitSignal(undefined, pid, reason);
  }

  register(name: string, pid: Pid): true {
    return this.runtime.registry.register(name, pid);
  }

  unregister(name: string): true {
    return this.runtime.registry.unregister(name);
  }

  whereis(name: string): Pid | undefined {
    return this.runtime.registry.whereis(name);
  }

  registered(): string[] {
    return this.runtime.registry.registered();
  }

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
    const p = this.runtime.local(pid);
    return p ? p.exited : 'noproc';
  }

  /**
   * What this node knows of a live local process (Erlang's process_info/1, in part):
   * undefined when it is not alive; `badarg` for a remote pid or a non-pid.
   *
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
    this.runtime.shutdown('shutdown');
    await this.transport?.close();
  }

  // ----- internals used by ProcessContext --------------------------------------------------

  /** @internal */
  _accept(ch: Parameters<NetKernel['accept']>[0]): void {
    if (this.net) this.net.accept(ch);
    else ch.close('not_distributed');
  }

  /** @internal the transport's rendezvous lists these nodes: connect to them (connect_all) */
  _joinMesh(peers: string[], waitMs = 0): Promise<void> {
    const attempts = this.net?.joinMesh(peers) ?? [];
    if (waitMs <= 0 || attempts.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(resolve, waitMs);
      void Promise.all(attempts).then(() => {
        this.clock.clearTimeout(timer);
        resolve();
      });
    });
  }

  private sendRemote(node: string, s: SignalFrame): void {
    if (this.net && !this.stopped) this.net.send(node, s);
    else queueMicrotask(() => this.runtime.nodeDown(node));
  }

  private contextClass: (new (proc: Proc) => ProcessContext) | undefined;

  /** The `self` of local process `proc`. @internal */
  _context(proc: Proc): ProcessContext {
    return new (this.contextClass ??= contextClassFor(this, this.bifs))(proc);
  }

  /**
   * A signal from the connected node `peer` (`role` undefined: a cookie holder). The
   * capability checks for ticket holders go here (src/core/security).
   * @internal
   */
  _remoteSignal(s: SignalFrame, peer: string, role: string | undefined): void {
    if (role === undefined || this.security.admit(s, peer, role)) this.runtime.deliver(s);
  }

  /** @internal the `user` io server: group leader of processes started here */
  get _user(): Pid {
    return this.user;
  }
}

declare module '../interfaces/node-api.js' {
  /** @internal `self.node` is typed as this class until global/pg/behaviours move to ServiceHost */
  interface ContextNodeRegistry {
    node: Node;
  }
}
