/**
 * A node never prints its cookie: `console.log(node)` (util.inspect) shows `#Node<name>`, and
 * the cookie store hides itself wherever it is reached from.
 */
import { inspect } from 'node:util';
import { describe, expect } from 'vitest';
import { it } from '../../fixtures.js';
import { MemoryNetwork, startNode } from '../../../src/core/index.js';

describe('the cookie is never printed', () => {
  it('inspecting a node, deeply, shows its name and not its cookie', async () => {
    const net = new MemoryNetwork();
    const node = await startNode({ sname: 'a', cookie: 'SECRETCOOKIE', transport: net.transport() });
    try {
      node.setCookie('b@localhost', 'OTHERSECRET');
      expect(inspect(node)).toBe(`#Node<${node.name}>`);
      expect(inspect({ node }, { depth: 10 })).not.toMatch(/SECRETCOOKIE|OTHERSECRET/);
      const internals = Object.values(node as unknown as Record<string, unknown>);
      for (const v of internals) {
        expect(inspect(v, { depth: 6, showHidden: true })).not.toMatch(/SECRETCOOKIE|OTHERSECRET/);
        let json = '';
        try {
          json = JSON.stringify(v) ?? '';
        } catch {
          // cyclic internals cannot be serialized at all
        }
        expect(json).not.toMatch(/SECRETCOOKIE|OTHERSECRET/);
      }
    } finally {
      await node.stop();
    }
  });
});
