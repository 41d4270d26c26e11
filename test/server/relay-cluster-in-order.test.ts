/**
 * in-order.ts: one relay's messages put back in seq order across Redis and its direct link,
 * with the clock passed in (no timers). The cases are the path switches of links.ts.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { InOrder, type InOrderResult } from '../../src/server/relay/cluster/in-order.js';

const REDIS = { start: true, wait: false };
const LINK = { start: false, wait: true };
/** A Redis message while the sender's link to us is open. */
const REDIS_LINKED = { start: true, wait: true };

function offer(o: InOrder<number>, seq: number, path: { start: boolean; wait: boolean }, now = 0): InOrderResult<number> {
  return o.offer(seq, seq, path.start, path.wait, now);
}

describe('InOrder (relay cluster, two paths)', () => {
  it('delivers a stream in order from the first message that may start it', () => {
    const o = new InOrder<number>();
    expect(offer(o, 5, REDIS)).toEqual({ t: 'deliver', run: [5] });
    expect(offer(o, 6, REDIS)).toEqual({ t: 'deliver', run: [6] });
    expect(offer(o, 6, REDIS)).toEqual({ t: 'duplicate', expected: 7 });
    expect(o.next).toBe(7);
  });

  it('Redis → link: link messages that overtake the last Redis ones wait for them', () => {
    const o = new InOrder<number>();
    offer(o, 1, REDIS);
    expect(offer(o, 4, LINK)).toEqual({ t: 'held' });
    expect(offer(o, 5, LINK)).toEqual({ t: 'held' });
    expect(offer(o, 2, REDIS_LINKED)).toEqual({ t: 'deliver', run: [2] });
    expect(offer(o, 3, REDIS_LINKED)).toEqual({ t: 'deliver', run: [3, 4, 5] });
    expect(o.holding).toBe(0);
  });

  it('link → Redis: a Redis message ahead waits while the link is open; the link brings the rest', () => {
    const o = new InOrder<number>();
    offer(o, 1, REDIS);
    offer(o, 2, LINK);
    expect(offer(o, 4, REDIS_LINKED)).toEqual({ t: 'held' });
    expect(offer(o, 3, LINK)).toEqual({ t: 'deliver', run: [3, 4] });
  });

  it('a Redis message ahead with no link open is a gap at once; what follows is in order again', () => {
    const o = new InOrder<number>();
    offer(o, 1, REDIS);
    expect(offer(o, 3, REDIS)).toEqual({ t: 'gap', expected: 2, got: 3, run: [3] });
    expect(offer(o, 2, REDIS)).toEqual({ t: 'duplicate', expected: 4 });
    expect(offer(o, 4, REDIS)).toEqual({ t: 'deliver', run: [4] });
  });

  it('what never comes is a gap once the oldest held message has waited holdMs', () => {
    const o = new InOrder<number>();
    offer(o, 1, REDIS, 0);
    offer(o, 3, LINK, 100);
    offer(o, 4, LINK, 150);
    expect(o.expire(1099, 1000)).toBeUndefined();
    expect(o.expire(1100, 1000)).toEqual({ t: 'gap', expected: 2, got: 3, run: [3, 4] });
    expect(offer(o, 2, REDIS)).toEqual({ t: 'duplicate', expected: 5 });
  });

  it('a link message cannot start the stream, a reset or sync can; unstarted held messages start it when they expire, with no gap', () => {
    const o = new InOrder<number>();
    expect(offer(o, 9, LINK, 0)).toEqual({ t: 'held' });
    expect(o.next).toBeUndefined();
    expect(o.expire(1000, 1000)).toEqual({ t: 'deliver', run: [9] });
    const p = new InOrder<number>();
    offer(p, 9, LINK, 0);
    // A sync on the link (start allowed) at 11: the held 9 is older than the start and goes.
    expect(p.offer(11, 11, true, true, 0)).toEqual({ t: 'deliver', run: [11] });
    expect(p.holding).toBe(0);
    expect(offer(p, 9, REDIS)).toEqual({ t: 'duplicate', expected: 12 });
  });

  it('any interleaving of two in-order paths: every message handed on once, in order, no gap when nothing was lost', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.boolean(), { minLength: 80, maxLength: 80 }),
        (nRedis, nLink, picks) => {
          // The sender sent 1..nRedis by Redis, then the rest by its link; the two arrive interleaved.
          const redis = Array.from({ length: nRedis }, (_, i) => i + 1);
          const link = Array.from({ length: nLink }, (_, i) => nRedis + i + 1);
          const o = new InOrder<number>();
          const out: number[] = [];
          let i = 0;
          while (redis.length > 0 || link.length > 0) {
            const fromLink = link.length > 0 && (redis.length === 0 || picks[i++ % picks.length]);
            const seq = fromLink ? link.shift()! : redis.shift()!;
            const r = o.offer(seq, seq, !fromLink, true, 0);
            if (r.t === 'gap' || r.t === 'duplicate') return false;
            if (r.t === 'deliver') out.push(...r.run);
          }
          return out.length === nRedis + nLink && out.every((s, k) => s === k + 1);
        },
      ),
    );
  });
});
