/**
 * The contract between `erlmesh demo` (src/server/cli/demo-config.ts serves it) and its page
 * (src/browser/demo/config.ts reads it): where the config and the join tickets are served, and
 * what the config says. Never the cookie.
 */
import { RELAY_PATH } from '../relay-client/protocol.js';

/** `GET` the page's view of the demo cluster (JSON, {@link DemoConfig}). */
export const DEMO_CONFIG_PATH = `${RELAY_PATH}/config.json`;
/** `GET` a freshly minted join ticket (text/plain, `no-store`). */
export const DEMO_TICKET_PATH = `${RELAY_PATH}/ticket`;

/** The page's view of the demo cluster. */
export interface DemoConfig {
  /** The relay: a path on the page's origin (`/erlmesh`) or an absolute ws(s):// URL. */
  relay: string;
  /** Host part of generated tab names: the server-node's (short) host. */
  host: string;
  mode: 'short' | 'long';
  /** Where the page gets join tickets (a path on the page's origin): `/erlmesh/ticket`. */
  ticket: string;
  /** The name prefix the tickets allow (tab names are `<prefix><random>@<host>`), e.g. `tab-`. */
  prefix: string;
  /** The server-node running kvs, e.g. `demo@myhost`. */
  server: string;
}
