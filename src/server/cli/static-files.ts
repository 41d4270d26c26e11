/**
 * A small static file handler for the demo page: GET/HEAD only, paths confined to `root`,
 * `index.html` for directories. When there is no root at all, one page says how to build it.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

export const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><meta charset="utf-8"><title>erlmesh demo</title>
<body style="font-family: system-ui, sans-serif; max-width: 40em; margin: 3em auto">
<h1>erlmesh demo</h1>
<p>The relay and the <code>demo</code> node are running, but the demo UI is not built yet.</p>
<p>Build the page into <code>dist/public/</code> (<code>npx vite build</code>), or put it under <code>public/</code>,
then reload this page.</p>
</body></html>
`;

/**
 * A request handler serving files under `root`, or the "not built" page when `root` is
 * undefined. `headers` are added to every file response (e.g. cross-origin isolation, which
 * the bench uses for fine-grained timers in pages).
 */
export function staticHandler(
  root: string | undefined,
  headers: Record<string, string> = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void serve(root, req, res, headers).catch(() => {
      if (!res.headersSent) send(res, 500, 'text/plain', 'internal error\n');
      else res.destroy();
    });
  };
}

async function serve(root: string | undefined, req: IncomingMessage, res: ServerResponse, headers: Record<string, string>): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    return send(res, 405, 'text/plain', 'method not allowed\n');
  }
  let path: string;
  try {
    path = decodeURIComponent(new URL(req.url ?? '/', 'http://demo.invalid').pathname);
  } catch {
    return send(res, 400, 'text/plain', 'bad request\n');
  }
  if (root === undefined) {
    if (path !== '/' && path !== '/index.html') return send(res, 404, 'text/plain', 'not found\n');
    return send(res, 200, TYPES['.html']!, NOT_BUILT_PAGE, req.method === 'HEAD');
  }
  let file = normalize(join(root, path));
  if (file !== root && !file.startsWith(root.endsWith(sep) ? root : root + sep)) return send(res, 403, 'text/plain', 'forbidden\n');
  let st = await stat(file).catch(() => undefined);
  if (st?.isDirectory()) {
    file = join(file, 'index.html');
    st = await stat(file).catch(() => undefined);
  }
  if (!st?.isFile()) return send(res, 404, 'text/plain', 'not found\n');
  res.writeHead(200, {
    'content-type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'content-length': st.size,
    'cache-control': 'no-cache',
    ...headers,
  });
  if (req.method === 'HEAD') return void res.end();
  createReadStream(file).on('error', () => res.destroy()).pipe(res);
}

function send(res: ServerResponse, status: number, type: string, body: string, headOnly = false): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(headOnly ? undefined : body);
}
