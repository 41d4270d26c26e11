/**
 * The heartbeat's renewals of a relay cluster (src/server/relay/cluster/renewal.ts) with the
 * Redis commands stubbed (no server): one renewal in flight at most — a heartbeat that finds
 * the previous one unanswered sends nothing — and what a renewal reports lost comes back by
 * name. Then the leases' renewal script (name-leases.ts) on a real redis-server, a lease's
 * end simulated by deleting its key: a name whose lease ran out unclaimed is taken again; one
 * held by another relay, or claimed and freed elsewhere meanwhile, is lost.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NameLeases } from '../../src/server/relay/cluster/name-leases.js';
import { Renewal } from '../../src/server/relay/cluster/renewal.js';
import { RedisServer } from '../support/redis-server.js';

function stubbed() {
  const r = new Renewal('redis://127.0.0.1:1', { lazyConnect: true }, 'relay0000000000a', 5000);
  const sent: string[] = [];
  const pending: Array<() => void> = [];
  const later = <T>(cmd: string, v: T): Promise<T> => {
    sent.push(cmd);
    return new Promise((ok) => pending.push(() => ok(v)));
  };
  const redis = r.redis as unknown as Record<string, unknown>;
  redis.set = () => later('set', 'OK');
  redis.sadd = () => later('sadd', 1);
  redis.smembers = () => later('smembers', ['relay0000000000a', 'relay0000000000b']);
  redis.eval = () => later('eval', [2]); // RENEW: the second name is no longer this relay's
  const answer = (): void => pending.splice(0).forEach((f) => f());
  return { r, sent, answer };
}

describe('relay cluster lease renewal', () => {
  it('sends nothing while the previous renewal is unanswered, then renews again', async () => {
    const { r, sent, answer } = stubbed();
    const first = r.renew([{ name: 'a@h', creation: 1 }, { name: 'b@h', creation: 1 }]);
    expect(sent).toEqual(['set', 'sadd', 'eval', 'smembers']);
    expect(await r.renew([{ name: 'a@h', creation: 1 }, { name: 'b@h', creation: 1 }])).toBeUndefined();
    expect(sent).toHaveLength(4);
    answer();
    expect(await first).toEqual({ lost: ['b@h'], relays: ['relay0000000000a', 'relay0000000000b'] });
    const third = r.renew([{ name: 'a@h', creation: 1 }, { name: 'b@h', creation: 1 }]);
    expect(sent).toHaveLength(8);
    answer();
    await third;
    r.redis.disconnect();
  });
});

describe('relay cluster lease renewal script', () => {
  let server: RedisServer;
  let redis: Redis;
  beforeAll(async () => {
    server = await RedisServer.start();
    redis = new Redis(server.url);
  });
  afterAll(async () => {
    redis.disconnect();
    await server.stop();
  });

  it('renews held leases, takes back one that ran out unclaimed, and reports the others lost', async () => {
    const a = new NameLeases(redis, 'relayaaaaaaaaaaa', 60_000);
    const b = new NameLeases(redis, 'relaybbbbbbbbbbb', 60_000);
    const held: Array<{ name: string; creation: number }> = [];
    for (const name of ['kept@h', 'expired@h', 'taken@h', 'reused@h']) {
      const c = await a.claim(name, undefined);
      if (!c.ok) throw new Error(`claim ${name}`);
      held.push({ name, creation: c.creation });
    }
    await redis.del('erlmesh:name:expired@h', 'erlmesh:name:taken@h', 'erlmesh:name:reused@h'); // their leases ran out
    expect((await b.claim('taken@h', undefined)).ok).toBe(true); // another relay's node has it now
    expect((await b.claim('reused@h', undefined)).ok).toBe(true); // and this one came and went there
    await b.free('reused@h');
    expect((await a.renew(held)).sort()).toEqual(['reused@h', 'taken@h']);
    expect(await redis.get('erlmesh:name:expired@h')).toBe('relayaaaaaaaaaaa');
    expect(await redis.pttl('erlmesh:name:expired@h')).toBeGreaterThan(0);
    expect(await redis.get('erlmesh:name:taken@h')).toBe('relaybbbbbbbbbbb');
    expect(await redis.get('erlmesh:name:reused@h')).toBeNull();
    expect(await a.renew([])).toEqual([]);
  });
});
