/**
 * SwitchableChannel (issue 18 point 3): a relayed channel moving onto a direct carrier, with
 * the delivery order of both carriers driven by hand, so that every frame sent in either
 * direction across the switch is seen to arrive once and in order, whichever carrier is
 * faster, and the logical channel never closes.
 */
import { describe, expect, it } from 'vitest';
import type { Frame } from '../../../src/core/net/transport.js';
import { BaseChannel } from '../../../src/core/relay-client/base-channel.js';
import { OFFER_PREFIX, READY, SwitchableChannel, SWITCH_MARKER } from '../../../src/core/relay-client/switchable-channel.js';

type Item = { frame: Frame } | { close: string };

/** Two channel ends whose traffic waits in queues until `flushTo*` delivers it. */
function pipe() {
  const toA: Item[] = [];
  const toB: Item[] = [];
  const a: BaseChannel = new BaseChannel(
    (f) => toB.push({ frame: f }),
    (r) => toB.push({ close: r }),
  );
  const b: BaseChannel = new BaseChannel(
    (f) => toA.push({ frame: f }),
    (r) => toA.push({ close: r }),
  );
  const flush = (q: Item[], to: BaseChannel) => {
    for (const item of q.splice(0)) {
      if ('frame' in item) to.deliver(item.frame);
      else to.ended(item.close);
    }
  };
  return { a, b, toA, toB, flushToA: () => flush(toA, a), flushToB: () => flush(toB, b) };
}

function logical(relayEnd: BaseChannel) {
  const ch = new SwitchableChannel(7, relayEnd);
  const got: Frame[] = [];
  const closes: string[] = [];
  ch.attach({ onFrame: (f) => got.push(f), onClose: (r) => closes.push(r) });
  return { ch, got, closes };
}

const TOKEN = '0123456789abcdef0123456789abcdef';
const settle = () => new Promise<void>((r) => setTimeout(r, 0));

