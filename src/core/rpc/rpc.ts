/**
 * rpc: call a module function on another node (Erlang's rpc/erpc).
 *
 * Exchange: the caller spawns, with a monitor and `reply: 'error_only'` (no spawn_reply on
 * success), `erpc:execute(M, F, A)` on the target node (its group leader is the caller's, so
 * output comes back): one spawn_request out, one DOWN back. The worker applies the function
 * and exits with `['$erpc', 'return' | 'throw' | 'error' | 'exit', value]`; the caller reads the
 * result from the DOWN reason. `noconnection` means the node was unreachable or went down.
 * A call to another node waits in the node's table of pending spawn requests, keyed by the
 * monitor ref (the monitor is held in the name of the node's `user` process): no process is
 * spawned on the caller's side.
 *
 * | outcome on the remote node            | `call` result                           |
 * |---------------------------------------|-----------------------------------------|
 * | returns v (or a promise of v)         | resolves v                              |
 * | `self.throw(v)` (Erlang's throw)      | resolves v                              |
 * | returns or throws `['EXIT', r]`       | rejects BadRpcError ['EXIT', r]         |
 * | throws e                              | rejects BadRpcError ['EXIT', ['exception', e]] |
 * | undefined module/function             | rejects BadRpcError ['EXIT', ['undef', [m, f, args]]] |
 * | `self.exit(r)`, or killed             | rejects BadRpcError ['EXIT', r]         |
 * | node unreachable or goes down         | rejects BadRpcError 'nodedown'          |
 * | refused by the callee's capabilities  | rejects BadRpcError ['EXIT', 'not_allowed'] |
 * | no answer within the timeout          | rejects BadRpcError 'timeout'           |
 *
 * A call that timed out or lost its node may or may not have run on the remote node.
 */
import { BadRpcError, badarg } from '../base/errors.js';
import { checkTimeoutMs, TIMEOUT } from '../base/timeout.js';
import type { SpawnSpec } from '../net/frames.js';
import type { ProcessContext } from '../process/context.js';
import { checkTerm } from '../terms/check.js';
import { formatTerm } from '../terms/format.js';
import { isDownFor } from '../terms/guards.js';
import type { RpcApi, RpcKey } from '../interfaces/rpc-api.js';
import type { ServiceHost } from '../interfaces/service-host.js';

export type { RpcKey } from '../interfaces/rpc-api.js';

/** What rpc and erpc need from their node. */
export interface RpcHost extends Pick<ServiceHost, 'name' | 'makeRef' | 'spawnOn'> {
  /** As `ServiceHost.run`, with the process's full context (the worker is spawned from it). */
  run<T>(fn: (self: ProcessContext) => T | Promise<T>): Promise<T>;
  /**
   * Spawn `spec` on `node` (another node) from outside any process, monitored with
   * `reply: 'error_only'`, and resolve with the worker's DOWN reason (`noconnection` when the
   * node is or goes down), or TIMEOUT after `timeoutMs` (undefined: never), with no process
   * of its own (process/await-down.ts).
   */
  awaitDown(node: string, spec: SpawnSpec, timeoutMs: number | undefined): Promise<unknown>;
}

/**
 * The rpc service: `node.rpc`.
 *
 * @example
 * const rpc = rpcService()(host);
 */
export function rpcService(): (host: RpcHost) => Rpc {
  return (host) => new Rpc(host);
}

type Settled = { ok: true; value: unknown } | { ok: false; error: BadRpcError };

/**
 * A BadRpcError whose message prints its reason: `badrpc: nodedown`, `badrpc: ['EXIT', 'bye']`,
 * `badrpc: ['EXIT', ['exception', TypeError: bad arith]]` (formatTerm, depth and length bounded).
 */
export function badRpc(reason: unknown): BadRpcError {
  const shown = typeof reason === 'string' ? reason : formatTerm(reason, { maxDepth: 6, maxLength: 20 });
  return new BadRpcError(reason, `badrpc: ${shown}`);
}

/** Erlang's `{'EXIT', R}`: a 2-element array whose first element is 'EXIT'. */
function isExitTuple(v: unknown): v is ['EXIT', unknown] {
  return Array.isArray(v) && v.length === 2 && v[0] === 'EXIT';
}

