/**
 * Shared settings of the fuzz tests: the seed (FUZZ_SEED, else random) and the frame count
 * (FUZZ_FRAMES), both printed on every run and put in every failure message, so that any run
 * can be replayed with `FUZZ_SEED=<seed> npx vitest run test/fuzz`.
 */
import fc from 'fast-check';

/** The run's seed: FUZZ_SEED, else a random 31-bit integer. */
export function fuzzSeed(): number {
  const env = process.env.FUZZ_SEED;
  if (env !== undefined && env !== '') {
    const n = Number(env);
    if (!Number.isSafeInteger(n)) throw new Error(`FUZZ_SEED must be an integer, got ${env}`);
    return n | 0;
  }
  return Math.floor(Math.random() * 0x7fff_ffff);
}

/** FUZZ_FRAMES, else `dflt`. */
export function fuzzFrames(dflt: number): number {
  const env = process.env.FUZZ_FRAMES;
  if (env === undefined || env === '') return dflt;
  const n = Number(env);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`FUZZ_FRAMES must be a positive integer, got ${env}`);
  return n;
}

/**
 * An endless, seeded stream of values of `arb`: batch k is `fc.sample(arb, { seed: mix(seed, k) })`,
 * so the same seed gives the same values in the same order (and nearby seeds share no batch).
 */
export function seededStream<T>(arb: fc.Arbitrary<T>, seed: number, batch = 64): () => T {
  let k = 0;
  let buf: T[] = [];
  return () => {
    if (buf.length === 0) buf = fc.sample(arb, { seed: mix(seed, k++), numRuns: batch }).reverse();
    return buf.pop() as T;
  };
}

/** A 32-bit mix of (seed, k) (murmur3's finalizer). */
function mix(seed: number, k: number): number {
  let h = (seed ^ Math.imul(k + 1, 0x9e3779b1)) | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

/** A histogram as sorted `key: count` lines. */
export function histogram(counts: Map<string, number>): string {
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([k, n]) => `  ${String(n).padStart(7)}  ${k}`)
    .join('\n');
}

export function bump(counts: Map<string, number>, key: string, by = 1): void {
  counts.set(key, (counts.get(key) ?? 0) + by);
}
