/**
 * The observer page's HTTP API (JSON; the page polls it):
 *
 *   GET  /observer/api/cluster                      → ClusterView (nodes, edges, relay) and `control`
 *   GET  /observer/api/processes?node=N             → Answer<ProcessList>
 *   GET  /observer/api/process?node=N&pid=KEY       → Answer<ProcessDetail | null>
 *   GET  /observer/api/names?node=N                 → Answer<NamesView>
 *   POST /observer/api/kill {node, pid}             → {ok} — exit(pid, 'kill')
 *   POST /observer/api/send {node, pid, message}    → {ok} — message: JSON text, or plain text sent as a string
 *
 * Kill and send answer 403 `{error: 'refused'}` unless control is on (a cookie-holding
 * observer). They take `content-type: application/json` only, and no request from another
 * origin (403 `cross_origin`): a page elsewhere in the same browser cannot send them (a
 * cross-origin JSON POST needs a CORS preflight, which this server never grants). A pid is
 * named by the key the page got with it (json.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Node } from '../../core/node/node.js';
import { ask } from './answers.js';
import type { Collector } from './collector.js';
import { PidBook, toJson } from './json.js';

export const OBSERVER_API = '/observer/api';
const MAX_BODY = 16 * 1024;

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function readJson(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  return new Promise((resolve) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => {
      text += d;
      if (text.length > MAX_BODY) {
        resolve(undefined);
        req.destroy();
      }
    });
    req.on('end', () => {
      try {
        const v: unknown = JSON.parse(text);
        resolve(v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);
      } catch {
        resolve(undefined);
      }
    });
    req.on('error', () => resolve(undefined));
  });
}

/** The page's message text as a term: JSON when it parses, else the text itself. */
export function messageFromText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Is `req` a same-origin JSON request (what the page sends), not a form or another site's fetch? */
export function sameOriginJson(req: IncomingMessage): boolean {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const origin = req.headers.origin;
  return type === 'application/json' && (origin === undefined || origin === `http://${req.headers.host ?? ''}`);
}

/** The API handler; undefined when `req` is not for it (the page's files then). */
export function observerApi(node: Node, collector: Collector, control: boolean): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  const book = new PidBook();
  const known = (name: string | null): name is string => name !== null && (name === node.name || node.nodes('connected').includes(name));
  return async (req, res) => {
    const reply = (status: number, body: unknown): true => {
      json(res, status, body);
      return true;
    };
    const url = new URL(req.url ?? '/', 'http://observer.invalid');
    if (!url.pathname.startsWith(`${OBSERVER_API}/`)) return false;
    const route = url.pathname.slice(OBSERVER_API.length + 1);
    const target = url.searchParams.get('node');
    if (req.method === 'GET') {
      if (route === 'cluster') return reply(200, { ...(toJson(await collector.cluster(), book) as object), control });
      if (route === 'processes' || route === 'names' || route === 'process') {
        if (!known(target)) return reply(404, { error: `not connected to ${String(target)}` });
        if (route === 'process') {
          const pid = book.get(url.searchParams.get('pid'));
          if (!pid || pid.node !== target) return reply(404, { error: 'unknown pid' });
          return reply(200, toJson(await ask(node, target, 'processInfo', [pid, 10, 4096]), book));
        }
        return reply(200, toJson(await ask(node, target, route === 'names' ? 'names' : 'processes', route === 'names' ? [] : [2000]), book));
      }
    }
    if (req.method === 'POST' && (route === 'kill' || route === 'send')) {
      if (!control) return reply(403, { error: 'refused', detail: 'only a cookie-holding observer may kill or send' });
      if (!sameOriginJson(req)) return reply(403, { error: 'cross_origin', detail: 'kill and send take a JSON request from the observer page itself' });
      const body = await readJson(req);
      const pid = book.get(body?.pid);
      if (!body || !pid) return reply(400, { error: 'bad request: {node, pid' + (route === 'send' ? ', message' : '') + '} with a pid the page was shown' });
      if (route === 'kill') node.exit(pid, 'kill');
      else {
        if (typeof body.message !== 'string') return reply(400, { error: 'bad request: message must be text' });
        node.send(pid, messageFromText(body.message));
      }
      return reply(200, { ok: true });
    }
    return reply(404, { error: 'no such observer API' });
  };
}
