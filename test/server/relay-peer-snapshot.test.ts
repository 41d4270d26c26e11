/**
 * The welcome's cached snapshot (src/server/relay/peer-snapshot.ts) says exactly what the
 * router's welcome said before it was cached: `JSON.stringify` of `{ t: 'welcome', creation,
 * peers: [entryFor(viewer, o) for each registered o], partitioned? }`, for a viewer with and
 * without membership, as nodes join, leave and join again.
 */
import { describe, expect, it } from 'vitest';
import { PeerSnapshot } from '../../src/server/relay/peer-snapshot.js';
import { entryFor, type Session } from '../../src/server/relay/session.js';

function session(name: string, members: boolean, creation: number, extra: Record<string, unknown> = {}): Session {
  return { members, creation, entry: { name, hidden: false, ...extra }, state: 'registered' } as unknown as Session;
}

function expected(table: Session[], viewer: Session, creation: number, partitioned: string[] = []): unknown {
  const peers = table.map((o) => entryFor(viewer, o));
  return partitioned.length ? { t: 'welcome', creation, peers, partitioned } : { t: 'welcome', creation, peers };
}

describe('the welcome snapshot', () => {
  it('matches the uncached welcome through joins, leaves and rejoins, for both views', () => {
    const snap = new PeerSnapshot();
    const member = session('v@h', true, 1);
    const plain = session('w@h', false, 1);
    const table: Session[] = [];
    const check = (partitioned: string[] = []): void => {
      expect(JSON.parse(snap.welcomeText(true, 5, partitioned))).toEqual(expected(table, member, 5, partitioned));
      expect(JSON.parse(snap.welcomeText(false, 6, partitioned))).toEqual(expected(table, plain, 6, partitioned));
    };
    check();
    const nodes = [
      session('a@h', true, 10),
      session('b@h', false, 11, { direct: 'ws://10.0.0.1:1' }),
      session('c@h', true, 12, { role: 'guest' }),
      session('d@h', true, 13, { connectAll: false }),
    ];
    for (const n of nodes) {
      snap.add(n);
      table.push(n);
      check();
    }
    snap.remove('b@h');
    table.splice(1, 1);
    check(['a@h']);
    snap.remove('nobody@h');
    check();
    const b2 = session('b@h', true, 14);
    snap.add(b2);
    table.push(b2);
    check();
    for (const n of [...table]) snap.remove((n.entry as { name: string }).name);
    table.length = 0;
    check();
  });
});
