/**
 * Transport conformance cases for closing: `onClose` fires exactly once on each end, behind the
 * frames sent before the close; close is idempotent, later sends deliver nothing, and closing a
 * transport closes all of its channels.
 */
import type { Channel } from '../../net/transport.js';
import {
  assert,
  assertEqual,
  assertFrames,
  expectClosedOnce,
  expectRejectCode,
  QUIET_MS,
  record,
  type Recorder,
  sleep,
  type TransportConformanceCase,
  waitFor,
  within,
  withScope,
} from './kit.js';

export const closeFromDialer: TransportConformanceCase = {
  name: 'close from the dialer fires onClose once on both ends',
  run: (h) =>
    withScope(h, async (s) => {
      const { dialer, acceptor } = await s.pair('dclose');
      dialer.channel.send('last words');
      dialer.channel.close('bye');
      assertEqual(dialer.channel.isOpen, false, 'dialer isOpen right after its own close()');
      await expectClosedOnce(dialer, acceptor, 'close from the dialer');
      assertFrames(acceptor.frames, ['last words'], 'frames sent before the close arrive before it');
    }),
};

export const closeFromAcceptor: TransportConformanceCase = {
  name: 'close from the acceptor fires onClose once on both ends',
  run: (h) =>
    withScope(h, async (s) => {
      const { dialer, acceptor } = await s.pair('aclose');
      acceptor.channel.send('last words');
      acceptor.channel.close('bye');
      assertEqual(acceptor.channel.isOpen, false, 'acceptor isOpen right after its own close()');
      await expectClosedOnce(dialer, acceptor, 'close from the acceptor');
      assertFrames(dialer.frames, ['last words'], 'frames sent before the close arrive before it');
    }),
};

export const closeIdempotent: TransportConformanceCase = {
  name: 'close is idempotent',
  run: (h) =>
    withScope(h, async (s) => {
      const { dialer, acceptor } = await s.pair('idem');
      dialer.channel.close();
      dialer.channel.close();
      acceptor.channel.close(); // racing close from the other side
      dialer.channel.close('again');
      await expectClosedOnce(dialer, acceptor, 'repeated closes');
      dialer.channel.close();
      acceptor.channel.close();
      await sleep(QUIET_MS);
      assertEqual(dialer.closes.length + acceptor.closes.length, 2, 'onClose calls after closing closed channels');
    }),
};

export const sendAfterClose: TransportConformanceCase = {
  name: 'send after close does not throw and delivers nothing',
  run: (h) =>
    withScope(h, async (s) => {
      const { dialer, acceptor } = await s.pair('late');
      dialer.channel.send('before');
      dialer.channel.close();
      dialer.channel.send('right after close'); // before any onClose fired
      await expectClosedOnce(dialer, acceptor, 'close');
      dialer.channel.send('late from dialer');
      acceptor.channel.send('late from acceptor');
      dialer.channel.send(new Uint8Array([1, 2, 3]));
      await sleep(QUIET_MS);
      assertFrames(acceptor.frames, ['before'], 'frames at the acceptor');
      assertFrames(dialer.frames, [], 'frames at the dialer');
    }),
};

export const closeTransport: TransportConformanceCase = {
  name: 'closing a transport closes all of its channels (peers see onClose)',
  run: (h) =>
    withScope(h, async (s) => {
      const hub = await s.listener('closing-hub');
      const inboundPeers: Recorder[] = [];
      for (let p = 0; p < 2; p++) {
        const t = await s.transport();
        inboundPeers.push(record(await s.connect(t, hub.name)));
      }
      // and one channel the hub dialled itself
      const target = await s.listener('closing-target');
      const outbound = record(await s.connect(hub.t, target.name));
      await waitFor(() => hub.inbound.length === 2 && target.inbound.length === 1, 'all channels established');
      const hubEnds = [...hub.inbound.map(record), outbound];
      const targetEnd = record(target.inbound[0] as Channel);
      const remoteEnds = [...inboundPeers, targetEnd];

      await within(hub.t.close(), 'hub transport close()');
      await waitFor(() => remoteEnds.every((r) => r.closes.length >= 1), 'onClose at every peer of the closed transport');
      await sleep(QUIET_MS);
      remoteEnds.forEach((r, i) => {
        assertEqual(r.closes.length, 1, `peer end #${i}: onClose calls`);
        assertEqual(r.channel.isOpen, false, `peer end #${i}: isOpen`);
      });
      hubEnds.forEach((r, i) => {
        assertEqual(r.channel.isOpen, false, `hub end #${i}: isOpen`);
        assert(r.closes.length <= 1, `hub end #${i}: onClose fired ${r.closes.length} times`);
      });
      await within(hub.t.close(), 'second close() of the transport (idempotent)');
      const late = await s.transport();
      await expectRejectCode(late.connect(hub.name), 'nodedown', 'connect to the closed transport');
    }),
};
