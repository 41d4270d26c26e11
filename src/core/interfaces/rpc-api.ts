/**
 * The public API of rpc and erpc (`node.rpc`, `node.erpc`), as the rest of the tree sees it;
 * rpc/rpc.ts and rpc/erpc.ts implement it.
 */
import type { Ref } from '../terms/ref.js';

/** A handle for `asyncCall` results. */
export interface RpcKey {
  readonly ref: Ref;
}

/** Erlang's rpc: errors come back as `BadRpcError` rejections (see rpc/rpc.ts for the table). */
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

export type ErpcClass = 'error' | 'exit' | 'throw';
export type ErpcRow = ['ok', unknown] | [ErpcClass, unknown];

/** Erlang's erpc: errors are raised as `ErpcError` (see rpc/erpc.ts for the table). */
export interface ErpcApi {
  /* eslint-disable @typescript-eslint/no-explicit-any */
  call(node: string, fn: (self: any) => unknown, timeoutMs?: number): Promise<any>;
  call(node: string, m: string, f: string, args?: unknown[], timeoutMs?: number): Promise<any>;
  /* eslint-enable @typescript-eslint/no-explicit-any */
  cast(node: string, m: string, f: string, args?: unknown[]): 'ok';
  multicall(nodes: string[], m: string, f: string, args?: unknown[], timeoutMs?: number): Promise<ErpcRow[]>;
}
