/**
 * The endpoints of `erlmesh demo` for its page:
 * - `GET /erlmesh/config.json`: what the page needs to start its tab-node in the cluster's
 *   naming mode (relay, host, mode, the server-node's name, where to get tickets). Never the
 *   cookie.
 * - `GET /erlmesh/ticket`: a freshly minted join ticket (text/plain, `no-store`), which the
 *   page fetches before each relay registration and each handshake (the ticket option's
 *   function form).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { DEMO_CONFIG_PATH, DEMO_TICKET_PATH, type DemoConfig } from '../../core/book/demo-config.js';

export { DEMO_CONFIG_PATH, DEMO_TICKET_PATH, type DemoConfig };

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** Answer 405 to anything but GET and HEAD (the endpoints here are read-only); true if it did. */
function refuseUnlessRead(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method === 'GET' || req.method === 'HEAD') return false;
  res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' });
  res.end('method not allowed\n');
  return true;
}

/**
 * Answers `GET|HEAD /erlmesh/ticket` with `mint()` (a new ticket per request; 503 while it
 * gives undefined) and hands every other request to `next`.
 */
export function withTicketEndpoint(mint: () => string | undefined, next: Handler, opts: { loopbackOnly?: boolean } = {}): Handler {
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== DEMO_TICKET_PATH) return next(req, res);
    if (refuseUnlessRead(req, res)) return;
    const refused = ticketRequestRefused(req, opts.loopbackOnly ?? false);
    if (refused) {
      res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      return void res.end(`${refused}\n`);
    }
    const t = mint();
    const body = t ?? 'starting\n';
    res.writeHead(t ? 200 : 503, {
      'content-type': 'text/plain; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}

/**
 * Answers `GET|HEAD /erlmesh/config.json` with `config()` (503 until it is known) and hands
 * every other request to `next`.
 */
export function withDemoConfig(config: () => DemoConfig | undefined, next: Handler): Handler {
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== DEMO_CONFIG_PATH) return next(req, res);
    if (refuseUnlessRead(req, res)) return;
    const c = config();
    const body = c ? JSON.stringify(c) : JSON.stringify({ error: 'starting' });
    res.writeHead(c ? 200 : 503, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}

/**
 * Why a ticket request must be refused, if it must: a page of another origin asking
 * (`Origin` naming another host than `Host`: a cross-site fetch), or, when the demo listens on
 * loopback only, a `Host` that is not a loopback name (a DNS-rebinding page: its own name
 * resolved to 127.0.0.1, so the browser sends its name as Host).
 */
export function ticketRequestRefused(req: IncomingMessage, loopbackOnly: boolean): string | undefined {
  const host = req.headers.host ?? '';
  const hostname = host.replace(/:\d+$/, '');
  if (loopbackOnly && !isLoopbackHost(hostname)) return `tickets are handed out to pages of this host only (Host: ${host || 'none'})`;
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== 'null') {
    let originHost: string | undefined;
    try {
      originHost = new URL(origin).host;
    } catch {
      originHost = undefined;
    }
    if (originHost !== host) return `tickets are handed out to this origin's pages only (Origin: ${origin})`;
  }
  return undefined;
}

/** True for `localhost`, 127.0.0.0/8 and ::1 (the demo hands out join tickets only on this host by default). */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(h);
  return false;
}
