/**
 * Every kind of JS value the bad-input table sends (issue 17, acceptance).
 */
import { deepTerm } from '../../support/deep-terms.js';
import { WAYS, type Way } from './harness.js';

class Foo {
  x = 1;
}

export const DEEP = 5_000;

export interface Kind {
  kind: string;
  /** A fresh value of the kind. */
  make: () => unknown;
  /** What each way must give; a kind without `expect` is a term: every way delivers it equal. */
  expect?: Partial<Record<Way, Expected>>;
}

/** Not a term, with placeholder description `d`: refused at every send, placeholder in rpc results and exit reasons. */
function notATerm(d: string): Partial<Record<Way, Expected>> {
  const P = ['unencodable', d];
  return { 'local send': 'badarg', 'remote send': 'badarg', 'rpc argument': 'badarg', 'rpc result': { badrpc: ['EXIT', P] }, 'remote exit reason': { as: P } };
}


export const KINDS: Kind[] = [
  { kind: 'undefined', make: () => undefined },
  { kind: 'null', make: () => null },
  { kind: 'NaN', make: () => Number.NaN },
  { kind: 'Infinity', make: () => Number.POSITIVE_INFINITY },
  { kind: '-Infinity', make: () => Number.NEGATIVE_INFINITY },
  { kind: '-0', make: () => -0 },
  { kind: 'bigint', make: () => 2n ** 70n },
  { kind: 'symbol', make: () => Symbol('x'), expect: notATerm('symbol Symbol(x)') },
  { kind: 'function', make: () => function foo() {}, expect: notATerm('function foo') },
  { kind: 'class instance', make: () => new Foo(), expect: notATerm('instance of Foo') },
  { kind: 'Date', make: () => new Date(86_400_000) },
  { kind: 'RegExp', make: () => /a+b/gi },
  { kind: 'Map', make: () => new Map<unknown, unknown>([['k', 1], [2, ['v']]]) },
  { kind: 'Set', make: () => new Set<unknown>([1, 'two']) },
  { kind: 'WeakMap', make: () => new WeakMap(), expect: notATerm('instance of WeakMap') },
  // An rpc function that returns a promise is awaited (an async function): its value is the result.
  { kind: 'Promise', make: () => Promise.resolve(1), expect: { ...notATerm('instance of Promise'), 'rpc result': { as: 1 } } },
  { kind: 'Uint8Array', make: () => new Uint8Array([1, 2, 255]) },
  { kind: 'Int32Array', make: () => new Int32Array([1, -1]), expect: notATerm('instance of Int32Array') },
  { kind: 'Float64Array', make: () => new Float64Array([1.5]), expect: notATerm('instance of Float64Array') },
  { kind: 'ArrayBuffer', make: () => new ArrayBuffer(4), expect: notATerm('instance of ArrayBuffer') },
  { kind: 'DataView', make: () => new DataView(new ArrayBuffer(4)), expect: notATerm('instance of DataView') },
  {
    kind: 'sparse array',
    // eslint-disable-next-line no-sparse-arrays -- the point
    make: () => [1, , 3],
    // A hole travels as undefined in a result or reason (docs/semantics.md).
    expect: { ...notATerm('-'), 'rpc result': { as: [1, undefined, 3] }, 'remote exit reason': { as: [1, undefined, 3] } },
  },
  {
    kind: 'object with a getter that throws',
    make: () => ({
      get x(): number {
        throw new Error('getter boom');
      },
    }),
    expect: { ...notATerm('-'), 'rpc result': 'erlang-shaped', 'remote exit reason': 'erlang-shaped' },
  },
  { kind: 'Proxy of a plain object', make: () => new Proxy({ a: 1 }, {}), expect: Object.fromEntries(WAYS.map((w) => [w, { as: { a: 1 } }])) },
  {
    kind: 'Proxy whose traps throw',
    make: () => new Proxy({ a: 1 }, { get: boom, ownKeys: boom, getPrototypeOf: boom }),
    expect: { ...notATerm('-'), 'rpc result': 'erlang-shaped', 'remote exit reason': 'erlang-shaped' },
  },
  {
    kind: 'cyclic object',
    make: () => {
      const o: Record<string, unknown> = { a: 1 };
      o.self = o;
      return o;
    },
    expect: { ...notATerm('cyclic object'), 'remote exit reason': { as: { a: 1, self: ['unencodable', 'cyclic object'] } } },
  },
  { kind: 'Error with cause', make: () => new Error('outer', { cause: ['inner', 1] }) },
  { kind: '5,000-deep array', make: () => deepTerm('array', DEEP) },
];

function boom(): never {
  throw new Error('trap boom');
}

/** What one way of sending a kind must give (docs/semantics.md §4, "Term limits" and "Reasons that cannot travel"). */
export type Expected =
  /** Delivered, equal to what was sent (the documented mapping is one to one for these). */
  | 'equal'
  /** Refused at the sender: ErlmeshError code 'badarg'. */
  | 'badarg'
  /** Delivered as exactly this term. */
  | { as: unknown }
  /** rpc.call rejects at once with BadRpcError of this reason. */
  | { badrpc: unknown }
  /** rpc.call rejects at once with a BadRpcError (any reason), or a DOWN arrives (any reason). */
  | 'erlang-shaped';
