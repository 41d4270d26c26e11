/**
 * The set of values that may be sent between processes (Erlang's terms, in JS).
 * Tuples are arrays, atoms are strings, `undefined` is the atom `undefined`.
 */
import { Pid } from './pid.js';
import { Ref } from './ref.js';

/**
 * A value that may travel between processes and nodes: tuples are arrays, atoms strings.
 *
 * @example
 * const msg: Term = ['store', 'weather', { temp: 21, at: new Date() }, self.pid];
 * self.send(['kvs', 'b@host'], msg);
 */
export type Term =
  | null
  | undefined
  | boolean
  | number
  | bigint
  | string
  | Date
  | Uint8Array
  | Error
  | Pid
  | Ref
  | readonly Term[]
  | Map<Term, Term>
  | Set<Term>
  | { readonly [key: string]: Term };

export { Pid, Ref };
