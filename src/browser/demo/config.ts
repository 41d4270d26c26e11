/**
 * The demo cluster's settings, served by `erlmesh demo` at /erlmesh/config.json: where the
 * relay is, the host and naming mode of tab names, where to get join tickets (the page never
 * holds the cookie), and the server-node's name.
 */
import { DEMO_CONFIG_PATH, type DemoConfig } from '../../core/book/demo-config.js';

export type { DemoConfig };

/** Where `erlmesh demo` serves the config. */
export const CONFIG_PATH = DEMO_CONFIG_PATH;

/** Fetch the config; retried briefly while the server says it is still starting (503). */
export async function loadConfig(url = CONFIG_PATH, attempts = 10): Promise<DemoConfig> {
  for (let i = 1; ; i++) {
    const res = await fetch(url, { cache: 'no-store' });
    if (res.status === 503 && i < attempts) {
      await new Promise((r) => setTimeout(r, 300));
      continue;
    }
    if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
    const c = (await res.json()) as Partial<DemoConfig>;
    const str = (v: unknown) => typeof v === 'string' && v.length > 0;
    if (!str(c.relay) || !str(c.host) || !str(c.ticket) || !str(c.prefix) || !str(c.server) || (c.mode !== 'short' && c.mode !== 'long')) {
      throw new Error(`GET ${url}: not a demo config`);
    }
    return c as DemoConfig;
  }
}

/** The relay as a WebSocket URL: a path is taken on the page's origin (http → ws, https → wss). */
export function relayUrl(relay: string, base: string): string {
  const u = new URL(relay, base);
  if (u.protocol === 'http:') u.protocol = 'ws:';
  else if (u.protocol === 'https:') u.protocol = 'wss:';
  return u.toString();
}

/**
 * The ticket option of the page's tab-node: fetches a fresh join ticket from `path` each time
 * it is called (before each relay registration and each handshake).
 */
export function ticketFetcher(path: string): () => Promise<string> {
  return async () => {
    const res = await fetch(path, { cache: 'no-store' });
    if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status}`);
    return (await res.text()).trim();
  };
}
