/**
 * The relay's partitions (Relay.partition / heal): pairs of name sets cut from each other.
 * The router (router.ts) fails `open` across a cut and ends the channels across it; it tells
 * the nodes on both sides which names they are cut from (`partitioned`, `healed`, welcome's
 * `partitioned`; see core/relay-client/protocol.ts), so that they cut their direct links too.
 */
export class Partitions {
  private readonly cuts: Array<{ a: Set<string>; b: Set<string> }> = [];

  /** Cut `a` from `b`; returns, for each name on either side, the names it was just cut from. */
  add(a: readonly string[], b: readonly string[]): Map<string, string[]> {
    const cut = { a: new Set(a), b: new Set(b) };
    this.cuts.push(cut);
    const news = new Map<string, string[]>();
    const note = (x: string, others: Set<string>) => {
      const peers = [...others].filter((y) => y !== x);
      if (peers.length) news.set(x, [...new Set([...(news.get(x) ?? []), ...peers])]);
    };
    for (const x of cut.a) note(x, cut.b);
    for (const x of cut.b) note(x, cut.a);
    return news;
  }

  /** True if `x` and `y` are on opposite sides of a cut (false when either is unnamed). */
  between(x: string | undefined, y: string | undefined): boolean {
    if (x === undefined || y === undefined || x === y) return false;
    return this.cuts.some((p) => (p.a.has(x) && p.b.has(y)) || (p.a.has(y) && p.b.has(x)));
  }

  /** Every name `x` is cut from (sorted). */
  cutFrom(x: string): string[] {
    const out = new Set<string>();
    for (const p of this.cuts) {
      if (p.a.has(x)) for (const y of p.b) if (y !== x) out.add(y);
      if (p.b.has(x)) for (const y of p.a) if (y !== x) out.add(y);
    }
    return [...out].sort();
  }

  /** True if `x` is on either side of some cut. */
  involves(x: string): boolean {
    return this.cuts.some((p) => p.a.has(x) || p.b.has(x));
  }

  /** Every ordered pair of `names` across a cut. */
  cutPairs(names: readonly string[]): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    for (const x of names) for (const y of names) if (this.between(x, y)) out.push([x, y]);
    return out;
  }

  clear(): void {
    this.cuts.length = 0;
  }
}
