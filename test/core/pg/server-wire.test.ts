/**
 * pg's scope servers on the wire: a `discover` to `[scope, node]` is a `reg_send` that names
 * the sending scope server as its sender (as Erlang's REG_SEND, and as before the servers
 * were built over the ServiceHost), the restarted server's included. A malformed message from
 * another node is logged (one flood-limited line naming the node and the tag), never acted on,
 * and the server goes on.
 */
import { describe, expect } from 'vitest';
import { it, type TestCluster } from '../../fixtures.js';
import { eventually } from '../../support/cluster.js';
import { connect, flushUntil } from '../../support/simulated-time.js';
import { decodeWireFrame } from '../../../src/core/net/encodings.js';
import { type Node, Pid } from '../../../src/core/index.js';
import type { SimulatedClock } from '../../../src/core/testing/simulated-clock.js';

const idler = (n: Node): Pid =>
  n.spawn(async (self) => {
    await self.receive(() => false);
  });

describe('pg: the sender of a message between scope servers', () => {
  it("is the sending node's scope server, for each scope, after a restart too", async ({ cluster: c }) => {
    const seen: Array<[string, string, unknown, unknown]> = [];
    const stop = c.net.tap((from, _to, f) => {
      for (const fr of decodeWireFrame(f) as Array<{ t: string; from?: unknown; to?: unknown; msg?: unknown }>) {
        if (fr.t === 'reg_send' && (fr.to === 'pg' || fr.to === 'pg_other') && Array.isArray(fr.msg)) seen.push([from, String(fr.to), fr.from, fr.msg[0]]);
      }
    });
    const [a, b] = await c.startNodes('a', 'b');
    a.pg.scope('other');
    b.pg.scope('other');
    expect(await a.ping(b.name)).toBe('pong');
    a.pg.join('g', idler(a));
    await eventually(() => b.pg.getMembers('g').length === 1);
    const old = a.whereis('pg')!;
    a.exit(old, 'kill');
    await eventually(() => a.whereis('pg') !== undefined && !a.whereis('pg')!.equals(old));
    await eventually(() => seen.some(([from, , sender]) => from === a.name && sender instanceof Pid && !sender.equals(old) && sender.equals(a.whereis('pg')!)));
    stop();
    const nodes = new Map([a, b].map((n) => [n.name, n]));
    expect(new Set(seen.map(([from, scope]) => `${from} ${scope}`))).toEqual(new Set([`${a.name} pg`, `${b.name} pg`, `${a.name} pg_other`, `${b.name} pg_other`]));
    for (const [from, scope, sender, tag] of seen) {
      expect(tag).toBe('discover');
      expect(sender, `${from} ${scope}`).toBeInstanceOf(Pid);
      const server = nodes.get(from)!.whereis(scope)!;
      const ok = (sender as Pid).equals(server) || (from === a.name && scope === 'pg' && (sender as Pid).equals(old));
      expect(ok, `${from} ${scope}: ${String(sender)}`).toBe(true);
    }
  });
});

describe('pg: a malformed message from another node', () => {
  let c: TestCluster;
  let clock: SimulatedClock;
  it.beforeEach(({ clock: k, simCluster }) => {
    clock = k;
    c = simCluster;
  });

  const lines = (n: Node): string[] => (c.captured.get(n.name)?.logs ?? []).map((l) => l.text).filter((t) => t.startsWith('capabilities: '));

  it('is logged with the node and the tag (flood-limited), not acted on; the server goes on', async () => {
    const [a, b] = await c.startNodes('a', 'b');
    await connect(clock, a, b);
    await clock.flush();
    const server = a.whereis('pg')!;
    const fake = idler(b);
    const to: [string, string] = ['pg', a.name];
    b.send(to, ['sync', fake, 'not a list']);
    b.send(to, ['join', fake, 'g', ['not a pid']]);
    b.send(to, ['leave', fake, 42, []]);
    b.send(to, ['pg_not_allowed', fake, 'g']);
    b.send(to, ['discover', 'not a pid']);
    b.send(to, ['something else', fake]); // not one of pg's messages: ignored, as OTP
    await flushUntil(clock, () => lines(a).length >= 5);
    await clock.flush();
    expect(lines(a)).toEqual([
      `capabilities: refused a malformed pg message sync in scope 'pg' from node ${b.name} (role 'undefined')`,
      `capabilities: refused a malformed pg message join in scope 'pg' from node ${b.name} (role 'undefined')`,
      `capabilities: refused a malformed pg message leave in scope 'pg' from node ${b.name} (role 'undefined')`,
      `capabilities: refused a malformed pg message pg_not_allowed in scope 'pg' from node ${b.name} (role 'undefined')`,
      `capabilities: refused a malformed pg message discover in scope 'pg' from node ? (role 'null')`,
    ]);
    for (let i = 0; i < 30; i++) b.send(to, ['join', fake, i, [fake]]);
    await clock.flush();
    expect(lines(a).filter((l) => l.includes('message join'))).toHaveLength(7);
    await clock.advance(1_000);
    expect(lines(a).at(-1)).toBe(`capabilities: 24 more refusals from node ${b.name} in the last second were not logged`);
    expect(a.whereis('pg')!.equals(server)).toBe(true);
    expect(c.logs(a)).not.toContain('failed');
    expect(a.pg.whichGroups()).toEqual([]);
    b.pg.join('g', idler(b));
    await flushUntil(clock, () => a.pg.getMembers('g').length === 1);
    expect(a.pg.getMembers('g')).toHaveLength(1);
  });
});
