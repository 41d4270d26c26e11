/**
 * The public API of rpc and erpc (`node.rpc`, `node.erpc`), as the rest of the tree sees it;
 * rpc/rpc.ts and rpc/erpc.ts implement it.
 */
import type { Ref } from '../terms/ref.js';

/**
 * A handle for `asyncCall` results.
 *
 * @example
 * const key: RpcKey = node.rpc.asyncCall('b@host', 'kvs', 'lookup', ['weather']);
 * const answer = await node.rpc.yield(key);
 */
export interface RpcKey {
  readonly ref: Ref;
}

/**
 * Erlang's rpc (`node.rpc`): errors come back as `BadRpcError` rejections (see rpc/rpc.ts
 * for the table).
 *
 * @example
 * const rpc: RpcApi = node.rpc;
 * await rpc.call('b@host', 'kvs', 'store', ['weather', 'fine'], 5_000);
 * const { results, badNodes } = await rpc.multicall(node.nodes(), 'kvs', 'lookup', ['weather']);
 */
export interface RpcApi {
  // `any` as in rpc.ts: the result is whatever the remote function returned.
  /* eslint-disable @typescript-eslint/no-explicit-any */
  call(node: string, m: string, f: string, args?: unknown[], timeoutMs?: number): Promise<any>;
  /** As `call`, serialised on `node` (rpc:block_call): one block call at a time there. */
  blockCall(node: string, m: string, f: string, args?: unknown[], timeoutMs?: number): Promise<any>;
  cast(node: string, m: string, f: string, args?: unknown[]): true;
  asyncCall(node: string, m: string, f: string, args?: unknown[]): RpcKey;
  yield(key: RpcKey): Promise<any>;
  nbYield(key: RpcKey, timeoutMs?: number): Promise<['value', any] | 'timeout'>;
  /* eslint-enable @typescript-eslint/no-explicit-any */
  multicall(nodes: string[], m: string, f: string, args?: unknown[], timeoutMs?: number): Promise<{ results: unknown[]; badNodes: string[] }>;
}

/**
 * The class of an Erlang exception, as `ErpcError.class` and `erpc.multicall` rows give it.
 *
 * @example
 * const klass: ErpcClass = 'throw';
 */
export type ErpcClass = 'error' | 'exit' | 'throw';

/**
 * One node's result in `erpc.multicall`: `['ok', value]` or `[class, reason]`.
 *
 * @example
 * const rows: ErpcRow[] = await node.erpc.multicall(node.nodes(), 'kvs', 'lookup', ['weather']);
 * const values = rows.filter((r) => r[0] === 'ok').map((r) => r[1]);
 */
export type ErpcRow = ['ok', unknown] | [ErpcClass, unknown];

/**
 * Erlang's erpc (`node.erpc`): errors are raised as `ErpcError` (see rpc/erpc.ts for the table).
 *
 * @example
 * const erpc: ErpcApi = node.erpc;
 * try { await erpc.call('b@host', 'kvs', 'lookup', ['weather'], 5_000); }
 * catch (e) { if (e instanceof ErpcError) console.log(e.class, e.reason); }
 */
export interface ErpcApi {
  /* eslint-disable @typescript-eslint/no-explicit-any */
  call(node: string, fn: (self: any) => unknown, timeoutMs?: number): Promise<any>;
  call(node: string, m: string, f: string, args?: unknown[], timeoutMs?: number): Promise<any>;
  /* eslint-enable @typescript-eslint/no-explicit-any */
  cast(node: string, m: string, f: string, args?: unknown[]): 'ok';
  multicall(nodes: string[], m: string, f: string, args?: unknown[], timeoutMs?: number): Promise<ErpcRow[]>;
}
