/**
 * The relay's membership broadcast (src/server/relay/membership.ts) on simulated time: changes
 * batched per MEMBERS_BATCH_MS into one `members` message, in order; a session welcomed in the
 * middle of a batch gets only what follows its welcome; nodes without membership get
 * `joined` / `left` one by one, at once; a leaving node's channel peers hear of it at once;
 * the interval grows with the number of member sessions (capped), keeping all of that.
 */
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../src/core/testing/simulated-clock.js';
import { MEMBERS_BATCH_MS } from '../../src/core/relay-client/protocol.js';
import { batchInterval, MEMBERS_BATCH_MAX_MS, MemberBroadcast } from '../../src/server/relay/membership.js';
import type { Session } from '../../src/server/relay/session.js';

function session(name: string, members: boolean): Session & { got: unknown[] } {
  const got: unknown[] = [];
  return { got, members, entry: { name, hidden: false }, state: 'registered' } as unknown as Session & { got: unknown[] };
}

function setup(sessions: Array<Session & { got: unknown[] }>) {
  const clock = new SimulatedClock();
  const b = new MemberBroadcast(
    {
      sendText: (s, t) => {
        (s as Session & { got: unknown[] }).got.push(JSON.parse(t.toString()));
        return true;
      },
    },
    clock,
  );
  for (const s of sessions) b.welcomed(s);
  return { clock, b };
}

describe('relay membership broadcast', () => {
  it('batches the changes of one interval into one members message, in order, the same for every member', async () => {
    const m1 = session('m1@h', true);
    const m2 = session('m2@h', true);
    const old = session('old@h', false);
    const { clock, b } = setup([m1, m2, old]);
    b.joined({ name: 'x@h', hidden: false }, 7, m1);
    b.left('y@h', 'net_tick_timeout');
    b.joined({ name: 'y@h', hidden: true }, 9, m1);
    expect(old.got).toEqual([
      { t: 'joined', peer: { name: 'x@h', hidden: false } },
      { t: 'left', name: 'y@h' },
      { t: 'joined', peer: { name: 'y@h', hidden: true } },
    ]);
    expect(m1.got).toEqual([]);
    await clock.advance(MEMBERS_BATCH_MS - 1);
    expect(m1.got).toEqual([]);
    await clock.advance(1);
    const batch = {
      t: 'members',
      changes: [{ joined: { name: 'x@h', hidden: false, creation: 7 } }, { left: 'y@h', reason: 'net_tick_timeout' }, { joined: { name: 'y@h', hidden: true, creation: 9 } }],
    };
    expect(m1.got).toEqual([batch]);
    expect(m2.got).toEqual([batch]);
    await clock.advance(10 * MEMBERS_BATCH_MS);
    expect(m1.got).toHaveLength(1); // nothing more to say: no message
  });

  it('a session welcomed in the middle of a batch gets only the changes after its welcome', async () => {
    const m1 = session('m1@h', true);
    const late = session('late@h', true);
    const { clock, b } = setup([m1]);
    b.joined({ name: 'x@h', hidden: false }, 1, m1); // in late's snapshot already
    b.welcomed(late);
    b.joined({ name: 'late@h', hidden: false }, 2, late);
    b.left('x@h', 'connection_closed');
    await clock.advance(MEMBERS_BATCH_MS);
    expect(late.got).toEqual([{ t: 'members', changes: [{ joined: { name: 'late@h', hidden: false, creation: 2 } }, { left: 'x@h', reason: 'connection_closed' }] }]);
    expect((m1.got[0] as { changes: unknown[] }).changes).toHaveLength(3);
  });

  it("a leaving node's channel peers that are members hear of it at once, once each", () => {
    const m1 = session('m1@h', true);
    const old = session('old@h', false);
    const { b } = setup([m1, old]);
    b.leaving('x@h', 'net_tick_timeout', [m1, m1, old]);
    expect(m1.got).toEqual([{ t: 'members', changes: [{ left: 'x@h', reason: 'net_tick_timeout' }] }]);
    expect(old.got).toEqual([]);
  });

  it('the interval grows with the member sessions, capped, and keeps order and the mid-batch welcome; a gone session hears nothing', async () => {
    expect(batchInterval(0)).toBe(MEMBERS_BATCH_MS);
    expect(batchInterval(100)).toBe(MEMBERS_BATCH_MS);
    expect(batchInterval(2000)).toBe(200);
    expect(batchInterval(10 ** 6)).toBe(MEMBERS_BATCH_MAX_MS);
    const many = Array.from({ length: 2000 }, (_, i) => session(`n${i}@h`, true));
    const { clock, b } = setup(many);
    const [m1, m2] = many as [Session & { got: unknown[] }, Session & { got: unknown[] }];
    b.joined({ name: 'a@h', hidden: false }, 1, m1);
    await clock.advance(199);
    expect(m1.got).toHaveLength(0);
    await clock.advance(1); // 2000 members: 200 ms
    expect(m1.got).toHaveLength(1);
    b.joined({ name: 'b@h', hidden: false }, 2, m1);
    const late = session('late@h', true);
    b.welcomed(late);
    b.joined({ name: 'c@h', hidden: false }, 3, m1);
    await clock.advance(199);
    expect(m1.got).toHaveLength(1);
    await clock.advance(1); // the interval set at b's change, with 2000 members: 200 ms
    expect(m1.got[1]).toEqual({ t: 'members', changes: [{ joined: { name: 'b@h', hidden: false, creation: 2 } }, { joined: { name: 'c@h', hidden: false, creation: 3 } }] });
    expect(late.got).toEqual([{ t: 'members', changes: [{ joined: { name: 'c@h', hidden: false, creation: 3 } }] }]);
    // A leaving node's early left still follows its queued joined, at once, long interval or not.
    b.joined({ name: 'd@h', hidden: false }, 4, m1);
    b.leaving('d@h', 'connection_closed', [m1]);
    expect(m1.got.slice(2)).toEqual([
      { t: 'members', changes: [{ joined: { name: 'd@h', hidden: false, creation: 4 } }] },
      { t: 'members', changes: [{ left: 'd@h', reason: 'connection_closed' }] },
    ]);
    // Back to few members: the next batch goes out after the base interval again; the gone hear nothing.
    for (const s of [...many.slice(1), late]) b.gone(s);
    const m2had = m2.got.length;
    b.left('d@h', 'connection_closed');
    await clock.advance(MEMBERS_BATCH_MS - 1);
    expect(m1.got).toHaveLength(4);
    await clock.advance(1);
    expect(m1.got).toHaveLength(5);
    expect(m2.got).toHaveLength(m2had);
  });
});
