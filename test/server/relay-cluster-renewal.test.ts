/**
 * The heartbeat's renewals of a relay cluster (src/server/relay/cluster/renewal.ts) with the
 * Redis commands stubbed (no server): one renewal in flight at most — a heartbeat that finds
 * the previous one unanswered sends nothing — and what a renewal reports lost comes back by
 * name.
 */
import { describe, expect, it } from 'vitest';
import { Renewal } from '../../src/server/relay/cluster/renewal.js';

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
    const first = r.renew(['a@h', 'b@h']);
    expect(sent).toEqual(['set', 'sadd', 'eval', 'smembers']);
    expect(await r.renew(['a@h', 'b@h'])).toBeUndefined();
    expect(sent).toHaveLength(4);
    answer();
    expect(await first).toEqual({ lost: ['b@h'], relays: ['relay0000000000a', 'relay0000000000b'] });
    const third = r.renew(['a@h']);
    expect(sent).toHaveLength(8);
    answer();
    await third;
    r.redis.disconnect();
  });
});
