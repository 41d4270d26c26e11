/**
 * BEAM values that JavaScript cannot use but must be able to hand back: ports, funs and
 * exports (`fun lists:reverse/1`). Each keeps the exact ETF bytes it arrived in (`bytes`:
 * tag and payload, without the 131 version byte) and is written back byte for byte, so a
 * port or fun sent from BEAM through erlmesh and back is the same term (docs/beam-interop.md).
 * The parsed fields are for display and matching only.
 *
 * Invariant: two ports or two funs are `equals` exactly when they have the same bytes; two
 * exports when they name the same module, function and arity. A `BeamExport` made in JS by {@link exportFun} has no bytes until the
 * encoder writes it (from its module, name and arity).
 */
import { badarg } from '../base/errors.js';

/** Same bytes. */
function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * A BEAM port (from `NEW_PORT_EXT`, `V4_PORT_EXT` or `PORT_EXT`): kept as bytes.
 *
 * @example
 * const port = decodeEtf(bytesOfAPort) as BeamPort;   // term_to_binary(Port) from e@host
 * port.node;                                           // 'e@host'
 * encodeEtf(port);                                     // the bytes it came in: BEAM gets its port back
 */
export class BeamPort {
  constructor(
    readonly node: string,
    readonly id: bigint,
    readonly creation: number,
    readonly bytes: Uint8Array,
  ) {}

  equals(other: unknown): boolean {
    return other instanceof BeamPort && sameBytes(other.bytes, this.bytes);
  }

  toString(): string {
    return `#Port<${this.node}.${this.id}>`;
  }

  toJSON(): string {
    return this.toString();
  }

  /** How Node's console and REPL show it (a Symbol.for key: no Node import needed). */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/**
 * A BEAM fun (`NEW_FUN_EXT`): erlmesh cannot call it, only hold it and send it back.
 *
 * @example
 * const fun = decodeEtf(bytesOfAFun) as BeamFun;   // term_to_binary(fun(X) -> X end) from e@host
 * fun.module;                                       // the module it was made in
 * encodeEtf(['run', fun]);                          // BEAM gets the same fun back and can call it
 */
export class BeamFun {
  constructor(
    readonly module: string,
    readonly arity: number,
    readonly bytes: Uint8Array,
  ) {}

  equals(other: unknown): boolean {
    return other instanceof BeamFun && sameBytes(other.bytes, this.bytes);
  }

  toString(): string {
    return `#Fun<${this.module}/${this.arity}>`;
  }

  toJSON(): string {
    return this.toString();
  }

  /** How Node's console and REPL show it (a Symbol.for key: no Node import needed). */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/**
 * An external fun `fun Module:Name/Arity` (`EXPORT_EXT`), decoded from BEAM (with `bytes`)
 * or made with {@link exportFun}.
 *
 * @example
 * const f = exportFun('erlang', 'abs', 1);
 * f.module;   // 'erlang'
 */
export class BeamExport {
  constructor(
    readonly module: string,
    readonly name: string,
    readonly arity: number,
    readonly bytes?: Uint8Array,
  ) {}

  /** Same module, name and arity (what makes two external funs `=:=` in Erlang). */
  equals(other: unknown): boolean {
    return other instanceof BeamExport && other.module === this.module && other.name === this.name && other.arity === this.arity;
  }

  toString(): string {
    return `fun ${this.module}:${this.name}/${this.arity}`;
  }

  toJSON(): string {
    return this.toString();
  }

  /** How Node's console and REPL show it (a Symbol.for key: no Node import needed). */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/**
 * Makes Erlang's `fun Module:Name/Arity`, e.g. an argument for `lists:map/2`. The module and
 * name become atoms when it is sent (counted against the connection's atom budget).
 *
 * @example
 * encodeEtf([exportFun('erlang', 'abs', 1), list([-1, 2])]);   // {fun erlang:abs/1, [-1,2]}
 */
export function exportFun(module: string, name: string, arity: number): BeamExport {
  if (typeof module !== 'string' || typeof name !== 'string') throw badarg('exportFun takes a module and a function name (strings)');
  if (!Number.isInteger(arity) || arity < 0 || arity > 255) throw badarg(`an arity is an integer from 0 to 255, not ${String(arity)}`);
  return new BeamExport(module, name, arity);
}
