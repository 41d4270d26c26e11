import { test, expect } from '@playwright/test';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join, extname } from 'node:path';
import { startRelay } from '../src/server/relay/index.js';
import { startNode } from '../src/server/node.js';

test('a tab-node joins a server-node through the relay', async ({ page }) => {
  const root = join(process.cwd(), 'dist/public');
  const server = createServer(async (req, res) => {
    const path = join(root, (req.url ?? '/').split('?')[0] === '/' ? 'index.html' : (req.url ?? '/').split('?')[0]!);
    try {
      const body = await readFile(path);
      res.writeHead(200, { 'content-type': extname(path) === '.js' ? 'text/javascript' : 'text/html' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const relay = await startRelay({ server, cookie: 'c', logger: false });
  const srv = await startNode({ sname: 'srv', host: 'vm', cookie: 'c', relay: `ws://127.0.0.1:${port}`, startRelay: false, output: false, logger: false });
  try {
    await page.goto(`http://127.0.0.1:${port}/tab.html`);
    await expect(page.locator('#status')).toHaveText('ready');
    const name = await page.evaluate(async () => {
      const n = await window.erlmesh.startNode({ cookie: 'c', host: 'vm' });
      (window as any).node = n;
      return n.name;
    });
    expect(name).toMatch(/^tab-[a-z0-9]+@vm$/);
    expect(srv.nodes()).toContain(name);
    const fromTab = await page.evaluate(async () => (window as any).node.rpc.call('srv@vm', 'math', 'sqrt', [16]));
    expect(fromTab).toBe(4);
    expect(await srv.rpc.call(name, 'erlang', 'node', [])).toBe(name);
  } finally {
    await srv.stop();
    await relay.close();
    server.close();
  }
});
