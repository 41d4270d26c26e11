/**
 * The demo's static file handler: files under the root only, index.html for directories, and
 * the "not built yet" page when there is no root.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { staticHandler } from '../../src/server/cli/static-files.js';

let server: http.Server | undefined;
let dir: string | undefined;

afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

async function serve(root: string | undefined): Promise<(path: string, method?: string) => Promise<{ status: number; type: string | null; body: string }>> {
  server = http.createServer(staticHandler(root));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  // Raw requests: fetch would normalize '..' segments away before they reach the server.
  return (path, method = 'GET') =>
    new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path, method }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'] ?? null, body }));
      });
      req.on('error', reject);
      req.end();
    });
}

describe('demo static files', () => {
  it('serves files under the root, index.html for directories, and nothing outside', async () => {
    dir = mkdtempSync(join(tmpdir(), 'erlmesh-static-'));
    const root = join(dir, 'public');
    mkdirSync(join(root, 'sub'), { recursive: true });
    writeFileSync(join(root, 'index.html'), '<h1>page</h1>');
    writeFileSync(join(root, 'sub', 'app.js'), 'export {}');
    writeFileSync(join(dir, 'secret.txt'), 'secret');
    const get = await serve(root);

    expect(await get('/')).toEqual({ status: 200, type: 'text/html; charset=utf-8', body: '<h1>page</h1>' });
    expect(await get('/sub/app.js')).toMatchObject({ status: 200, type: 'text/javascript; charset=utf-8', body: 'export {}' });
    expect((await get('/sub')).status).toBe(404); // a directory without index.html
    expect((await get('/missing.css')).status).toBe(404);
    for (const path of ['/../secret.txt', '/..%2fsecret.txt', '/%2e%2e/secret.txt', '/sub/../../secret.txt']) {
      const res = await get(path);
      expect(res.status, path).not.toBe(200);
      expect(res.body, path).not.toContain('secret');
    }
    expect((await get('/%zz')).status).toBe(400);
    expect((await get('/', 'POST')).status).toBe(405);
    expect(await get('/', 'HEAD')).toMatchObject({ status: 200, body: '' });
  });

  it('without a built page, / says how to build it and other paths are 404', async () => {
    const get = await serve(undefined);
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('not built yet');
    expect(page.body).toContain('dist/public/');
    expect((await get('/app.js')).status).toBe(404);
  });
});
