/**
 * The types of `erlmesh` for a type checker that knows neither the `browser` nor the `node`
 * export condition: TypeScript's `moduleResolution: "bundler"` (every Vite app) reads the
 * `default` condition's types, while the bundle itself picks `browser` (a page) or `node`
 * (SSR, a server bundle). So `startNode` here takes the options of every platform, each
 * platform reading its own: a tab ignores `cookieFile`, a server-node ignores `lifecycle`.
 * `erlmesh/browser` and `erlmesh/server` give one platform's exact types.
 *
 * Types only: package.json maps no runtime condition to this file.
 *
 * @module erlmesh
 */
import type { Node } from '../core/node/node.js';
import type { NodeOptions } from '../core/node/options.js';
import type { MintTicketOptions } from '../core/trust/ticket.js';
import type { TabNodeOptions } from '../browser/tab-node.js';

// Everything the core exports (src/core/index.ts lists it by name), with this entry's own
// `startNode` and `mintTicket`: a local export takes precedence over the same name from `export *`.
export * from '../core/index.js';

/**
 * What a server-node reads beyond the core options (`ServerNodeOptions` in `erlmesh/server`,
 * which test/tooling checks this against). Written out here because that file's types
 * name Node.js modules, which a page's type check need not have.
 *
 * @example
 * await startNode({ sname: 'gandalf', relay: 'ws://127.0.0.1:4367', direct: false });
 */
export interface ServerNodeExtras {
  /** The relay URL (a server-node's default: the local relay); the /erlmesh path is added when missing. */
  relay?: string;
  /** Start a relay here when none answers at a loopback `relay` URL (server-nodes; default true). */
  startRelay?: boolean;
  /** Listen for direct links from other server-nodes (default true); `{ host, port }` to choose where. */
  direct?: boolean | { host?: string; port?: number };
  /** Path of the cookie file when `cookie` is not given (server-nodes; default ~/.erlang.cookie). */
  cookieFile?: string;
  /** Also be an Erlang node (server-nodes; default false): `true`, or `{ port, host, epmdPort, netTicktime, startEpmd, hidden }`. */
  beam?: boolean | { port?: number; host?: string; epmdPort?: number; netTicktime?: number; startEpmd?: boolean; hidden?: boolean };
}

/**
 * The options `startNode` from `erlmesh` takes when the platform is not known to the type
 * checker: the tab's, the server-node's and the core's (`transport`, used as given).
 *
 * @example
 * const opts: AnyNodeOptions = { sname: 'tab-1', relay: 'wss://example.com/erlmesh', ticket: () => fetch('/erlmesh/ticket').then((r) => r.text()) };
 */
export type AnyNodeOptions = TabNodeOptions & ServerNodeExtras & Pick<NodeOptions, 'transport'>;

/**
 * Start a node: in a page a tab-node (`erlmesh/browser`), in Node.js a server-node
 * (`erlmesh/server`); with a `transport` (a `MemoryNetwork`'s from `erlmesh/testing`) on that
 * transport alone.
 *
 * @example
 * import { startNode } from 'erlmesh';
 * const node = await startNode({ sname: `tab-${id}`, relay: 'wss://example.com/erlmesh', ticket: () => fetch('/erlmesh/ticket').then((r) => r.text()) });
 * await node.rpc.call('api@example', 'kvs', 'lookup', ['weather']);
 */
export declare function startNode(opts?: AnyNodeOptions): Promise<Node>;

/**
 * Mint a join ticket from the cookie: synchronous in Node.js (`node:crypto`), a promise in a
 * page (WebCrypto); `await` works with both.
 *
 * @example
 * const ticket = await mintTicket({ cookie, role: 'guest', prefix: 'tab-', ttlMs: 600_000 });
 */
export declare function mintTicket(o: MintTicketOptions): string | Promise<string>;
