/**
 * The welcome's snapshot of the name table (every registered node, local or on another relay),
 * kept as JSON text so that a welcome does not serialise every entry again: at 10,000 nodes
 * joining at once, re-serialising up to N entries per join was a tenth of a relay's CPU.
 *
 * Two views, as `entryFor` gives them: a viewer that takes membership sees each entry with its
 * creation (and `vouched` for a cookie holder that takes membership); any other sees the plain
 * entry. Each entry's text is made once, when it is added; the list's text is appended to while
 * nodes only join (V8 joins strings without copying) and rebuilt once after a node leaves.
 *
 * Invariants: the text lists exactly the sessions added and not removed, in the order they were
 * added (the name table's order), each as `entryFor(viewer, o)` serialises; `welcomeText` is
 * `JSON.stringify` of the welcome message the router sent before, up to key order.
 */
import type { PeerEntry } from '../../core/relay-client/protocol.js';
import { entryFor, type Session } from './session.js';

const PLAIN = { members: false } as Session;
const MEMBER = { members: true } as Session;

export class PeerSnapshot {
  private readonly texts = new Map<string, [plain: string, member: string]>();
  private lists: [plain: string, member: string] | undefined = ['', ''];

  /** A registered session (its entry set): it is in every later snapshot. */
  add(o: Session): void {
    const name = (o.entry as PeerEntry).name;
    const t: [string, string] = [JSON.stringify(entryFor(PLAIN, o)), JSON.stringify(entryFor(MEMBER, o))];
    this.texts.set(name, t);
    if (this.lists === undefined) return;
    const sep = this.texts.size > 1 ? ',' : '';
    this.lists = [this.lists[0] + sep + t[0], this.lists[1] + sep + t[1]];
  }

  /** `name` left: the next snapshot is rebuilt without it. */
  remove(name: string): void {
    if (this.texts.delete(name)) this.lists = undefined;
  }

  /** The welcome message for a viewer (`members`: whether it takes membership), as JSON text. */
  welcomeText(members: boolean, creation: number, partitioned: readonly string[]): string {
    if (this.lists === undefined) {
      const all = [...this.texts.values()];
      this.lists = [all.map((t) => t[0]).join(','), all.map((t) => t[1]).join(',')];
    }
    const cut = partitioned.length ? `,"partitioned":${JSON.stringify(partitioned)}` : '';
    return `{"t":"welcome","creation":${creation},"peers":[${this.lists[members ? 1 : 0]}]${cut}}`;
  }
}
