/**
 * `erlmesh demo`'s GET /erlmesh/config.json (what the demo page starts its tab-node with),
 * and the loopback check behind the warning for `--host` values that expose the cookie.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_CONFIG_PATH, DEMO_TICKET_PATH, isLoopbackHost, withDemoConfig, withTicketEndpoint, type DemoConfig } from '../../src/server/cli/demo-config.js';
import { parseTicket } from '../../src/core/index.js';
import { mintTicket, ticketKeySync } from '../../src/server/index.js';

let server: http.Server | undefined;

afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

const CONFIG: DemoConfig = { relay: '/erlmesh', host: 'myhost', mode: 'short', ticket: '/erlmesh/ticket', prefix: 'tab-', server: 'demo@myhost' };

type Get = (path: string, method?: string, headers?: Record<string, string>) => Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>;

async function serve(config: () => DemoConfig | undefined, mint: () => string | undefined = () => undefined, loopbackOnly = false): Promise<Get> {
  server = http.createServer(withDemoConfig(config, withTicketEndpoint(mint, (_req, res) => res.writeHead(404).end('static'), { loopbackOnly })));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return (path, method = 'GET', headers = {}) =>
    new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path, method, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end();
    });
}

describe('demo config endpoint', () => {
  it('serves the config as JSON, uncached', async () => {
    const get = await serve(() => CONFIG);
    expect(DEMO_CONFIG_PATH).toBe('/erlmesh/config.json');
    const r = await get('/erlmesh/config.json?x=1');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.headers['cache-control']).toBe('no-store');
    expect(JSON.parse(r.body)).toEqual(CONFIG);
    const head = await get('/erlmesh/config.json', 'HEAD');
    expect([head.status, head.body]).toEqual([200, '']);
  });

  it('answers 503 until the demo node is up, 405 to other methods, and passes other paths on', async () => {
    let config: DemoConfig | undefined;
    const get = await serve(() => config);
    expect((await get('/erlmesh/config.json')).status).toBe(503);
    config = CONFIG;
    expect((await get('/erlmesh/config.json')).status).toBe(200);
    expect((await get('/erlmesh/config.json', 'POST')).status).toBe(405);
    expect(await get('/index.html')).toMatchObject({ status: 404, body: 'static' });
    expect((await get('/erlmesh/config.jsonx')).body).toBe('static');
  });
});

describe('demo ticket endpoint', () => {
  it('mints a fresh ticket per request (text, uncached), 503 until ready, 405 to other methods; the config holds no cookie', async () => {
    let ready = false;
    const cookie = 'the-demo-cookie';
    const get = await serve(() => CONFIG, () => (ready ? mintTicket({ cookie, role: 'demo', prefix: 'tab-', ttlMs: 600_000 }) : undefined));
    expect(DEMO_TICKET_PATH).toBe('/erlmesh/ticket');
    expect((await get('/erlmesh/ticket')).status).toBe(503);
    ready = true;
    const a = await get('/erlmesh/ticket');
    const b = await get('/erlmesh/ticket?again');
    expect(a.status).toBe(200);
    expect(a.headers['cache-control']).toBe('no-store');
    expect(a.headers['content-type']).toMatch(/^text\/plain/);
    expect(a.body).not.toBe(b.body);
    const t = parseTicket(a.body);
    expect(t.claims).toMatchObject({ role: 'demo', prefix: 'tab-' });
    expect(ticketKeySync(cookie, t.payload)).toBe(t.key);
    expect((await get('/erlmesh/ticket', 'POST')).status).toBe(405);
    const config = await get('/erlmesh/config.json');
    expect(config.body).not.toContain(cookie);
    expect(JSON.parse(config.body)).not.toHaveProperty('cookie');
  });
});

describe('demo ticket endpoint refuses other sites', () => {
  async function ask(headers: Record<string, string>, loopbackOnly = true): Promise<{ status: number; body: string }> {
    const mint = (): string => mintTicket({ cookie: 'c', role: 'demo', prefix: 'tab-', ttlMs: 600_000 });
    const get = await serve(() => undefined, mint, loopbackOnly);
    return get(DEMO_TICKET_PATH, 'GET', headers);
  }

  it('a page of this host gets a ticket (same-origin fetches may send Origin or not)', async () => {
    expect((await ask({})).status).toBe(200);
    await new Promise((r) => server!.close(r));
    expect((await ask({ host: 'localhost:8080', origin: 'http://localhost:8080' })).status).toBe(200);
  });

  it('a DNS-rebinding page (its own name as Host) gets 403 while the demo listens on loopback', async () => {
    const r = await ask({ host: 'evil.example:8080' });
    expect(r.status).toBe(403);
    expect(r.body).toContain('this host only');
  });

  it('a cross-site fetch (Origin of another host) gets 403, on any interface', async () => {
    const r = await ask({ origin: 'https://evil.example' }, false);
    expect(r.status).toBe(403);
    expect(r.body).toContain('origin');
  });
});

describe('isLoopbackHost', () => {
  it('accepts loopback names and addresses only', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', 'LOCALHOST', '::ffff:127.0.0.1']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '192.168.1.2', '10.0.0.1', 'example.com', '128.0.0.1']) expect(isLoopbackHost(h), h).toBe(false);
  });
});
