/**
 * Process identifiers. A pid names its node, a per-node id and serial, and the node's
 * creation (incarnation), so a pid from before a node restarted never equals a new one.
 * Compare pids with `equals` (or `key` in a Map), never with `===` or their printed form.
 *
 * @example
 * const pid: Pid = node.spawn(async (self) => self.receive(undefined, Infinity));
 * pid.node;                             // 'gandalf@myhost'
 * pid.equals(node.whereis('worker'));   // true if it is registered as worker
 */
export class Pid {
  readonly node: string;
  readonly id: number;
  readonly serial: number;
  readonly creation: number;
  constructor(node: string, id: number, serial: number, creation: number) {
    this.node = node;
    this.id = id;
    this.serial = serial;
    this.creation = creation;
  }

  /** True when both name the same process of the same node incarnation. */
  equals(other: unknown): boolean {
    return (
      other instanceof Pid &&
      other.id === this.id &&
      other.serial === this.serial &&
      other.node === this.node &&
      other.creation === this.creation
    );
  }

  /** A string unique per process, for use as a Map key. */
  get key(): string {
    return `${this.node}/${this.creation}/${this.id}.${this.serial}`;
  }

  /** Erlang-like display, e.g. `<gandalf@host.42.0>`. Never compare printed pids. */
  toString(): string {
    return `<${this.node}.${this.id}.${this.serial}>`;
  }

  toJSON(): string {
    return this.toString();
  }

  /** How Node's console and REPL show it (a Symbol.for key: no Node import needed). */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/** Type guard for `Pid`. */
export function isPid(v: unknown): v is Pid {
  return v instanceof Pid;
}
