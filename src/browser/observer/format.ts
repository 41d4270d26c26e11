/** How the observer page prints figures: bytes, durations, a node's kind. DOM-free. */

/** `1536` → `1.5 KB`; undefined → `—`. */
export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

/** `3_723_000` ms → `1h 2m 3s`. */
export function uptime(ms: number): string {
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const parts = d > 0 ? [`${d}d`, `${h}h`] : h > 0 ? [`${h}h`, `${m}m`, `${s % 60}s`] : m > 0 ? [`${m}m`, `${s % 60}s`] : [`${s % 60}s`];
  return parts.join(' ');
}

/** 'observer' (this page's node), 'tab', 'server' or '?' (not answered yet, or refused). */
export function kindOf(n: { self: boolean; stats: { platform: string } | null }): 'observer' | 'tab' | 'server' | '?' {
  if (n.self) return 'observer';
  if (!n.stats) return '?';
  return n.stats.platform === 'browser' ? 'tab' : n.stats.platform === 'server' ? 'server' : '?';
}

/** A process's initial call as Erlang's observer prints it: `kvs:loop/0`, or the function's name. */
export function initialCall(call: [string, string, number] | string): string {
  return typeof call === 'string' ? call : `${call[0]}:${call[1]}/${call[2]}`;
}

/** Rows sorted by `key`, numbers and strings alike, missing values last. */
export function sortRows<T>(rows: readonly T[], key: keyof T, dir: 1 | -1): T[] {
  return [...rows].sort((x, y) => {
    const a = x[key];
    const b = y[key];
    if (a === b) return 0;
    if (a === null || a === undefined) return 1;
    if (b === null || b === undefined) return -1;
    const pa = typeof a === 'object' && a !== null && 'pid' in a ? pidOrder(String((a as { pid: string }).pid)) : a;
    const pb = typeof b === 'object' && b !== null && 'pid' in b ? pidOrder(String((b as { pid: string }).pid)) : b;
    return (pa < pb ? -1 : pa > pb ? 1 : 0) * dir;
  });
}

/** `<a@h.12.0>` → 12.0 (sorts pids by number, not as text). */
function pidOrder(pid: string): number {
  const m = /\.(\d+)\.(\d+)>$/.exec(pid);
  return m ? Number(m[1]) + Number(m[2]) / 1e6 : 0;
}
