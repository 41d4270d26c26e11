/**
 * The shapes `startObserver` serves to its page, and its options. Types only.
 */
import type { Node } from '../../core/node/node.js';
import type { PeerEntry } from '../../core/relay-client/protocol.js';

/**
 * What the observer shows of the relay, as its `relay` option reports it: the identity,
 * the registered nodes and the counters, each when known (a `note` says why not).
 *
 * @example
 * const view: RelayView = { url: relay.url, names: relay.names(), stats: { ...relay.stats() } };
 */
export interface RelayView {
  readonly url?: string;
  readonly version?: string;
  readonly names?: PeerEntry[];
  /** `relay.stats()`: registered, channels, framesRouted, refused, backlogged, … */
  readonly stats?: Readonly<Record<string, number>>;
  /** Why some of the above is missing (e.g. "names and counters need the cookie"). */
  readonly note?: string;
}

/**
 * Options of `startObserver`.
 *
 * @example
 * const node = await startNode({ sname: 'observer', hidden: true });
 * const obs = await startObserver({ node, port: 8081 });
 * console.log(`open ${obs.url}`);
 */
export interface ObserverOptions {
  /** The node the observer asks the cluster through (best a hidden one, so it is nobody's peer in nodes()). */
  readonly node: Node;
  /** HTTP port; 0 (default) picks a free one. */
  readonly port?: number;
  /** Interface to listen on (default 127.0.0.1). */
  readonly host?: string;
  /** Directory of the built pages (default: the package's dist/public, built first in a checkout). */
  readonly root?: string;
  /** The nodes the relay lists (hidden ones and tabs included): the observer connects to each. */
  readonly peers?: () => PeerEntry[];
  /** The relay's view for the page's relay panel. */
  readonly relay?: () => RelayView | Promise<RelayView>;
  /** Allow killing and sending from the page (default: when the node holds the cookie). */
  readonly control?: boolean;
}

/**
 * A running observer (what `startObserver` resolves to).
 *
 * @example
 * const obs: Observer = await startObserver({ node, port: 0 });
 * await page.goto(obs.url);
 * await obs.close();
 */
export interface Observer {
  /** The page, e.g. `http://127.0.0.1:8081/`. */
  readonly url: string;
  readonly port: number;
  /** Stop serving, and tell the nodes to stop counting messages (the node is the caller's to stop). */
  close(): Promise<void>;
}
