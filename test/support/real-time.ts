/**
 * Test helpers for waiting on real time and watching promises settle.
 */

/** Reject if `p` has not settled within `ms` real milliseconds (a bound, not a timing claim). */
export function within<T>(p: Promise<T>, ms = 2000, what = 'the operation'): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([p, bound]).finally(() => clearTimeout(timer));
}

/** Wait `ms` of real time, so that "nothing else happens" checks would see late events. */
export const settle = (ms = 20): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Track whether a promise has settled, and with what, without awaiting it. */
export function track<T>(p: Promise<T>): { settled: boolean; value?: T; error?: unknown } {
  const s: { settled: boolean; value?: T; error?: unknown } = { settled: false };
  p.then(
    (v) => Object.assign(s, { settled: true, value: v }),
    (e) => Object.assign(s, { settled: true, error: e }),
  );
  return s;
}
