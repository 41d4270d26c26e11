/**
 * The tab `startNode`'s `broadcast` option, against a real relay on 127.0.0.1 with the
 * browser-style WebSocket and the platform's BroadcastChannel (Node has one, as pages do): on
 * by default, two tabs move their connection onto the bus and the relay routes nothing more
 * for them; `broadcast: false` keeps it on the relay; anything but a boolean is `badarg`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startNode } from '../../src/browser/tab-node.js';
import type { Node } from '../../src/core/index.js';
import type { WebSocketCtor } from '../../src/core/relay-client/websocket-like.js';
import { startRelay, type Relay } from '../../src/server/index.js';

const COOKIE = 'tab-broadcast';
let relay: Relay | undefined;
const nodes: Node[] = [];

afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
  await relay?.close();
  relay = undefined;
});

async function tab(sname: string, broadcast?: boolean): Promise<Node> {
  const n = await startNode({ sname, cookie: COOKIE, relay: relay!.url, WebSocket: WebSocket as unknown as WebSocketCtor, lifecycle: false, ...(broadcast === undefined ? {} : { broadcast }) });
  nodes.push(n);
  return n;
}

/** Frames the relay routes while `a` makes 50 rpc calls to `b`. */
async function routedDuring(a: Node, b: Node): Promise<number> {
  expect(await a.ping(b.name)).toBe('pong');
  const before = relay!.stats().framesRouted;
  for (let i = 0; i < 50; i++) expect(await a.rpc.call(b.name, 'erlang', 'node', [])).toBe(b.name);
  return relay!.stats().framesRouted - before;
}

describe('tab startNode: broadcast', () => {
  it('on by default: the relay routes nothing for two tabs; with broadcast: false it routes their traffic', async () => {
    relay = await startRelay({ port: 0, host: '127.0.0.1', cookie: COOKIE, logger: false });
    expect(await routedDuring(await tab('a@localhost'), await tab('b@localhost'))).toBe(0);
    expect(await routedDuring(await tab('c@localhost', false), await tab('d@localhost', false))).toBeGreaterThanOrEqual(100);
  });

  it('a broadcast that is not a boolean is badarg', async () => {
    relay = await startRelay({ port: 0, host: '127.0.0.1', cookie: COOKIE, logger: false });
    await expect(tab('e@localhost', 'yes' as unknown as boolean)).rejects.toMatchObject({ code: 'badarg' });
  });
});
