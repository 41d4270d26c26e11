/**
 * erpc: rpc that raises instead of returning error values (Erlang's erpc), in JS terms: a
 * call resolves with the value or rejects an `ErpcError` whose `class` and `reason` are
 * Erlang's exception class and reason (docs/semantics.md §6, second table):
 *
 * | remote outcome                     | class     | reason                                |
 * |------------------------------------|-----------|---------------------------------------|
 * | throws e                           | 'error'   | ['exception', e]                      |
 * | undefined function                 | 'error'   | ['exception', 'undef', [m, f, args]]  |
 * | `self.exit(r)`                     | 'exit'    | ['exception', r]                      |
 * | killed by an exit signal r         | 'exit'    | ['signal', r]                         |
 * | `self.throw(v)`                    | 'throw'   | v                                     |
 * | no answer within the timeout       | 'error'   | ['erpc', 'timeout']                   |
 * | node unreachable or goes down      | 'error'   | ['erpc', 'noconnection']              |
 * | the callee refuses the call to this node's role (capabilities) | 'error' | ['erpc', 'not_allowed'] |
 * | a remote result (returned or `self.throw`n) that cannot be encoded | 'error' | ['unencodable', description] |
 *
 * `multicall` gives one row per node, in order: ['ok', v] | ['error', r] | ['exit', r] | ['throw', v].
 * As with rpc, a call that timed out or lost its node may or may not have run.
 */
import { badarg, ErlmeshError } from '../base/errors.js';
import { TIMEOUT } from '../base/timeout.js';
import { checkTerm } from '../terms/check.js';
import type { ErpcApi, ErpcClass, ErpcRow, RpcApi } from '../interfaces/rpc-api.js';
import { checkTimeout, runWorker, type RpcHost } from './rpc.js';

export type { ErpcClass, ErpcRow } from '../interfaces/rpc-api.js';

/**
 * The erpc service (`node.erpc`); its `cast` is rpc's.
 *
 * @example
 * const erpc = erpcService()(host, rpc);
 */
export function erpcService(): (host: Pick<RpcHost, 'name' | 'run' | 'awaitDown'>, rpc: Pick<RpcApi, 'cast'>) => Erpc {
  return (host, rpc) => new Erpc(host, rpc);
}

/**
 * An erpc exception: `class` and `reason` as Erlang's `Class:Reason`.
 *
 * @example
 * try { await node.erpc.call('b@host', 'nosuch', 'fun', []); }
 * catch (e) { if (e instanceof ErpcError) console.log(e.class, e.reason); } // 'error' ['undef', …]
 */
export class ErpcError extends ErlmeshError {
  constructor(
    private readonly cls: ErpcClass,
    readonly reason: unknown,
  ) {
    super('erpc', `erpc ${cls}`, reason);
    this.name = 'ErpcError';
  }
  /** The exception class: 'error', 'exit' or 'throw'. */
  get class(): ErpcClass {
    return this.cls;
  }
}

/** Map a worker's DOWN reason (or TIMEOUT) to an erpc row. */
export function erpcRow(down: unknown): ErpcRow {
  if (down === TIMEOUT) return ['error', ['erpc', 'timeout']];
  if (down === 'noconnection') return ['error', ['erpc', 'noconnection']];
  // The spawn request was refused (Erlang's erpc raises error:{erpc, Reason} for a failed spawn_request).
  if (down === 'not_allowed') return ['error', ['erpc', 'not_allowed']];
  if (Array.isArray(down) && down[0] === '$erpc') {
    if (down[1] === 'return') return ['ok', down[2]];
    if (down[1] === 'throw') return ['throw', down[2]];
    if (down[1] === 'exit') return ['exit', ['exception', down[2]]];
    const r = down[2] as unknown[];
    if (Array.isArray(r) && r[0] === 'undef') return ['error', ['exception', 'undef', r[1]]];
    if (Array.isArray(r) && r[0] === 'badfun') return ['error', ['exception', 'badfun', r[1]]];
    return ['error', r];
  }
  // Not the worker's own report: an exit signal killed it (Erlang's exit:{signal, Reason}).
  return ['exit', ['signal', down]];
}

/**
 * Erlang's erpc on one node, as `node.erpc`; see `ErpcApi` for the calls.
 *
 * @example
 * const erpc: Erpc = node.erpc;
 * await erpc.call('b@host', (self) => self.node.name); // 'b@host'
 */
export class Erpc implements ErpcApi {
  /** @internal use erpcService() */
  constructor(
    private readonly host: Pick<RpcHost, 'name' | 'run' | 'awaitDown'>,
    private readonly rpc: Pick<RpcApi, 'cast'>,
  ) {}

  /**
   * Call `m.f(...args)` on `node`, or run a self-contained function there.
   *
   * @example
   * await node.erpc.call('b@host', 'erlang', 'node', []);      // 'b@host'
   * await node.erpc.call('b@host', (self) => self.node.name);  // 'b@host'
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a remote result is any term, as in Erlang: callers narrow it
  call(node: string, fn: (self: any) => unknown, timeoutMs?: number): Promise<any>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a remote result is any term, as in Erlang: callers narrow it
  call(node: string, m: string, f: string, args?: unknown[], timeoutMs?: number): Promise<any>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a remote result is any term, as in Erlang: callers narrow it
  async call(node: string, a: unknown, b?: unknown, c?: unknown, d?: unknown): Promise<any> {
    const row = await this.row(node, a, b, c, d);
    if (row[0] === 'ok') return row[1];
    throw new ErpcError(row[0], row[1]);
  }

  private row(node: string, a: unknown, b?: unknown, c?: unknown, d?: unknown): Promise<ErpcRow> {
    if (typeof node !== 'string') throw badarg('erpc: node must be a string');
    if (typeof a === 'function') {
      return runWorker(this.host, node, 'executeFun', [a.toString()], checkTimeout(b)).then(erpcRow);
    }
    const args = c ?? [];
    if (typeof a !== 'string' || typeof b !== 'string' || !Array.isArray(args)) throw badarg('erpc: expected (node, module, fun, args) or (node, fn)');
    checkTerm(args, 'args');
    return runWorker(this.host, node, 'execute', [a, b, args], checkTimeout(d)).then(erpcRow);
  }

  /** Run `m.f(...args)` on `node` without waiting: `'ok'`. */
  cast(node: string, m: string, f: string, args: unknown[] = []): 'ok' {
    this.rpc.cast(node, m, f, args);
    return 'ok';
  }

  /** Call on every node of `nodes` in parallel; one row per node, in order. */
  async multicall(nodes: string[], m: string, f: string, args: unknown[] = [], timeoutMs?: number): Promise<ErpcRow[]> {
    if (!Array.isArray(nodes)) throw badarg('erpc.multicall: nodes must be an array');
    return Promise.all(nodes.map((n) => this.row(n, m, f, args, timeoutMs)));
  }
}
