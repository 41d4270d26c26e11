/**
 * `startObserver` (src/server/observer) over real HTTP, the cluster on a MemoryNetwork: the
 * JSON API the page polls (cluster view, processes, one process, names), kill and send only
 * with control, named errors for bad requests and bad options, and a node that goes down
 * leaving the cluster view. The page itself is driven in Chromium by observer-cli.test.ts and
 * e2e/observer.spec.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type ErlmeshError, MemoryNetwork, type Node, type Pid } from '../../src/core/index.js';
import { startNode } from '../../src/server/start-node.js';
import { startObserver } from '../../src/server/observer/start-observer.js';
import type { Observer } from '../../src/server/observer/types.js';
import { messageFromText } from '../../src/server/observer/routes.js';

const stops: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s().catch(() => {});
});

interface PidRef {
  pid: string;
  key: string;
}

async function setup(control?: boolean): Promise<{ a: Node; b: Node; obs: Observer; get: <T>(path: string) => Promise<T>; post: (path: string, body: unknown) => Promise<Response> }> {
  const net = new MemoryNetwork();
  const mk = async (sname: string, hidden = false) => {
    const n = await startNode({ sname, host: 'vm', cookie: 'c', transport: net.transport(), hidden, output: false, logger: false });
    stops.push(() => n.stop());
    return n;
  };
  const a = await mk('a');
  const b = await mk('b');
  const o = await mk('observer', true);
  const root = mkdtempSync(join(tmpdir(), 'erlmesh-observer-root-'));
  writeFileSync(join(root, 'observer.html'), '<!doctype html><title>observer</title>');
  stops.push(async () => rmSync(root, { recursive: true, force: true }));
  const obs = await startObserver({ node: o, root, peers: () => [a, b].map((n) => ({ name: n.name, hidden: false })), ...(control !== undefined ? { control } : {}) });
  stops.push(() => obs.close());
  const get = async <T>(path: string): Promise<T> => (await (await fetch(obs.url + path.replace(/^\//, ''), { signal: AbortSignal.timeout(10_000) })).json()) as T;
  const post = (path: string, body: unknown) =>
    fetch(obs.url + path.replace(/^\//, ''), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
  return { a, b, obs, get, post };
}

/** The cluster view once it lists `n` nodes with their figures (bounded). */
async function clusterWith<T extends { nodes: Array<{ name: string; stats: unknown }> }>(get: (p: string) => Promise<T>, n: number): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const c = await get('/observer/api/cluster');
    if (c.nodes.length === n && c.nodes.every((x) => x.stats !== null)) return c;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the cluster view never listed ${n} nodes with figures`);
}

describe('startObserver', () => {
  it('serves the page at / and the cluster: every node found through peers, with figures and connections', async () => {
    const { a, b, obs, get } = await setup();
    expect(await (await fetch(obs.url)).text()).toContain('<title>observer</title>');
    type Link = { peer: string; via: string; framesIn: number; framesOut: number };
    type View = { observer: string; control: boolean; nodes: Array<{ name: string; hidden: boolean; role: string; stats: { processCount: number; links: Link[] } | null }>; edges: Array<{ a: string; b: string }> };
    const view = await clusterWith<View>(get, 3);
    expect(view.nodes.map((n) => n.name).sort()).toEqual([a.name, b.name, view.observer].sort());
    expect(view.nodes.find((n) => n.name === view.observer)!.hidden).toBe(true);
    expect(view.nodes.find((n) => n.name === a.name)).toMatchObject({ hidden: false, role: 'cookie' });
    expect(view).toMatchObject({ control: true });
    // Each node's connection counters, for the page's rates: a got the observer's nodeStats request.
    const toObserver = view.nodes.find((n) => n.name === a.name)!.stats!.links.find((l) => l.peer === view.observer)!;
    expect(toObserver).toMatchObject({ via: 'direct' }); // the MemoryNetwork's channels say nothing of a carrier
    expect(toObserver.framesIn).toBeGreaterThanOrEqual(1);
    // Connections as the nodes report them: a and b connect, and the edge shows.
    expect(view.edges).toContainEqual({ a: a.name, b: view.observer });
    expect(await a.ping(b.name)).toBe('pong');
    let edges = view.edges;
    for (let i = 0; i < 100 && !edges.some((e) => e.a === a.name && e.b === b.name); i++) {
      await new Promise((r) => setTimeout(r, 50));
      edges = (await get<View>('/observer/api/cluster')).edges;
    }
    expect(edges).toContainEqual({ a: a.name, b: b.name });
    // A node that stops leaves the view at the next look.
    await b.stop();
    for (let i = 0; i < 100 && (await get<View>('/observer/api/cluster')).nodes.some((n) => n.name === b.name); i++) await new Promise((r) => setTimeout(r, 20));
    expect((await get<View>('/observer/api/cluster')).nodes.map((n) => n.name)).not.toContain(b.name);
  });

  it('processes, one process with its queue, names; kill and send act on the node; close stops the counting', async () => {
    const { a, obs, get, post } = await setup();
    await clusterWith(get, 3);
    const partner = a.spawn(async (self) => {
      self.trapExit(true);
      self.register('partner');
      await self.receive(() => false);
    });
    const victim = a.spawn(async (self) => {
      self.link(partner);
      await self.receive(() => false);
    });
    a.send(victim, ['job', 1]);
    await new Promise((r) => setTimeout(r, 20));
    const list = await get<{ ok: true; value: { processes: Array<{ pid: PidRef; name: string | null }> } }>(`/observer/api/processes?node=${a.name}`);
    expect(list.ok).toBe(true);
    const row = list.value.processes.find((p) => p.pid.pid === String(victim))!;
    expect(list.value.processes.find((p) => p.name === 'partner')!.pid.pid).toBe(String(partner));
    const one = await get<{ ok: true; value: { linked: PidRef[]; messages: string[] } }>(`/observer/api/process?node=${a.name}&pid=${encodeURIComponent(row.pid.key)}`);
    expect(one.value.linked.map((p) => p.pid)).toEqual([String(partner)]);
    expect(one.value.messages).toEqual(["['job', 1]"]);
    const names = await get<{ ok: true; value: { registered: Array<{ name: string }> } }>(`/observer/api/names?node=${a.name}`);
    expect(names.value.registered.map((r) => r.name)).toContain('partner');

    expect((await post('/observer/api/send', { node: a.name, pid: row.pid.key, message: '["more", 2]' })).status).toBe(200);
    const after = await get<{ value: { messages: string[] } }>(`/observer/api/process?node=${a.name}&pid=${encodeURIComponent(row.pid.key)}`);
    expect(after.value.messages).toEqual(["['job', 1]", "['more', 2]"]);
    const reason = a.exitReason(victim);
    expect((await post('/observer/api/kill', { node: a.name, pid: row.pid.key })).status).toBe(200);
    expect(await reason).toBe('killed');
    expect((await get<{ ok: true; value: null }>(`/observer/api/process?node=${a.name}&pid=${encodeURIComponent(row.pid.key)}`)).value).toBeNull();
    // Closing the observer stops the counting it started on the nodes.
    expect(a.runtime.local(partner)!.received).not.toBeUndefined();
    await obs.close();
    expect(a.runtime.processes().filter((p) => p.received !== undefined)).toEqual([]);
  });

  it('refuses kill and send without control, and bad requests by name', async () => {
    const { a, get, post } = await setup(false);
    await clusterWith(get, 3);
    const pid: Pid = a.spawn((self) => self.receive(() => false));
    const list = await get<{ value: { processes: Array<{ pid: PidRef }> } }>(`/observer/api/processes?node=${a.name}`);
    const key = list.value.processes.find((p) => p.pid.pid === String(pid))!.pid.key;
    const refused = await post('/observer/api/kill', { node: a.name, pid: key });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: 'refused' });
    expect(a.isProcessAlive(pid)).toBe(true);
    // With control, a pid the page was never shown is a bad request.
    const open = await setup();
    expect((await open.post('/observer/api/kill', { pid: 'nobody' })).status).toBe(400);
    // Not from another site: a form-like POST (no JSON type) or another origin is refused.
    await clusterWith(open.get, 3);
    const victim = open.a.spawn((self) => self.receive(() => false));
    const rows = await open.get<{ value: { processes: Array<{ pid: PidRef }> } }>(`/observer/api/processes?node=${open.a.name}`);
    const vkey = rows.value.processes.find((p) => p.pid.pid === String(victim))!.pid.key;
    const body = JSON.stringify({ node: open.a.name, pid: vkey });
    const plain = await fetch(`${open.obs.url}observer/api/kill`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body });
    const foreign = await fetch(`${open.obs.url}observer/api/kill`, { method: 'POST', headers: { 'content-type': 'application/json', origin: 'http://evil.example' }, body });
    expect([plain.status, foreign.status]).toEqual([403, 403]);
    expect(await foreign.json()).toMatchObject({ error: 'cross_origin' });
    expect(open.a.isProcessAlive(victim)).toBe(true);
    expect((await get<{ error: string }>('/observer/api/processes?node=nobody@vm')).error).toBe('not connected to nobody@vm');
    expect((await get<{ error: string }>(`/observer/api/process?node=${a.name}&pid=unknown`)).error).toBe('unknown pid');
    expect((await get<{ error: string }>('/observer/api/nothing')).error).toBe('no such observer API');
  });

  it('bad options are named errors', async () => {
    const net = new MemoryNetwork();
    const n = await startNode({ sname: 'o', host: 'vm', cookie: 'c', transport: net.transport(), output: false, logger: false });
    stops.push(() => n.stop());
    const code = async (p: Promise<unknown>) => ((await p.catch((e: unknown) => e)) as ErlmeshError).code;
    expect(await code(startObserver({ node: undefined as unknown as Node }))).toBe('badarg');
    expect(await code(startObserver({ node: n, port: 70_000 }))).toBe('badarg');
    const alone = await startNode({ output: false, logger: false });
    expect(await code(startObserver({ node: alone, root: tmpdir() }))).toBe('notalive');
  });

  it('takes a message as JSON when it parses, else as the text', () => {
    expect(messageFromText('["hello", 42]')).toEqual(['hello', 42]);
    expect(messageFromText('hello')).toBe('hello');
  });
});
