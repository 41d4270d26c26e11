/**
 * Transport conformance cases for delivery: a connect hands one channel to the peer; frames
 * arrive once, intact, in order and typed as sent (string or bytes), wait for `attach`, and
 * stay separate per channel.
 */
import type { Channel, Frame } from '../../net/transport.js';
import {
  assert,
  assertEqual,
  assertFrames,
  bytesEqual,
  QUIET_MS,
  record,
  type Recorder,
  show,
  sleep,
  type TransportConformanceCase,
  waitFor,
  withScope,
} from './kit.js';

export const connectHandsChannel: TransportConformanceCase = {
  name: "connect to a listening peer hands a channel to the peer's onInbound",
  run: (h) =>
    withScope(h, async (s) => {
      const { name, inbound } = await s.listener('accept');
      const client = await s.transport();
      const local = await s.connect(client, name);
      await waitFor(() => inbound.length === 1, 'onInbound');
      const remote = inbound[0] as Channel;
      for (const [label, ch] of [['local', local], ['remote', remote]] as const) {
        assert(typeof ch.attach === 'function' && typeof ch.send === 'function' && typeof ch.close === 'function', `${label} end is a Channel`);
        assertEqual(ch.isOpen, true, `${label} end isOpen`);
      }
      await sleep(QUIET_MS);
      assertEqual(inbound.length, 1, 'onInbound calls for one connect');
    }),
};

export const stringOrder: TransportConformanceCase = {
  name: '1,000 string frames each way arrive in order',
  run: (h) =>
    withScope(h, async (s) => {
      const { dialer, acceptor } = await s.pair('order');
      const up = Array.from({ length: 1000 }, (_, i) => `up ${i}`);
      const down = Array.from({ length: 1000 }, (_, i) => `down ${i}`);
      for (let i = 0; i < 1000; i++) {
        dialer.channel.send(up[i] as string);
        acceptor.channel.send(down[i] as string);
      }
      await waitFor(() => acceptor.frames.length >= 1000 && dialer.frames.length >= 1000, '1,000 frames each way');
      await sleep(QUIET_MS);
      assertFrames(acceptor.frames, up, 'dialer → acceptor');
      assertFrames(dialer.frames, down, 'acceptor → dialer');
    }),
};

export const frameTypes: TransportConformanceCase = {
  name: 'Uint8Array frames arrive as Uint8Array with identical bytes, strings as strings',
  run: (h) =>
    withScope(h, async (s) => {
      const { dialer, acceptor } = await s.pair('types');
      const all = new Uint8Array(256).map((_, i) => i);
      const backing = new Uint8Array([9, 9, 9, 1, 2, 3, 9, 9]);
      const sent: Frame[] = [
        all,
        'plain ascii',
        new Uint8Array(0),
        '',
        backing.subarray(3, 6), // a view with an offset: only [1, 2, 3] travels
        'héllo ☃ 𝄞 \u0000 end',
        new TextEncoder().encode('bytes that happen to be text'),
        '[1,2,3]',
      ];
      const expected: Frame[] = sent.map((f) => (typeof f === 'string' ? f : Uint8Array.from(f)));
      for (const f of sent) dialer.channel.send(f);
      for (const f of sent) acceptor.channel.send(f);
      await waitFor(() => acceptor.frames.length >= sent.length && dialer.frames.length >= sent.length, 'all typed frames');
      for (const [label, got] of [['dialer → acceptor', acceptor.frames], ['acceptor → dialer', dialer.frames]] as const) {
        assertEqual(got.length, expected.length, `${label}: frame count`);
        got.forEach((f, i) => {
          const want = expected[i] as Frame;
          if (typeof want === 'string') {
            assertEqual(typeof f, 'string', `${label} #${i}: type`);
            assertEqual(f, want, `${label} #${i}: content`);
          } else {
            assert(f instanceof Uint8Array, `${label} #${i}: should be a Uint8Array, got ${typeof f}`);
            assert(bytesEqual(f, want), `${label} #${i}: bytes differ: expected [${want.join(',')}], got [${[...f].slice(0, 300).join(',')}]`);
          }
        });
      }
    }),
};