/**
 * Interpret the DOWN reason of an erpc worker. A value returned or thrown that is
 * `['EXIT', r]` becomes the badrpc `['EXIT', r]`, as OTP 25's rpc turns `{'EXIT', R}` into
 * `{badrpc, {'EXIT', R}}`.
 */
export function rpcOutcome(reason: unknown): Settled {
  if (Array.isArray(reason) && reason[0] === '$erpc') {
    if (reason[1] === 'return' || reason[1] === 'throw') {
      const v: unknown = reason[2];
      return isExitTuple(v) ? { ok: false, error: badRpc(v) } : { ok: true, value: v };
    }
    return { ok: false, error: badRpc(['EXIT', reason[2]]) };
  }
  if (reason === 'noconnection') return { ok: false, error: badRpc('nodedown') };
  return { ok: false, error: badRpc(['EXIT', reason]) };
}

/** A timeout option of rpc/erpc checked (base/timeout.ts); undefined for none (undefined or Infinity). */
export function checkTimeout(t: unknown): number | undefined {
  if (t === undefined) return undefined;
  const ms = checkTimeoutMs(t, 'rpc');
  return ms === Infinity ? undefined : ms;
}

/**
 * Spawn `erpc:<fun>(...args)` on `target`, monitored with `reply: 'error_only'` as OTP's erpc
 * does (one frame out, one DOWN back), and resolve with the worker's DOWN reason, or TIMEOUT
 * once `timeoutMs` has passed. To another node the call waits in the node's table of pending
 * spawns (`awaitDown`: no process of its own); to this node, in a helper process that
 * monitors the local worker.
 * @internal shared by rpc and erpc
 */
export function runWorker(
  host: Pick<RpcHost, 'name' | 'run' | 'awaitDown'>,
  target: string,
  fun: 'execute' | 'executeFun',
  args: unknown[],
  timeoutMs: number | undefined,
): Promise<unknown> {
  const spec: SpawnSpec = { kind: 'mfa', module: 'erpc', fun, args };
  if (target !== host.name) return host.awaitDown(target, spec, timeoutMs);
  return host.run(async (self) => {
    const ref = self.spawnMonitorErrorOnly(target, spec);
    const down = await self.receive((msg) => isDownFor(msg, ref), timeoutMs);
    if (down !== TIMEOUT) return (down as unknown[])[4];
    self.demonitor(ref, { flush: true });
    return TIMEOUT;
  });
}

/**
 * Erlang's rpc on one node, as `node.rpc`; see `RpcApi` for the calls.
 *
 * @example
 * const rpc: Rpc = node.rpc;
 * await rpc.call('b@host', 'erlang', 'node', []); // 'b@host'
 */
export class Rpc implements RpcApi {
  private readonly asyncCalls = new Map<string, Promise<Settled>>();

  /** @internal use rpcService() */
  constructor(private readonly host: RpcHost) {}

  private run(target: string, m: string, f: string, args: unknown[], timeoutMs: number | undefined, block = false): Promise<Settled> {
    return runWorker(this.host, target, 'execute', block ? [m, f, args, 'block'] : [m, f, args], timeoutMs).then((r) =>
      r === TIMEOUT ? { ok: false, error: badRpc('timeout') } : rpcOutcome(r),
    );
  }

  private validate(node: unknown, m: unknown, f: unknown, args: unknown): asserts args is unknown[] {
    if (typeof node !== 'string' || typeof m !== 'string' || typeof f !== 'string') {
      throw badarg('rpc: node, module and function must be strings');
    }
    if (!Array.isArray(args)) throw badarg('rpc: args must be an array');
    checkTerm(args, 'args');
  }

