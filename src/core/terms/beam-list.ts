/**
 * Erlang lists in JavaScript (docs/beam-interop.md). A plain JS array is a tuple; a `List`
 * is an Erlang list: an array (so JS code reads it as one) that the ETF encoder writes as a
 * list. `ImproperList` is a list whose last tail is not `[]`, e.g. `[alias | Ref]`.
 *
 * Invariants: an `ImproperList` has at least one item and a tail that is not a list (a List
 * or an ImproperList as tail would make it a longer list, which is written out flat).
 */
import { badarg } from '../base/errors.js';

/**
 * An Erlang list: an array marked so that it travels to BEAM as a list, not a tuple. Array
 * methods that make arrays (`map`, `filter`, `slice`) make Lists; spread (`[...l]`) and
 * `Array.from` make plain arrays, which are tuples.
 *
 * @example
 * const l = list([1, 2, 3]);
 * l instanceof List;          // true
 * Array.isArray(l);           // true: l[0], l.length, for…of all work
 * l.map((x) => x * 2);        // a List again: [2, 4, 6]
 */
export class List<T = unknown> extends Array<T> {}

/**
 * Makes the plain array `items` (taken over, not copied) a List. Much faster than building a
 * List with `new List()` and `push`, which V8 does not optimise for Array subclasses.
 */
export function asList<T>(items: T[]): List<T> {
  return Object.setPrototypeOf(items, List.prototype) as List<T>;
}

/**
 * Makes a List (an Erlang list) of `items`: what `rpc` arguments into BEAM and list
 * arguments of BEAM functions need.
 *
 * @example
 * encodeEtf(['reverse', list([1, 2, 3])]);   // {reverse, [1,2,3]}; without list() it would be {1,2,3}
 * list([]);                                  // Erlang's []
 */
export function list<T>(items: Iterable<T> = []): List<T> {
  return asList(Array.from(items));
}

/**
 * An Erlang string (a list of character codes) made from JS text: `charlist('abc')` is
 * `"abc"`, the list `[97, 98, 99]`. A JS string alone would be an atom.
 *
 * @example
 * encodeEtf(charlist('abc'));                    // "abc": Uint8Array [131, 107, 0, 3, 97, 98, 99]
 * String.fromCodePoint(...charlist('héllo'));    // 'héllo'
 */
export function charlist(text: string): List<number> {
  const out: number[] = [];
  for (const ch of text) out.push(ch.codePointAt(0)!);
  return asList(out);
}

/**
 * An improper Erlang list `[A, B | Tail]`: `items` then a `tail` that is not a list. Made by
 * the ETF decoder and by {@link improper}.
 *
 * @example
 * const tag = improper(['alias'], ref);   // Erlang's [alias | Ref], OTP 25's call tag
 * tag.items;                              // ['alias']
 * tag.tail;                               // ref
 */
export class ImproperList {
  readonly items: readonly unknown[];
  readonly tail: unknown;
  constructor(items: readonly unknown[], tail: unknown) {
    if (items.length === 0) throw badarg('an improper list needs at least one item before its tail');
    if (tail instanceof List || tail instanceof ImproperList) {
      throw badarg('the tail of an improper list cannot be a list: append the items instead');
    }
    this.items = items;
    this.tail = tail;
  }

  /** Erlang-like display, e.g. `[1, 2 | 3]` (items formatted with String()). */
  toString(): string {
    return `[${this.items.map(String).join(', ')} | ${String(this.tail)}]`;
  }
}

/**
 * Makes the improper list `[...items | tail]`; throws `badarg` when `items` is empty or
 * `tail` is a list.
 *
 * @example
 * improper([1, 2], 3);   // Erlang's [1, 2 | 3]
 */
export function improper(items: Iterable<unknown>, tail: unknown): ImproperList {
  return new ImproperList([...items], tail);
}
