/**
 * Test helpers that catch what erlmesh throws or rejects with.
 */
import { expect } from 'vitest';
import { BadRpcError, ErlmeshError } from '../../src/core/base/errors.js';

/** The ErlmeshError `.code` of what `fn` throws synchronously (fails if it throws nothing or something else). */
export function thrownCode(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ErlmeshError);
    return (e as ErlmeshError).code;
  }
  throw new Error('expected a throw');
}

/** The ErlmeshError (or, given `type`, the kind of error) that `p` rejects with (fails if `p` resolves). */
export function rejection(p: Promise<unknown>): Promise<ErlmeshError>;
export function rejection<E>(p: Promise<unknown>, type: abstract new (...args: never[]) => E): Promise<E>;
export async function rejection(p: Promise<unknown>, type: abstract new (...args: never[]) => unknown = ErlmeshError): Promise<unknown> {
  let v: unknown;
  try {
    v = await p;
  } catch (e) {
    expect(e).toBeInstanceOf(type);
    return e;
  }
  throw new Error(`expected a rejection, got ${JSON.stringify(v)}`);
}

/** The ErlmeshError `.code` that `p` rejects with. */
export async function rejectionCode(p: Promise<unknown>): Promise<string> {
  return (await rejection(p)).code;
}

/** The BadRpcError (Erlang's {badrpc, Reason}) that `p` rejects with. */
export function badrpc(p: Promise<unknown>): Promise<BadRpcError> {
  return rejection(p, BadRpcError);
}
