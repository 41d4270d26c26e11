/**
 * Message rates on the cluster graph's edges, from the difference between two looks at each
 * node's connection counters (`nodeStats().links`: frames in and out, or bytes for a BEAM
 * connection), over the time between them on that node's own clock (`uptimeMs`). Nodes count
 * nothing for this: the counters are the ones their channels keep anyway. DOM-free.
 *
 * A counter that went down (the connection was made again) gives no rate until the next look;
 * a look with the same `uptimeMs` as the last (the observer had not refreshed yet) keeps the
 * last rate.
 */

/** One connection as a node reports it (json of core's LinkStats). */
export interface LinkCounters {
  peer: string;
  via: string;
  framesIn?: number | null;
  framesOut?: number | null;
  bytesIn?: number | null;
  bytesOut?: number | null;
}

/** The traffic on one edge: frames (messages and other signals) or bytes a second, both ways. */
export interface EdgeRate {
  perSecond: number;
  unit: 'frames' | 'bytes';
  via: string;
}

interface Look {
  t: number;
  total: number;
}

const num = (v: number | null | undefined): v is number => typeof v === 'number';

/** What `l` has carried, both ways, and in which unit. */
function carried(l: LinkCounters): { total: number; unit: EdgeRate['unit'] } | undefined {
  if (num(l.framesIn) && num(l.framesOut)) return { total: l.framesIn + l.framesOut, unit: 'frames' };
  if (num(l.bytesIn) && num(l.bytesOut)) return { total: l.bytesIn + l.bytesOut, unit: 'bytes' };
  return undefined;
}

export class EdgeRates {
  private looks = new Map<string, Look>();
  private rates = new Map<string, EdgeRate>();

  /** Take a new look at every node's counters. */
  update(nodes: ReadonlyArray<{ name: string; stats: { uptimeMs: number; links?: LinkCounters[] } | null }>): void {
    const looks = new Map<string, Look>();
    const rates = new Map<string, EdgeRate>();
    for (const n of nodes) {
      const s = n.stats;
      if (!s) continue;
      for (const l of s.links ?? []) {
        const c = carried(l);
        if (!c) continue;
        const key = `${n.name} ${l.peer}`;
        const before = this.looks.get(key);
        const kept = this.rates.get(key);
        if (before && s.uptimeMs === before.t) {
          looks.set(key, before);
          if (kept) rates.set(key, { ...kept, via: l.via });
          continue;
        }
        looks.set(key, { t: s.uptimeMs, total: c.total });
        if (before && s.uptimeMs > before.t && c.total >= before.total) {
          rates.set(key, { perSecond: ((c.total - before.total) * 1000) / (s.uptimeMs - before.t), unit: c.unit, via: l.via });
        }
      }
    }
    this.looks = looks;
    this.rates = rates;
  }

  /** The edge between `a` and `b`: the busier of the two ends' views (one may not answer). */
  of(a: string, b: string): EdgeRate | undefined {
    const x = this.rates.get(`${a} ${b}`);
    const y = this.rates.get(`${b} ${a}`);
    if (!x || !y) return x ?? y;
    return y.perSecond > x.perSecond ? y : x;
  }
}

/** `12.34` frames → `12/s`; `1530` → `1.5k/s`; bytes as `3.4 KB/s`. */
export function formatRate(r: EdgeRate): string {
  const v = r.perSecond;
  if (r.unit === 'bytes') return v < 1024 ? `${Math.round(v)} B/s` : v < 1024 ** 2 ? `${(v / 1024).toFixed(1)} KB/s` : `${(v / 1024 ** 2).toFixed(1)} MB/s`;
  if (v < 10) return `${v.toFixed(1).replace(/\.0$/, '')}/s`;
  if (v < 1000) return `${Math.round(v)}/s`;
  return v < 1e6 ? `${(v / 1000).toFixed(1)}k/s` : `${(v / 1e6).toFixed(1)}M/s`;
}
