/**
 * A link or monitor fires even when the exit reason is bigger than the peer takes
 * (maxMessageBytes): the reason is replaced by one `['unencodable', …]` placeholder naming the
 * size, as for reasons that cannot be encoded at all (docs/semantics.md, "Reasons that cannot
 * travel").
 */
import { describe, expect } from 'vitest';
import { it } from '../../fixtures.js';
import { recorder, trapExits } from '../../support/in-process.js';

describe('an exit reason over maxMessageBytes', () => {
  it('reaches a remote monitor and a trapping link as a placeholder, once each', async ({ simCluster: c, clock }) => {
    const a = await c.node('a', { maxMessageBytes: 128 * 1024 });
    const b = await c.node('b', { maxMessageBytes: 128 * 1024 });
    const pong = a.ping(b.name);
    await clock.flush();
    expect(await pong).toBe('pong');
    const watcher = recorder(a, trapExits);
    const self = await watcher.self;
    const spawned = self.spawn(b.name, async (s) => {
      await s.receive(() => true);
      s.exit(['too_big', 'x'.repeat(300_000)]);
    });
    await clock.flush();
    const pid = await spawned;
    self.link(pid);
    self.monitor(pid);
    await clock.flush();
    self.send(pid, 'go');
    await clock.flush();
    const signals = watcher.got.filter((m) => Array.isArray(m) && (m[0] === 'EXIT' || m[0] === 'DOWN')) as unknown[][];
    expect(signals.map((m) => m[0]).sort()).toEqual(['DOWN', 'EXIT']);
    for (const m of signals) {
      const reason = m[0] === 'EXIT' ? m[2] : m[4];
      expect(reason).toEqual(['unencodable', expect.stringMatching(/message of \d+ bytes .*over the limit of 131072 bytes/)]);
    }
    expect(a.nodes()).toEqual([b.name]);
  });
});