describe('SwitchableChannel', () => {
  it('the direct carrier overtakes the relay in both directions: every frame once, in order, no close', async () => {
    const relay = pipe();
    const direct = pipe();
    const A = logical(relay.a); // the dialer
    const B = logical(relay.b); // the acceptor
    A.ch.send('a1');
    B.ch.send('b1');
    expect(A.ch.startDial()).toBe(true);
    A.ch.dialed(direct.a, TOKEN); // the dial resolved: A waits for READY
    B.ch.acceptDirect(direct.b, TOKEN); // B answers READY; the link waits for the token
    expect(direct.toA).toEqual([{ frame: READY }]);
    A.ch.send('a2');
    direct.flushToA(); // READY: A sends the token on the relay
    A.ch.send('a3'); // still relayed
    B.ch.send('b1b'); // still relayed
    expect([A.ch.via, B.ch.via]).toEqual(['relay', 'relay']); // what the observer shows
    relay.flushToB(); // a1, a2, the token, a3: B takes the link, sends its marker, switches
    expect(B.got).toEqual(['a1', 'a2', 'a3']);
    expect([A.ch.via, B.ch.via]).toEqual(['relay', 'direct']); // B sends on the direct carrier
    B.ch.send('b2'); // on the direct carrier now
    direct.flushToA(); // b2 reaches A before B's marker: held
    expect(A.got).toEqual([]);
    A.ch.send('a4'); // still relayed: the acceptor's marker has not arrived
    relay.flushToA(); // b1, b1b, B's marker: A delivers them, then b2; sends its marker, switches
    expect(A.got).toEqual(['b1', 'b1b', 'b2']);
    expect(A.ch.via).toBe('direct');
    A.ch.send('a5'); // direct
    B.ch.send('b3');
    direct.flushToB(); // a5 is held until A's marker comes on the relay
    expect(B.got).toEqual(['a1', 'a2', 'a3']);
    relay.flushToB();
    expect(B.got).toEqual(['a1', 'a2', 'a3', 'a4', 'a5']);
    direct.flushToA();
    expect(A.got).toEqual(['b1', 'b1b', 'b2', 'b3']);
    relay.flushToA();
    relay.flushToB();
    await settle();
    // The relay carrier is closed at both ends, the logical channels are not.
    expect(relay.a.isOpen).toBe(false);
    expect(relay.b.isOpen).toBe(false);
    expect(A.ch.retired && B.ch.retired).toBe(true);
    expect([A.closes, B.closes]).toEqual([[], []]);
    A.ch.send('a6');
    direct.flushToB();
    expect(B.got.at(-1)).toBe('a6');
    // The control frames never reach the node.
    expect([...A.got, ...B.got].filter((f) => typeof f === 'string' && f.startsWith('\u0000'))).toEqual([]);
    // Closing the logical channel now closes the direct carrier: the peer sees it once.
    A.ch.close('bye');
    direct.flushToB();
    await settle();
    expect(B.closes).toEqual(['bye']);
  });

  it('a direct close that overtakes the dialer\'s marker ends the acceptor only after the frames it holds', async () => {
    const relay = pipe();
    const direct = pipe();
    const A = logical(relay.a); // the dialer
    const B = logical(relay.b); // the acceptor
    expect(A.ch.startDial()).toBe(true);
    A.ch.dialed(direct.a, TOKEN);
    B.ch.acceptDirect(direct.b, TOKEN);
    direct.flushToA(); // READY: A offers the token on the relay
    relay.flushToB(); // B takes the link and switches
    relay.flushToA(); // B's marker: A switches and sends its marker on the relay (not delivered yet)
    A.ch.send('last');
    A.ch.close('bye');
    direct.flushToB(); // 'last' and the close reach B over the faster carrier, before A's marker
    await settle();
    expect([B.got, B.closes]).toEqual([[], []]);
    relay.flushToB(); // A's marker releases 'last', then the close
    await settle();
    expect([B.got, B.closes]).toEqual([['last'], ['bye']]);
  });

  it('the acceptor refusing the direct link abandons the move (the dialer retries) and loses nothing', async () => {
    const relay = pipe();
    const direct = pipe();
    const A = logical(relay.a);
    let abandoned = 0;
    A.ch.onAbandon = () => abandoned++;
    expect(A.ch.startDial()).toBe(true);
    A.ch.dialed(direct.a, TOKEN);
    A.ch.send('a1');
    direct.b.close('no_such_channel');
    direct.flushToA();
    await settle();
    expect(abandoned).toBe(1);
    expect(A.closes).toEqual([]);
    expect(A.ch.hasDirect).toBe(false);
    A.ch.send('a2');
    expect(relay.toB).toEqual([{ frame: 'a1' }, { frame: 'a2' }]);
    expect(A.ch.startDial()).toBe(true); // it may try again
  });

  it('a peer that does not answer READY (an older version) gets nothing it would not understand', async () => {
    const relay = pipe();
    const direct = pipe();
    const A = logical(relay.a);
    let abandoned = 0;
    A.ch.onAbandon = () => abandoned++;
    A.ch.startDial();
    A.ch.dialed(direct.a, TOKEN);
    direct.b.send('{"t":"challenge"}'); // it took the link for a new connection
    direct.flushToA();
    direct.flushToB();
    await settle();
    expect(abandoned).toBe(1);
    expect(direct.a.isOpen).toBe(false);
    A.ch.send('a1');
    expect(relay.toB).toEqual([{ frame: 'a1' }]);
    expect([A.got, A.closes]).toEqual([[], []]);
  });

  it('a direct link that cannot show the token sent on the relay is never used', async () => {
    const relay = pipe();
    const evil = pipe();
    const A = logical(relay.a);
    const B = logical(relay.b);
    B.ch.acceptDirect(evil.b, 'f'.repeat(32)); // someone who reached the port and named the channel
    B.ch.send('b1');
    relay.b.deliver(OFFER_PREFIX + TOKEN); // A's token does not match
    B.ch.send('b2');
    expect(evil.toA).toEqual([{ frame: READY }, { close: 'no_such_channel' }]);
    expect(relay.toA).toEqual([{ frame: 'b1' }, { frame: 'b2' }]);
    expect(B.ch.hasDirect).toBe(false);
    relay.flushToA();
    await settle();
    expect([A.got, A.closes, B.closes]).toEqual([['b1', 'b2'], [], []]);
  });

  it('a relay drop in the middle of the move ends the connection (frames may be lost: nodedown, as any dropped connection)', async () => {
    const relay = pipe();
    const direct = pipe();
    const B = logical(relay.b);
    B.ch.acceptDirect(direct.b, TOKEN);
    relay.b.deliver(OFFER_PREFIX + TOKEN);
    expect(B.ch.hasDirect).toBe(true);
    relay.b.ended('connection_closed');
    await settle();
    expect(B.closes).toEqual(['connection_closed']);
  });

  it('a marker with no move under way is a protocol error', async () => {
    const relay = pipe();
    const B = logical(relay.b);
    relay.b.deliver(SWITCH_MARKER);
    await settle();
    expect(B.closes).toEqual(['protocol_error']);
  });
});
