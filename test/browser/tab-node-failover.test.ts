/**
 * A tab-node given a list of relays (issue 13 point 3) fails over as a server-node does: when
 * its relay closes, it registers with the next one under the same name with a greater
 * creation, and the nodes there see it come up. Started as a page starts it (the browser-style
 * WebSocket), against two real relays on 127.0.0.1 that share a cookie but not a cluster.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startNode as startTabNode } from '../../src/browser/tab-node.js';
import type { Node } from '../../src/core/index.js';
import type { WebSocketCtor } from '../../src/core/relay-client/websocket-like.js';
import { startNode, startRelay, type Relay } from '../../src/server/index.js';
import { eventually } from '../support/cluster.js';
import { watch } from '../support/membership.js';

const COOKIE = 'tab-failover';
const relays: Relay[] = [];
const nodes: Node[] = [];

afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
  await Promise.all(relays.splice(0).map((r) => r.close()));
});

describe('a tab-node with two relays', () => {
  it('moves to the second when the first closes: same name, greater creation, nodeup there', async () => {
    const r1 = await startRelay({ port: 0, cookie: COOKIE, logger: false });
    const r2 = await startRelay({ port: 0, cookie: COOKIE, logger: false });
    relays.push(r1, r2);
    const y = await startNode({ name: 'y@127.0.0.1', cookie: COOKIE, relay: r2.url, startRelay: false, direct: false, output: false, logger: false });
    nodes.push(y);
    const seen = watch(y);
    const tab = await startTabNode({
      name: 'tab-x@127.0.0.1',
      cookie: COOKIE,
      relay: [r1.url, r2.url],
      WebSocket: WebSocket as unknown as WebSocketCtor,
      backoff: { initialMs: 20, maxMs: 100 },
      lifecycle: false,
      broadcast: false,
      output: false,
      logger: false,
    });
    nodes.push(tab);
    const before = tab.creation;
    expect(y.nodes()).toEqual([]);
    await r1.close();
    await eventually(() => y.nodes().includes(tab.name), 10_000);
    expect(tab.name).toBe('tab-x@127.0.0.1');
    expect(tab.creation).toBeGreaterThan(before);
    expect(seen).toContainEqual(['nodeup', tab.name]);
    expect(await tab.rpc.call(y.name, 'erlang', 'node', [])).toBe(y.name);
  });
});
