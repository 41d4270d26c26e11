/**
 * Migrations (src/core/relay-client/migrations.ts) on simulated time: a relayed connection
 * retries its direct link with capped backoff (1 s, 2 s, 4 s … 30 s), not across a cut, and
 * stops when the connection ends.
 */
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../../src/core/testing/simulated-clock.js';
import { webCrypto } from '../../../src/core/base/crypto.js';
import { BaseChannel } from '../../../src/core/relay-client/base-channel.js';
import { DirectPaths, type DirectLinks } from '../../../src/core/relay-client/direct-paths.js';
import { Migrations } from '../../../src/core/relay-client/migrations.js';

function setup() {
  const clock = new SimulatedClock();
  const dials: number[] = [];
  const links: DirectLinks = {
    address: 'ws://me',
    start: () => {},
    dial: () => {
      dials.push(clock.now());
      return Promise.reject(new Error('simulated dial timeout'));
    },
    close: () => Promise.resolve(),
  };
  const direct = new DirectPaths(links, () => Promise.resolve());
  direct.learn({ name: 'b@h', hidden: false, direct: 'ws://b' });
  const migrations = new Migrations(direct, clock, webCrypto, {});
  const relay = new BaseChannel(
    () => {},
    () => {},
  );
  const ch = migrations.wrap('b@h', 7, relay);
  return { clock, dials, direct, migrations, relay, ch };
}

describe('Migrations', () => {
  it('retries the direct dial at 1 s, 2 s, 4 s … capped at 30 s, and stops when the connection ends', async () => {
    const { clock, dials, migrations, relay, ch } = setup();
    migrations.retry('b@h', ch);
    await clock.advance(999);
    expect(dials).toEqual([]);
    await clock.advance(1);
    expect(dials).toEqual([1_000]);
    await clock.advance(120_000);
    const gaps = dials.map((t, i) => t - (dials[i - 1] ?? 0));
    expect(gaps.slice(0, 7)).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
    relay.ended('connection_closed'); // the relayed connection ends
    await clock.advance(0);
    const n = dials.length;
    await clock.advance(300_000);
    expect(dials.length).toBe(n);
    expect(ch.isOpen).toBe(false);
  });

  it('does not dial across a cut; dials again once healed', async () => {
    const { clock, dials, direct, migrations, ch } = setup();
    direct.partitioned(['b@h']);
    migrations.retry('b@h', ch);
    await clock.advance(60_000);
    expect(dials).toEqual([]);
    direct.healed();
    await clock.advance(30_000);
    expect(dials.length).toBe(1);
    migrations.close();
    await clock.advance(300_000);
    expect(dials.length).toBe(1);
  });
});