export const beforeAttach: TransportConformanceCase = {
  name: 'frames sent before attach are delivered on attach, in order',
  run: (h) =>
    withScope(h, async (s) => {
      const { name, inbound } = await s.listener('early');
      const client = await s.transport();
      const local = await s.connect(client, name);
      // Dialer sends before the acceptor attaches.
      local.send('one');
      local.send(new Uint8Array([2]));
      local.send('three');
      await waitFor(() => inbound.length === 1, 'onInbound');
      const remote = inbound[0] as Channel;
      // Acceptor sends before the dialer attaches.
      remote.send('a');
      remote.send('b');
      remote.send('c');
      await sleep(QUIET_MS * 2); // let everything arrive and sit in the buffers
      const acceptor = record(remote);
      const dialer = record(local);
      await waitFor(() => acceptor.frames.length >= 3 && dialer.frames.length >= 3, 'buffered frames after attach');
      assertFrames(acceptor.frames, ['one', new Uint8Array([2]), 'three'], 'acceptor, buffered before attach');
      assertFrames(dialer.frames, ['a', 'b', 'c'], 'dialer, buffered before attach');
      // The channel still works normally afterwards.
      local.send('after');
      await waitFor(() => acceptor.frames.length >= 4, 'a frame sent after attach');
      assertEqual(acceptor.frames[3], 'after', 'frame after attach');
    }),
};

export const bigFrame: TransportConformanceCase = {
  name: 'a 1 MiB frame arrives intact',
  run: (h) =>
    withScope(h, async (s) => {
      const { dialer, acceptor } = await s.pair('big');
      const big = new Uint8Array(1024 * 1024);
      for (let i = 0; i < big.length; i++) big[i] = (i * 31 + (i >>> 8)) & 0xff;
      dialer.channel.send(big);
      acceptor.channel.send(big);
      dialer.channel.send('after the big one');
      await waitFor(() => acceptor.frames.length >= 2 && dialer.frames.length >= 1, 'the 1 MiB frames');
      for (const [label, got] of [['dialer → acceptor', acceptor.frames[0]], ['acceptor → dialer', dialer.frames[0]]] as const) {
        assert(got instanceof Uint8Array, `${label}: a Uint8Array arrived`);
        assertEqual(got.length, big.length, `${label}: length`);
        assert(bytesEqual(got, big), `${label}: bytes intact`);
      }
      assertEqual(acceptor.frames[1], 'after the big one', 'frame after the big one');
    }),
};

export const threePeers: TransportConformanceCase = {
  name: 'three peers connected to one node keep their streams separate and ordered',
  run: (h) =>
    withScope(h, async (s) => {
      const { name, inbound } = await s.listener('hub');
      const peers: Recorder[] = [];
      for (let p = 0; p < 3; p++) {
        const t = await s.transport();
        peers.push(record(await s.connect(t, name)));
      }
      await waitFor(() => inbound.length === 3, 'three inbound channels');
      const hubEnds = inbound.map(record);
      const N = 200;
      // Interleave: round-robin over peers, and the hub answers on each of its ends.
      for (let i = 0; i < N; i++) {
        peers.forEach((p, k) => p.channel.send(`peer${k}:${i}`));
        hubEnds.forEach((e, k) => e.channel.send(`hub${k}:${i}`));
      }
      await waitFor(
        () => hubEnds.every((e) => e.frames.length >= N) && peers.every((p) => p.frames.length >= N),
        `${N} frames on each of 3 channels, both ways`,
      );
      await sleep(QUIET_MS);
      // Which hub end belongs to which peer is only known from the first frame.
      const seen = new Set<number>();
      for (const e of hubEnds) {
        const first = e.frames[0];
        assert(typeof first === 'string' && /^peer\d:0$/.test(first), `hub end starts with a peer's first frame, got ${show(first)}`);
        const k = Number(first.slice(4, 5));
        assert(!seen.has(k), `two hub ends carry peer${k}'s stream`);
        seen.add(k);
        assertFrames(e.frames, Array.from({ length: N }, (_, i) => `peer${k}:${i}`), `hub end of peer${k}`);
      }
      // Each peer receives exactly one hub stream, in order, and never another's.
      const hubStreams = new Set<string>();
      peers.forEach((p, k) => {
        const first = p.frames[0];
        assert(typeof first === 'string' && /^hub\d:0$/.test(first), `peer${k} starts with a hub frame, got ${show(first)}`);
        const tag = first.slice(0, 4);
        assert(!hubStreams.has(tag), `two peers got the stream ${tag}`);
        hubStreams.add(tag);
        assertFrames(p.frames, Array.from({ length: N }, (_, i) => `${tag}:${i}`), `peer${k}`);
      });
    }),
};
