/**
 * The BEAM distribution transport without `erl` on the other side: golden bytes of the
 * handshake messages, flags and epmd's ALIVE2_REQ (from erl_dist_protocol and dist.hrl, and
 * digests computed by OTP 25's erlang:md5; an old epmd's ALIVE2_RESP from a stand-in), and erlmesh against erlmesh over real sockets for what `erl` does
 * not show on demand — the old v5 send_name with its complement, a peer lacking mandatory
 * flags, simultaneous connects, `alive`, and ticks on a simulated clock (the default 60 s
 * net_ticktime without waiting).
 *
 * The socket tests use a private epmd on a free port (never 4369) and are skipped, with the
 * reason, when Erlang/OTP (epmd) is not installed.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ErlmeshError } from '../../src/core/base/errors.js';
import { SimulatedClock } from '../../src/core/testing/simulated-clock.js';
import { listenBeam, type BeamNode, type ListenBeamOptions } from '../../src/server/beam/beam-node.js';
import type { BeamCloseReason, BeamConnection } from '../../src/server/beam/connection.js';
import { dialBeam } from '../../src/server/beam/dial.js';
import { registerAtEpmd } from '../../src/server/beam/epmd.js';
import { DFLAG, expandMandatory25, MANDATORY_25, missingMandatory, OUR_FLAGS } from '../../src/server/beam/flags.js';
import { handshakeDigest } from '../../src/server/beam/handshake.js';
import * as msg from '../../src/server/beam/handshake-messages.js';
import { beamMissing, SHORT_HOST, startEpmd, stopAll } from '../support/beam.js';
import { rejection, rejectionCode } from '../support/errors.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('handshake messages and flags, byte for byte', () => {
  it('flags: the OTP 25 mandatory set, the digest at bit 26, SPAWN and V4_NC in the high word, no PUBLISHED', () => {
    expect(MANDATORY_25).toBe(0x1070f94n);
    expect(DFLAG.MANDATORY_25_DIGEST).toBe(1n << 26n);
    expect(OUR_FLAGS).toBe(0x5_0787_2fbcn); // with DIST_HDR_ATOM_CACHE (0x2000) and FRAGMENTS (0x800000)
    expect(OUR_FLAGS & DFLAG.PUBLISHED).toBe(0n);
    expect(missingMandatory(MANDATORY_25)).toEqual([]);
    expect(missingMandatory(DFLAG.MANDATORY_25_DIGEST)).toEqual([]);
    expect(expandMandatory25(DFLAG.MANDATORY_25_DIGEST | DFLAG.SPAWN)).toBe(MANDATORY_25 | DFLAG.MANDATORY_25_DIGEST | DFLAG.SPAWN);
    expect(expandMandatory25(DFLAG.SPAWN)).toBe(DFLAG.SPAWN);
    expect(missingMandatory(MANDATORY_25 & ~DFLAG.MAP_TAG & ~DFLAG.BIG_CREATION)).toEqual(['MAP_TAG', 'BIG_CREATION']);
  });

  it('send_name v6 and v5, status, challenge, complement, reply, ack', () => {
    expect(hex(msg.encodeSendName(OUR_FLAGS, 0x01020304, 'js@vm'))).toBe('4e' + '0000000507872fbc' + '01020304' + '0005' + hex(Buffer.from('js@vm')));
    expect(hex(msg.encodeSendNameV5(OUR_FLAGS, 'js@vm'))).toBe('6e' + '0005' + '07872fbc' + hex(Buffer.from('js@vm')));
    expect(hex(msg.encodeStatus('ok_simultaneous'))).toBe('73' + hex(Buffer.from('ok_simultaneous')));
    const challenge = Buffer.from('4e' + '0000000d07df7fbd' + 'fffffffe' + '6b11a3b2' + '0004' + hex(Buffer.from('e@vm')) + 'ffee', 'hex');
    // "Any extra data after the node Name must be accepted and ignored."
    expect(msg.decodeChallenge(challenge)).toEqual({ flags: 0xd07df7fbdn, challenge: 0xfffffffe, creation: 0x6b11a3b2, name: 'e@vm' });
    expect(hex(msg.encodeChallenge({ flags: 0xd07df7fbdn, challenge: 0xfffffffe, creation: 0x6b11a3b2, name: 'e@vm' }))).toBe(hex(challenge.subarray(0, -2)));
    expect(msg.decodeSendName(Buffer.from('6e0005' + '07070fbc' + hex(Buffer.from('e@vm')), 'hex'))).toEqual({ version: 5, flags: 0x07070fbcn, creation: 0, name: 'e@vm' });
    expect(hex(msg.encodeComplement({ flagsHigh: 5, creation: 7 }))).toBe('63' + '00000005' + '00000007');
    const digest = Buffer.alloc(16, 0xab);
    expect(hex(msg.encodeReply({ challenge: 42, digest }))).toBe('72' + '0000002a' + 'ab'.repeat(16));
    expect(hex(msg.encodeAck(digest))).toBe('61' + 'ab'.repeat(16));
    expect(() => msg.decodeAck(Buffer.from('61abab', 'hex'))).toThrow(expect.objectContaining({ code: 'handshake_failed' }));
    expect(() => msg.decodeChallenge(Buffer.from('73' + hex(Buffer.from('nok')), 'hex'))).toThrow(expect.objectContaining({ code: 'handshake_failed' }));
  });

  it('digest = md5(Cookie ++ integer_to_list(Challenge)), as OTP 25 computes it', () => {
    // erl -eval 'binary:encode_hex(erlang:md5([atom_to_list(Cookie)|integer_to_list(Challenge)]))'
    expect(hex(handshakeDigest('C', 4294967295))).toBe('57e5aa134c1b0c99ccbe407ef4b372d4');
    expect(hex(handshakeDigest('abcdefghij', 12345))).toBe('f304c3e7226f0284f0d5f7c4a384e6e2');
  });
});

describe('epmd requests and old replies, byte for byte', () => {
  it('ALIVE2_REQ as a hidden v6 node; the old ALIVE2_RESP (2-byte creation) is understood; the connection stays open', async () => {
    const seen: Buffer[] = [];
    let peerClosed = false;
    const fake: Server = createServer((sock) => {
      sock.once('data', (d: Buffer) => {
        seen.push(d);
        sock.write(Buffer.from([121, 0, 0x01, 0x02]));
      });
      sock.on('close', () => (peerClosed = true));
    });
    await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
    try {
      const reg = await registerAtEpmd('js', 0x1234, { port: (fake.address() as { port: number }).port });
      expect(reg.creation).toBe(0x0102);
      // Length 15, 'x', port, 'H' (hidden), protocol 0, versions 6 and 6, "js", no extra.
      expect(hex(seen[0]!)).toBe('000f' + '78' + '1234' + '48' + '00' + '0006' + '0006' + '0002' + hex(Buffer.from('js')) + '0000');
      await new Promise((r) => setTimeout(r, 50));
      expect(peerClosed).toBe(false);
      reg.close();
      await until(() => peerClosed, 'the unregistering close');
    } finally {
      await new Promise<void>((r) => fake.close(() => r()));
    }
  });
});

const missing = beamMissing();
let epmdPort: number;
const started: BeamNode[] = [];

async function node(alive: string, o: Partial<ListenBeamOptions> = {}): Promise<BeamNode> {
  const n = await listenBeam({ name: `${alive}@${SHORT_HOST}`, cookie: 'c', epmdPort, host: '127.0.0.1', ...o });
  started.push(n);
  return n;
}

function nextConnection(n: BeamNode): Promise<BeamConnection> {
  return new Promise((resolve) => n.onConnection(resolve));
}

function closed(c: BeamConnection): Promise<BeamCloseReason> {
  return new Promise((resolve) => c.onClose(resolve));
}

/** Real time for bytes to cross loopback: poll `done` (bounded). */
async function until(done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (done()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`never: ${what}`);
}

