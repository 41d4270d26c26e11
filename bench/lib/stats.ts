/**
 * Percentiles of per-iteration timings: nearest rank (the smallest sample with at least p% of
 * the samples at or below it), the same rule as `pct/3` in bench/erlang/erlmesh_bench.erl.
 */

export interface Summary {
  n: number;
  p50_us: number;
  p99_us: number;
  mean_us: number;
  min_us: number;
  max_us: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p * sorted.length) / 100);
  return sorted[Math.max(1, Math.min(sorted.length, rank)) - 1]!;
}

/** Summary of durations given in microseconds. */
export function summarize(samplesUs: readonly number[]): Summary {
  const s = [...samplesUs].sort((a, b) => a - b);
  const sum = s.reduce((a, b) => a + b, 0);
  return {
    n: s.length,
    p50_us: percentile(s, 50),
    p99_us: percentile(s, 99),
    mean_us: s.length ? sum / s.length : NaN,
    min_us: s[0] ?? NaN,
    max_us: s[s.length - 1] ?? NaN,
  };
}
