/**
 * Node names: `alive@host`. Short names have a host without dots (`gandalf@vm`); long names a
 * fully qualified host or an IP address (`gandalf@127.0.0.1`). The two modes never mix
 * (docs/semantics.md §1): a node refuses to dial a peer of the other mode.
 */
/** Short names (`gandalf@vm`) or long names (`gandalf@host.example.com`); the two never mix. */
export type NameMode = 'short' | 'long';

export const NOT_ALIVE_NAME = 'nonode@nohost';

export interface ParsedName {
  alive: string;
  host: string;
  mode: NameMode;
}

const ALIVE_RE = /^[A-Za-z0-9_-]+$/;

/** Parse `alive@host`; undefined when it is not a valid node name. */
export function parseNodeName(name: unknown): ParsedName | undefined {
  if (typeof name !== 'string') return undefined;
  const at = name.indexOf('@');
  if (at <= 0 || at !== name.lastIndexOf('@') || at === name.length - 1) return undefined;
  const alive = name.slice(0, at);
  const host = name.slice(at + 1);
  if (!ALIVE_RE.test(alive) || !/^[A-Za-z0-9_.:[\]-]+$/.test(host)) return undefined;
  return { alive, host, mode: hostMode(host) };
}

/** 'long' for an IP address or a dotted host name, else 'short'. */
export function hostMode(host: string): NameMode {
  return host.includes('.') || host.includes(':') ? 'long' : 'short';
}

/** Compare node names the way Erlang orders atoms (by code units). */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