  /**
   * Call `m.f(...args)` on `node` and wait for the result.
   *
   * @example
   * await node.rpc.call('gandalf@host', 'kvs', 'store', ['weather', 'fine']); // true
   * await node.rpc.call('gandalf@host', 'kvs', 'lookup', ['weather'], 5_000); // ['ok', 'fine']
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a remote result is any term, as in Erlang: callers narrow it
  async call(node: string, m: string, f: string, args: unknown[] = [], timeoutMs?: number): Promise<any> {
    this.validate(node, m, f, args);
    const r = await this.run(node, m, f, args, checkTimeout(timeoutMs));
    if (r.ok) return r.value;
    throw r.error;
  }

  /**
   * As `call`, but serialised on `node` (Erlang's rpc:block_call/4,5): the block calls to a
   * node run one at a time, in the order they arrive, each only once the one before has
   * returned, thrown or exited; a call that timed out still holds its turn until its function
   * ends there. `call`, `cast` and the others are not held up. Results and rejections are
   * those of `call`. Use it to keep calls to a node from overlapping (or, as in Erlang, to
   * block the node's rpc server on purpose); the node's turns are kept by a process
   * registered as `rex`, started by its first block call.
   *
   * @example
   * // Two block calls never overlap on gandalf: the second store waits for the first.
   * await Promise.all([
   *   node.rpc.blockCall('gandalf@host', 'kvs', 'store', ['k', 1]),
   *   node.rpc.blockCall('gandalf@host', 'kvs', 'store', ['k', 2], 5_000),
   * ]); // [true, true]
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a remote result is any term, as in Erlang: callers narrow it
  async blockCall(node: string, m: string, f: string, args: unknown[] = [], timeoutMs?: number): Promise<any> {
    this.validate(node, m, f, args);
    const r = await this.run(node, m, f, args, checkTimeout(timeoutMs), true);
    if (r.ok) return r.value;
    throw r.error;
  }

  /** Run `m.f(...args)` on `node` without waiting; always `true`. A crash is reported on this node. */
  cast(node: string, m: string, f: string, args: unknown[] = []): true {
    this.validate(node, m, f, args);
    void this.host.spawnOn(node, 'erpc', 'executeCast', [m, f, args]);
    return true;
  }

  /** Start a call; collect its result later with `yield` or `nbYield`. */
  asyncCall(node: string, m: string, f: string, args: unknown[] = []): RpcKey {
    this.validate(node, m, f, args);
    const key: RpcKey = { ref: this.host.makeRef() };
    this.asyncCalls.set(key.ref.key, this.run(node, m, f, args, undefined));
    return key;
  }

  /** The result of an `asyncCall` (rejects BadRpcError as `call` does). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a remote result is any term, as in Erlang: callers narrow it
  async yield(key: RpcKey): Promise<any> {
    const p = this.asyncCalls.get(key?.ref?.key);
    if (!p) throw badarg('rpc.yield: unknown key');
    const r = await p;
    this.asyncCalls.delete(key.ref.key);
    if (r.ok) return r.value;
    throw r.error;
  }

  /** `['value', v]` if the `asyncCall` has answered within `timeoutMs` (default 0), else `'timeout'`. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a remote result is any term, as in Erlang: callers narrow it
  async nbYield(key: RpcKey, timeoutMs = 0): Promise<['value', any] | 'timeout'> {
    const p = this.asyncCalls.get(key?.ref?.key);
    if (!p) throw badarg('rpc.nbYield: unknown key');
    const t = checkTimeout(timeoutMs);
    const r = await this.race(p, t);
    if (r === TIMEOUT) return 'timeout';
    this.asyncCalls.delete(key.ref.key);
    if (r.ok) return ['value', r.value];
    throw r.error;
  }

  private race(p: Promise<Settled>, timeoutMs: number | undefined): Promise<Settled | typeof TIMEOUT> {
    return this.host.run(async (self) => {
      void p.then((r) => self.send(self.pid, ['$settled', r]));
      const m = await self.receive((x) => x[0] === '$settled', timeoutMs);
      return m === TIMEOUT ? TIMEOUT : (m as [string, Settled])[1];
    });
  }

  /**
   * Call `m.f(...args)` on every node of `nodes` in parallel. `results` holds the answers in
   * node order (an error row as a BadRpcError); unreachable and timed-out nodes go to `badNodes`.
   */
  async multicall(
    nodes: string[],
    m: string,
    f: string,
    args: unknown[] = [],
    timeoutMs?: number,
  ): Promise<{ results: unknown[]; badNodes: string[] }> {
    if (!Array.isArray(nodes)) throw badarg('rpc.multicall: nodes must be an array');
    for (const n of nodes) this.validate(n, m, f, args);
    const t = checkTimeout(timeoutMs);
    const settled = await Promise.all(nodes.map((n) => this.run(n, m, f, args, t)));
    const results: unknown[] = [];
    const badNodes: string[] = [];
    settled.forEach((r, i) => {
      if (r.ok) results.push(r.value);
      else if (r.error.reason === 'nodedown' || r.error.reason === 'timeout') badNodes.push(nodes[i]!);
      else results.push(r.error);
    });
    return { results, badNodes };
  }
}
