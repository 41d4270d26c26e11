/**
 * The observer page's side of the JSON API (src/server/observer/routes.ts): the shapes it
 * gets, and the calls. Pids come as `{ pid, key }`: `pid` to show, `key` to name it back.
 */
import type { LinkCounters } from './rates.js';

/** A pid as the API sends it. */
export interface PidRef {
  pid: string;
  key: string;
}

export interface Memory {
  heapUsed?: number;
  heapTotal?: number;
  rss?: number;
  source: string;
}

/** One connection of a node and its counters (core's LinkStats). */
export type Link = LinkCounters;

export interface Stats {
  node: string;
  role: string | null;
  platform: 'server' | 'browser' | 'other';
  uptimeMs: number;
  processCount: number;
  mailboxTotal: number;
  memory: Memory | null;
  visible: string[];
  hidden: string[];
  links?: Link[];
}

export interface NodeEntry {
  name: string;
  self: boolean;
  hidden: boolean;
  role: string;
  stats: Stats | null;
  error: string | null;
}

export interface RelayView {
  url?: string;
  version?: string;
  names?: Array<{ name: string; hidden: boolean; role?: string }>;
  stats?: Record<string, number>;
  note?: string;
}

export interface ClusterView {
  observer: string;
  nodes: NodeEntry[];
  edges: Array<{ a: string; b: string }>;
  relay: RelayView | null;
  /** May the page kill and send (a cookie-holding observer)? */
  control: boolean;
}

export interface ProcessRow {
  pid: PidRef;
  name: string | null;
  /** `[module, function, arity]`, or the JS function's name (core's InitialCall). */
  initialCall: [string, string, number] | string;
  queue: number;
  links: number;
  monitors: number;
  monitoredBy: number;
  received: number | null;
  memory: number;
  trapExit: boolean;
}

export interface ProcessDetail extends ProcessRow {
  linked: PidRef[];
  monitoring: string[];
  monitoredByPids: PidRef[];
  groupLeader: PidRef;
  maxMailbox: number | null;
  dropped: number;
  messages: string[];
  messagesOmitted: number;
}

export interface NamesView {
  registered: Array<{ name: string; pid: PidRef | null }>;
  global: Array<{ name: string; pid: PidRef | null }>;
  pg: Array<{ group: string; members: PidRef[] }>;
}

/** What asking a node gave: its answer, or `refused` / an error in words. */
export type Answer<T> = { ok: true; value: T } | { ok: false; refused: boolean; error: string };

const BASE = '/observer/api';

async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(BASE + path, { cache: 'no-store' });
  const body = (await res.json()) as T & { error?: string };
  if (!res.ok) throw new Error(body.error ?? `HTTP ${res.status}`);
  return body;
}

export const api = {
  cluster: () => getJson<ClusterView>('/cluster'),
  processes: (node: string) => getJson<Answer<{ total: number; processes: ProcessRow[] }>>(`/processes?node=${encodeURIComponent(node)}`),
  process: (node: string, pid: string) => getJson<Answer<ProcessDetail | null>>(`/process?node=${encodeURIComponent(node)}&pid=${encodeURIComponent(pid)}`),
  names: (node: string) => getJson<Answer<NamesView>>(`/names?node=${encodeURIComponent(node)}`),
  /** Kill (`exit(pid, 'kill')`) or send `message` (JSON, or plain text sent as a string). */
  async act(what: 'kill' | 'send', node: string, pid: string, message?: string): Promise<void> {
    const res = await fetch(`${BASE}/${what}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ node, pid, message }) });
    if (!res.ok) {
      const body = (await res.json().catch(() => ({}))) as { error?: string; detail?: string };
      throw new Error(body.detail ?? body.error ?? `HTTP ${res.status}`);
    }
  },
};
