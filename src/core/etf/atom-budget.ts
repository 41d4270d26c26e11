/**
 * `AtomBudget`: bounds the atoms one peer's BEAM node is made to create. BEAM never frees an
 * atom, and its atom table (1,048,576 by default) ending full stops the node, so every JS
 * string sent to BEAM as an atom is spent for good on that node. The dist layer owns one
 * budget per BEAM peer (keep it across reconnects: the peer's atoms outlive the connection)
 * and passes it to every `encodeEtf` and `decodeEtf` of that peer.
 *
 * Rules: an atom that came from the peer (`learn`, done by the decoder) or was already sent
 * costs nothing; each other distinct atom costs one; the one that would go over `limit` is
 * refused with `ErlmeshError` code `atom_limit` (and is not counted), so the message that
 * carries it is not sent; `encodeEtf` gives back what a term that failed to encode had
 * charged (`mark` / `rollback`), since none of it was sent. Invariant: `spent <= limit`.
 */
import { ErlmeshError } from '../base/errors.js';

/** Distinct new atoms one BEAM peer may be sent by default: under 1% of its atom table. */
export const DEFAULT_ATOM_LIMIT = 10_000;

/** Learned atoms kept at most (a BEAM node holds no more than this by default anyway). */
const MAX_KNOWN = 1_048_576;

/**
 * The atoms a BEAM peer has been made to create, with a limit. Pass one to `encodeEtf` and
 * `decodeEtf` (option `atoms`) for every term of one peer.
 *
 * @example
 * const atoms = new AtomBudget(1_000);
 * const msg = decodeEtf(bytes, { atoms });    // atoms in msg are now free to send back
 * encodeEtf(['ok', 'fine'], { atoms });       // 'ok' and 'fine' cost one each, once
 * atoms.spent;                                // 2 (if the peer had not sent them)
 */
export class AtomBudget {
  readonly limit: number;
  private readonly known = new Set<string>();
  /** The atoms charged, in order (at most `limit`). */
  private readonly charged: string[] = [];

  constructor(limit: number = DEFAULT_ATOM_LIMIT) {
    if (!Number.isSafeInteger(limit) || limit < 0) throw new ErlmeshError('badarg', `an atom budget is a non-negative integer, not ${String(limit)}`);
    this.limit = limit;
  }

  /** Distinct atoms sent that the peer had not sent first. */
  get spent(): number {
    return this.charged.length;
  }

  /** A point to {@link rollback} to. */
  mark(): number {
    return this.charged.length;
  }

  /** Forgets the atoms charged since `mark`: what carried them was not sent. */
  rollback(mark: number): void {
    while (this.charged.length > mark) this.known.delete(this.charged.pop()!);
  }

  /** True when `atom` is free to send: it came from the peer or was sent before. */
  has(atom: string): boolean {
    return this.known.has(atom);
  }

  /** Records an atom that came from the peer: it exists there, so sending it costs nothing. */
  learn(atom: string): void {
    if (this.known.size < MAX_KNOWN) this.known.add(atom);
  }

  /** Accounts for sending `atom`; throws `atom_limit` when it is new and the budget is spent. */
  charge(atom: string): void {
    if (this.known.has(atom)) return;
    if (this.charged.length >= this.limit) {
      throw new ErlmeshError(
        'atom_limit',
        `sending the atom '${atom.length > 40 ? `${atom.slice(0, 40)}…` : atom}' would make the BEAM peer create more than ${this.limit} atoms, which it never frees: send text as binary('…') instead of a string`,
        { atom, limit: this.limit },
      );
    }
    this.charged.push(atom);
    this.known.add(atom);
  }
}