describe.skipIf(missing !== undefined)('erlmesh to erlmesh over BEAM distribution', () => {
  beforeAll(async () => {
    epmdPort = await startEpmd();
  });
  afterEach(async () => {
    for (const n of started.splice(0)) await n.close();
  });
  afterAll(() => stopAll());

  // OTP 23/24 send 'n' when they do not know the peer's version; OTP 25's own acceptor no
  // longer takes it (its recv_name matches only 'N'), so only erlmesh can show this path.
  it('an old v5 send_name and its complement: flags above bit 32 and the creation arrive', async () => {
    const b = await node('v5b');
    const accepted = nextConnection(b);
    const c = await dialBeam(b.name, { self: { name: `v5a@${SHORT_HOST}`, cookie: 'c', creation: 0x0a0b0c0d }, epmdPort, sendNameVersion: 5 });
    const there = await accepted;
    expect(there.peer).toBe(`v5a@${SHORT_HOST}`);
    expect(there.peerCreation).toBe(0x0a0b0c0d);
    expect(there.peerFlags).toBe(OUR_FLAGS);
    expect(c.peerCreation).toBe(b.creation);
    const got: string[] = [];
    // Both ends offer the distribution header: the frame is 131 68 0, then the term without its 131.
    there.onFrame((f) => got.push(`${f.refs ? 'header' : 'pass'} ${hex(f.bytes.subarray(f.offset))}`));
    c.send(Uint8Array.of(131, 106));
    await until(() => got.length === 1, 'the frame');
    expect(got).toEqual(['header 6a']);
    c.close();
    expect(await closed(there)).toBe('connection_closed');
  });

  it('a peer without the mandatory flags: not_allowed there, incompatible_version here', async () => {
    const b = await node('strict');
    const refused = new Promise<ErlmeshError>((resolve) => b.onRefused(resolve));
    const flags = OUR_FLAGS & ~DFLAG.MAP_TAG & ~DFLAG.MANDATORY_25_DIGEST;
    expect(await rejectionCode(dialBeam(b.name, { self: { name: `old@${SHORT_HOST}`, cookie: 'c', creation: 1, flags }, epmdPort }))).toBe('not_allowed');
    const e = await refused;
    expect(e.code).toBe('incompatible_version');
    expect((e.details as { missing: string[] }).missing).toEqual(['MAP_TAG']);
    expect(b.connections()).toEqual([]);
  });

  it('a peer that sends the digest bit instead of the mandatory flags (as OTP 27 may) is accepted, the digest read as the set', async () => {
    const b = await node('digestb');
    const accepted = nextConnection(b);
    const flags = (OUR_FLAGS & ~MANDATORY_25) | DFLAG.HANDSHAKE_23;
    const c = await dialBeam(b.name, { self: { name: `digesta@${SHORT_HOST}`, cookie: 'c', creation: 1, flags }, epmdPort });
    const there = await accepted;
    expect(there.peerFlags).toBe(flags);
    expect(there.flags & MANDATORY_25).toBe(MANDATORY_25);
    expect(c.flags).toBe(flags);
    c.close();
  });

  it('a wrong cookie: bad_cookie on both sides', async () => {
    const b = await node('cb');
    const refused = new Promise<ErlmeshError>((resolve) => b.onRefused(resolve));
    const e = await rejection(dialBeam(b.name, { self: { name: `ca@${SHORT_HOST}`, cookie: 'other', creation: 1 }, epmdPort }));
    expect(e.code).toBe('bad_cookie');
    expect((await refused).code).toBe('bad_cookie');
  });

  it('simultaneous connects end in one connection per pair, usable both ways', async () => {
    for (let round = 0; round < 5; round++) {
      const a = await node(`sa${round}`);
      const b = await node(`sb${round}`);
      const [ab, ba] = await Promise.all([a.connect(b.name), b.connect(a.name)]);
      expect(ab.peer).toBe(b.name);
      expect(ba.peer).toBe(a.name);
      expect(a.connections()).toEqual([ab]);
      expect(b.connections()).toEqual([ba]);
      const got: string[] = [];
      ba.onFrame((f) => got.push(`${f.refs ? 'header' : 'pass'} ${hex(f.bytes.subarray(f.offset))}`));
      ab.send(Uint8Array.of(131, 97, round));
      await until(() => got.length === 1, 'the frame');
      expect(got).toEqual([`header 61${hex(Uint8Array.of(round))}`]);
      await a.close();
      await b.close();
    }
  });

  it('a second connection from a node already up is asked alive and replaces the first', async () => {
    const a = await node('alivea');
    const b = await node('aliveb');
    const first = await a.connect(b.name);
    await until(() => b.connections().length === 1, 'the first connection at b');
    const old = b.connection(a.name)!;
    const oldDown = closed(old);
    const second = await dialBeam(b.name, { self: { name: a.name, cookie: 'c', creation: a.creation }, epmdPort });
    expect(await oldDown).toBe('replaced');
    await until(() => b.connection(a.name) !== old && b.connection(a.name) !== undefined, 'the new connection at b');
    expect(b.connections().length).toBe(1);
    second.close();
    first.close();
  });

  it("an attempt asked alive while the peer's own connection is up here too keeps that one (the race of simultaneous connects under load)", async () => {
    const a = await node('keepa');
    const b = await node('keepb');
    const first = await a.connect(b.name);
    await until(() => b.connections().length === 1, 'the connection at b');
    const old = b.connection(a.name)!;
    // a's late attempt, which a answers knowing the connection is up (BeamNode passes isUp).
    const e = await rejection(dialBeam(b.name, { self: { name: a.name, cookie: 'c', creation: a.creation }, epmdPort, isUp: () => true }));
    expect([e.code, (e.details as { status?: string }).status]).toEqual(['handshake_failed', 'alive']);
    expect(b.connection(a.name)).toBe(old);
    expect(old.isOpen && first.isOpen).toBe(true);
    first.close();
  });

  it('the handshake deadline is 7 s on the injected clock: a peer that never answers is a timeout', async () => {
    const accepted: Socket[] = [];
    const mute: Server = createServer((sock) => {
      accepted.push(sock);
      sock.resume();
    });
    await new Promise<void>((r) => mute.listen(0, '127.0.0.1', r));
    const reg = await registerAtEpmd('mute', (mute.address() as { port: number }).port, { port: epmdPort });
    try {
      const clock = new SimulatedClock();
      let settled = false;
      const dialling = rejection(dialBeam(`mute@${SHORT_HOST}`, { self: { name: `impatient@${SHORT_HOST}`, cookie: 'c', creation: 1 }, epmdPort, clock }));
      void dialling.finally(() => (settled = true));
      await until(() => accepted.length === 1, 'the TCP connection');
      await clock.advance(6_999);
      await new Promise((r) => setTimeout(r, 50));
      expect(settled).toBe(false);
      await clock.advance(1);
      expect((await dialling).code).toBe('timeout');
    } finally {
      reg.close();
      await new Promise<void>((r) => mute.close(() => r()));
    }
  });

  it('ticks at net_ticktime/4 keep an idle connection up; a silent peer is dropped after four periods (simulated 60 s)', async () => {
    const aClock = new SimulatedClock();
    const bClock = new SimulatedClock();
    const a = await node('ticka', { clock: aClock });
    const b = await node('tickb', { clock: bClock });
    const ab = await a.connect(b.name);
    await until(() => b.connection(a.name) !== undefined, 'the connection at b');
    const ba = b.connection(a.name)!;
    // Both clocks run: each side ticks every 15 s when idle, so neither drops the other.
    for (let i = 0; i < 12; i++) {
      await aClock.advance(15_000);
      await bClock.advance(15_000);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(ab.isOpen && ba.isOpen).toBe(true);
    // b's clock stops: b sends nothing more. a's next check still sees b's last tick; the
    // four after it are silent, and the fourth silent one drops b.
    const down = closed(ab);
    for (let i = 0; i < 4; i++) await aClock.advance(15_000);
    expect(ab.isOpen).toBe(true);
    await aClock.advance(15_000);
    expect(await down).toBe('net_tick_timeout');
  });
});
