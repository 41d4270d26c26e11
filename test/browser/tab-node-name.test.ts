/**
 * The generated name of a tab-node without a given name or host: a page served from an IP
 * address (127.0.0.1, as `erlmesh demo` prints) must not become `tab-…@127`. A tab-node is
 * started here as a page would start it (a `location`, the browser-style WebSocket) against a
 * real relay on 127.0.0.1.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { defaultTabHost, startNode } from '../../src/browser/tab-node.js';
import type { Node } from '../../src/core/index.js';
import type { WebSocketCtor } from '../../src/core/relay-client/websocket-like.js';
import { startRelay, type Relay } from '../../src/server/index.js';

const g = globalThis as { location?: unknown };
let relay: Relay | undefined;
let node: Node | undefined;

afterEach(async () => {
  await node?.stop();
  await relay?.close();
  node = undefined;
  relay = undefined;
  delete g.location;
});

describe('a generated tab name', () => {
  it("of a page served from 127.0.0.1 is tab-…@localhost, not tab-…@127", async () => {
    relay = await startRelay({ port: 0, cookie: 'c', logger: false });
    const { port } = new URL(relay.url);
    g.location = { protocol: 'http:', host: `127.0.0.1:${port}`, hostname: '127.0.0.1' };
    node = await startNode({ cookie: 'c', WebSocket: WebSocket as unknown as WebSocketCtor, lifecycle: false, output: false, logger: false });
    expect(node.name).toMatch(/^tab-[a-z0-9]+@localhost$/);
  });

  it('takes the first label of a host name in short mode, and localhost for any IP address', () => {
    expect(defaultTabHost('demo.example.com', 'short')).toBe('demo');
    expect(defaultTabHost('myhost', 'short')).toBe('myhost');
    expect(defaultTabHost('localhost', 'short')).toBe('localhost');
    expect(defaultTabHost('127.0.0.1', 'short')).toBe('localhost');
    expect(defaultTabHost('192.168.1.20', 'short')).toBe('localhost');
    expect(defaultTabHost('[::1]', 'short')).toBe('localhost');
    expect(defaultTabHost(undefined, 'short')).toBe('localhost');
  });

  it("in long mode is a long name's host: the page's full name or address, else 127.0.0.1", () => {
    expect(defaultTabHost('demo.example.com', 'long')).toBe('demo.example.com');
    expect(defaultTabHost('127.0.0.1', 'long')).toBe('127.0.0.1');
    expect(defaultTabHost('localhost', 'long')).toBe('127.0.0.1');
    expect(defaultTabHost(undefined, 'long')).toBe('127.0.0.1');
  });
});
