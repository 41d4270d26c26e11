/**
 * The contract between the tab harness page (`tab.html`, src/browser/harness/main.ts) and
 * the Playwright fixture (src/playwright): what the page puts on `window`, and the shapes
 * that cross `page.evaluate`. Types only, so both sides can import it.
 *
 * Terms cross the page boundary as erlmesh's wire text (`encodeTerm` / `decodeTerm`), so
 * pids, refs, Maps, Sets, BigInts, `undefined`, Dates and binaries arrive intact.
 */
import type * as BrowserEntry from '../index.js';
import type { RelayTransport } from '../../core/relay-client/relay-transport.js';
import type { LocalLinks } from '../../core/relay-client/local-links.js';
import type { Node } from '../../core/node/node.js';

/**
 * `window.erlmesh` in the tab page: the browser entry, plus the relay transport and the
 * BroadcastChannel links of tabs (for the conformance suite).
 *
 * @example
 * const page = await cluster.page();
 * const name = await page.evaluate(async ({ url, cookie }) => {
 *   const node = await window.erlmesh.startNode({ sname: 'raw', relay: url, cookie });
 *   return node.name;
 * }, { url: cluster.relayUrl, cookie: cluster.cookie });
 */
export type ErlmeshGlobal = typeof BrowserEntry & { RelayTransport: typeof RelayTransport; LocalLinks: typeof LocalLinks };

/** An error as it crosses the page boundary. */
export interface WireError {
  name: string;
  message: string;
  stack?: string;
  /** ErlmeshError code, when the error had one. */
  code?: string;
  /** BadRpcError reason, as term text. */
  reason?: string;
}

export type WireResult = { ok: true; value: string } | { ok: false; error: WireError };

/** Options of `erlmeshHarness.start` (a subset of the tab-node options, all serialisable). */
export interface HarnessStartOptions {
  /** The cluster cookie (a trusted tab); exactly one of `cookie` and `ticket`. */
  cookie?: string;
  /** A join ticket (an untrusted tab that never sees the cookie). */
  ticket?: string;
  host?: string;
  /** A relay URL, or a list to fail over between (the tab-node's `relay`). */
  relay?: string | string[];
  sname?: string;
  name?: string;
  mode?: 'short' | 'long';
  hidden?: boolean;
  connectAll?: boolean;
  tickMs?: number;
  /** Talk to tabs of this browser over BroadcastChannel (default true). */
  broadcast?: boolean;
}

/** A recorded node event: the event as term text, and when the page saw it (`Date.now()`). */
export interface RecordedNodeEvent {
  event: string;
  at: number;
}

/** `window.erlmeshHarness`. */
export interface HarnessApi {
  /**
   * Start the tab-node, keep it as `window.node`, record node events from the start, and
   * show the outcome in `#status` ('running' or the error code) and `#node-name` / `#error`.
   */
  start(opts: HarnessStartOptions): Promise<{ ok: true; name: string } | { ok: false; error: WireError }>;
  /** Run `(node, arg, erlmesh) => R` given as source; `argText` is term text (or undefined). */
  run(source: string, argText: string | undefined): Promise<WireResult>;
  /** Spawn a process registered as `name` that records every message it receives. Returns its pid (term text). */
  inbox(name: string): Promise<WireResult>;
  /** Every message recorded by the inbox `name` (term text of an array). */
  messages(name: string): string;
  /**
   * The first message of inbox `name` at index `from` or later that matches (pattern as term
   * text, or a predicate as source), as term text of `[index, message]`; null if none yet.
   */
  findMessage(name: string, patternText: string | null, predicateSource: string | null, from: number): string | null;
  /** Recorded node events (with nodedownReason), as term text of `RecordedNodeEvent[]`-like rows `[event, at]`. */
  nodeEvents(): string;
  /** The first recorded event matching kind and node (either may be null), as term text of `[event, at]`; null if none yet. */
  findNodeEvent(kind: string | null, node: string | null, from: number): string | null;
  /** Set `#status`. */
  status(text: string): void;
}

declare global {
  interface Window {
    erlmesh: ErlmeshGlobal;
    erlmeshHarness: HarnessApi;
    /** The tab-node the harness started. */
    node: Node | undefined;
    /** Recorded inbox messages by registered name (raw terms). */
    __inboxes: Record<string, unknown[]>;
    /** Recorded node events (raw) with the time they were seen. */
    __nodeEvents: Array<[unknown, number]>;
  }
}

/**
 * The wildcard of message patterns (`waitForMessage(name, ['EXIT', ANY, 'noconnection'])`):
 * matches any value at its position, like Erlang's `_`.
 *
 * @example
 * await tab.inbox('probe');
 * srv.send(['probe', tab.name], ['hello', srv.name]);
 * await tab.waitForMessage('probe', ['hello', ANY]);
 */
export const ANY = '$erlmesh:any$';
