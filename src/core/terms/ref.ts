/**
 * References: unique tokens made by a node (monitor refs, rpc keys, call tags). Compare with
 * `equals`.
 *
 * @example
 * const ref: Ref = self.monitor(pid);
 * const down = await self.receive((m) => m[0] === 'DOWN' && ref.equals(m[1]), 5_000);
 */
export class Ref {
  readonly node: string;
  readonly creation: number;
  readonly id: number;
  #key: string | undefined = undefined;
  constructor(node: string, creation: number, id: number) {
    this.node = node;
    this.creation = creation;
    this.id = id;
  }

  equals(other: unknown): boolean {
    return (
      other instanceof Ref &&
      other.id === this.id &&
      other.node === this.node &&
      other.creation === this.creation
    );
  }

  /** A string unique per reference, for use as a Map key (made once: a call uses it several times). */
  get key(): string {
    return (this.#key ??= `${this.node}/${this.creation}/${this.id}`);
  }

  /** Erlang-like display, e.g. `#Ref<gandalf@host.7>`. */
  toString(): string {
    return `#Ref<${this.node}.${this.id}>`;
  }

  toJSON(): string {
    return this.toString();
  }

  /** How Node's console and REPL show it (a Symbol.for key: no Node import needed). */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/** Type guard for `Ref`. */
export function isRef(v: unknown): v is Ref {
  return v instanceof Ref;
}
