/**
 * DirectPaths (src/core/relay-client/direct-paths.ts), in memory: the relay's cuts close and
 * refuse direct links both ways, a `healed` still on its way does not refuse a dial (the relay
 * is asked first), and a peer's direct address outlives what the relay forgets.
 */
import { describe, expect, it } from 'vitest';
import { BaseChannel } from '../../../src/core/relay-client/base-channel.js';
import { DirectPaths, type DirectLinks } from '../../../src/core/relay-client/direct-paths.js';
import type { Channel } from '../../../src/core/net/transport.js';

/** Two channels joined back to back (a direct link's two ends). */
function pair(): [BaseChannel, BaseChannel] {
  const ends: BaseChannel[] = [];
  const mk = (i: number) =>
    new BaseChannel(
      (f) => ends[1 - i]!.deliver(f),
      (r) => ends[1 - i]!.ended(r),
    );
  ends.push(mk(0), mk(1));
  return [ends[0]!, ends[1]!];
}

/** Fake links: `dial` hands out one end of a pair and keeps the other; `inbound` plays a peer dialing in. */
function fakeLinks() {
  let onInbound: ((ch: Channel, from?: string) => void) | undefined;
  const far: BaseChannel[] = [];
  const links: DirectLinks = {
    address: 'ws://me',
    start: (_name, fn) => (onInbound = fn),
    dial: (_address, _peer) => {
      const [near, other] = pair();
      far.push(other);
      return Promise.resolve(near);
    },
    close: () => Promise.resolve(),
  };
  const inbound = (from: string | undefined): BaseChannel => {
    const [mine, theirs] = pair();
    onInbound!(mine, from);
    return theirs;
  };
  return { links, far, inbound };
}

/** A relay round trip that, like the real one, runs `pending` (messages the relay sent before answering). */
function relayAsk() {
  const asked: string[] = [];
  let pending: (() => void) | undefined;
  const confirm = (peer: string) => {
    asked.push(peer);
    pending?.();
    pending = undefined;
    return Promise.resolve();
  };
  return { asked, confirm, queue: (fn: () => void) => (pending = fn) };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('DirectPaths', () => {
  it('a cut closes the direct channels to and from the peer with connection_closed, and no others', async () => {
    const { links, far, inbound } = fakeLinks();
    const paths = new DirectPaths(links, relayAsk().confirm);
    const accepted: Channel[] = [];
    paths.start('a@h', (ch) => accepted.push(ch));
    const out = await paths.dial('b@h', 'ws://b');
    const fromB = inbound('b@h');
    await paths.dial('c@h', 'ws://c');
    expect(paths.linkedPeers()).toEqual(['b@h', 'c@h']);
    const reasons: string[] = [];
    out.attach({ onFrame: () => {}, onClose: (r) => reasons.push(`out ${r}`) });
    far[0]!.attach({ onFrame: () => {}, onClose: (r) => reasons.push(`far ${r}`) });
    fromB.attach({ onFrame: () => {}, onClose: (r) => reasons.push(`in ${r}`) });

    paths.partitioned(['b@h']);
    await flush();
    expect(reasons.sort()).toEqual(['far connection_closed', 'in connection_closed', 'out connection_closed']);
    expect(out.isOpen).toBe(false);
    expect(accepted[0]!.isOpen).toBe(false);
    expect(far[1]!.isOpen).toBe(true); // c is not cut
    expect(paths.linkedPeers()).toEqual(['c@h']);
  });

  it('under a cut: dials reject with nodedown and inbound links from the peer are closed, after asking the relay once more', async () => {
    const { links, inbound } = fakeLinks();
    const relay = relayAsk();
    const paths = new DirectPaths(links, relay.confirm);
    const accepted: Channel[] = [];
    paths.start('a@h', (ch) => accepted.push(ch));
    paths.partitioned(['b@h']);
    await expect(paths.dial('b@h', 'ws://b')).rejects.toMatchObject({ code: 'nodedown' });
    const theirs = inbound('b@h');
    await flush();
    expect(theirs.isOpen).toBe(false);
    expect(accepted).toEqual([]);
    expect(relay.asked).toEqual(['b@h', 'b@h']);
    // Others (and links whose dialer gave no name) are accepted.
    inbound('c@h');
    inbound(undefined);
    expect(accepted).toHaveLength(2);
  });

  it('a healed still on its way does not refuse: the relay answers after it', async () => {
    const { links, inbound } = fakeLinks();
    const relay = relayAsk();
    const paths = new DirectPaths(links, relay.confirm);
    const accepted: Channel[] = [];
    paths.start('a@h', (ch) => accepted.push(ch));
    paths.partitioned(['b@h']);
    relay.queue(() => paths.healed());
    const ch = await paths.dial('b@h', 'ws://b');
    expect(ch.isOpen).toBe(true);
    paths.partitioned(['b@h']);
    relay.queue(() => paths.healed());
    const theirs = inbound('b@h');
    theirs.send('hello');
    await flush();
    expect(accepted).toHaveLength(1);
    const frames: unknown[] = [];
    accepted[0]!.attach({ onFrame: (f) => frames.push(f), onClose: () => {} });
    expect(frames).toEqual(['hello']);
  });

  it('a new registration replaces the cuts with the welcome’s; a direct address is kept until the relay gives another', async () => {
    const { links } = fakeLinks();
    const paths = new DirectPaths(links, relayAsk().confirm);
    paths.start('a@h', () => {});
    paths.partitioned(['b@h', 'c@h']);
    paths.registered(['c@h']);
    expect([paths.isCut('b@h'), paths.isCut('c@h')]).toEqual([false, true]);
    paths.registered(undefined);
    expect(paths.isCut('c@h')).toBe(false);
    paths.learn({ name: 'b@h', hidden: false, direct: 'ws://b1' });
    paths.learn({ name: 'b@h', hidden: false });
    expect(paths.address('b@h')).toBe('ws://b1');
    paths.learn({ name: 'b@h', hidden: false, direct: 'ws://b2' });
    expect(paths.address('b@h')).toBe('ws://b2');
  });
});
