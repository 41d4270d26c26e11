/**
 * Erlang distribution with real `erl` (issue 14, the transport half): epmd registration and
 * lookup, the OTP 25 handshake in both roles, frames both ways, ticks, a frozen peer, wrong
 * cookies, a missing epmd.
 *
 * Everything runs against a private epmd on a free port (ERL_EPMD_PORT for erl, epmdPort for
 * erlmesh); nothing binds or asks 4369 or 4367. Every erl runs under `timeout` and is killed
 * by pid in afterEach. Skipped, with the reason, only when Erlang/OTP is not installed.
 */
import { createServer, type Server } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ErlmeshError } from '../../src/core/base/errors.js';
import { listenBeam, type BeamNode } from '../../src/server/beam/beam-node.js';
import type { BeamCloseReason, BeamConnection } from '../../src/server/beam/connection.js';
import { decodeEtf } from '../../src/core/etf/reader.js';
import { encodeEtf } from '../../src/core/etf/writer.js';
import { connectBeam } from '../../src/server/beam/dial.js';
import { decodeDistFrame } from '../../src/server/beam/dist-frame.js';
import { epmdNames, registerAtEpmd, type EpmdRegistration } from '../../src/server/beam/epmd.js';
import { DFLAG, MANDATORY_25, missingMandatory } from '../../src/server/beam/flags.js';
import { beamMissing, ErlNode, SHORT_HOST, startEpmd, stopAll, stopErlNodes } from '../support/beam.js';
import { rejectionCode } from '../support/errors.js';
import { freePort } from '../support/os-processes.js';

const missing = beamMissing();
if (missing) console.warn(`beam-dist tests skipped: ${missing}`);

const COOKIE = 'beam-dist-cookie';
let epmdPort: number;
const nodes: BeamNode[] = [];
const cleanups: (() => unknown)[] = [];

/** Waits for `p` at most `ms` (a bound, not a timing claim). */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

async function jsNode(alive: string, extra: { cookie?: string; netTicktime?: number } = {}): Promise<BeamNode> {
  const n = await listenBeam({ name: `${alive}@${SHORT_HOST}`, cookie: extra.cookie ?? COOKIE, epmdPort, netTicktime: extra.netTicktime, host: '127.0.0.1' });
  nodes.push(n);
  return n;
}

function nextConnection(n: BeamNode): Promise<BeamConnection> {
  return new Promise((resolve) => n.onConnection(resolve));
}

function closed(c: BeamConnection): Promise<BeamCloseReason> {
  return new Promise((resolve) => c.onClose(resolve));
}

/** erl's script: wait (bounded) until `node` is among nodes(hidden), then print it. */
function waitHidden(node: string): string {
  return (
    `Wait = fun W(0) -> timeout; W(N) -> case lists:member('${node}', nodes(hidden)) of true -> ok; false -> timer:sleep(50), W(N - 1) end end, ` +
    `io:format("wait ~p~n", [Wait(300)]), io:format("hidden ~p~n", [nodes(hidden)]), `
  );
}

// The few external-term bytes these tests need (the codec is another part of issue 14).
const atom = (a: string): number[] => [119, a.length, ...Buffer.from(a, 'utf8')];
const pid = (node: string, id: number, creation: number): number[] => {
  const b = Buffer.alloc(12);
  b.writeUInt32BE(id, 0);
  b.writeUInt32BE(0, 4);
  b.writeUInt32BE(creation, 8);
  return [88, ...atom(node), ...b];
};

/** NEWER_REFERENCE_EXT with three words. */
const ref3 = (node: string, creation: number, words: number[]): number[] => {
  const b = Buffer.alloc(4 + 4 * words.length);
  b.writeUInt32BE(creation, 0);
  words.forEach((w, i) => b.writeUInt32BE(w, 4 + 4 * i));
  return [90, 0, words.length, ...atom(node), ...b];
};

beforeAll(async () => {
  if (!missing) epmdPort = await startEpmd();
});

afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
  for (const n of nodes.splice(0)) await n.close();
  await stopErlNodes(); // the private epmd lives until afterAll
});

afterAll(async () => {
  await stopAll();
});

describe.skipIf(missing !== undefined)('Erlang distribution with real erl (OTP 25)', () => {
  it('(a) registers at epmd; erl connects to it: connect_node → true, and it is a hidden node', async () => {
    const js = await jsNode('jsa');
    const names = await epmdNames({ port: epmdPort });
    expect(names).toContainEqual({ name: 'jsa', port: js.port });
    const incoming = nextConnection(js);
    const erl = new ErlNode('ea', {
      cookie: COOKIE,
      epmdPort,
      script: `io:format("connect ~p~n", [net_kernel:connect_node('jsa@${SHORT_HOST}')]), io:format("hidden ~p~n", [nodes(hidden)]), io:format("visible ~p~n", [nodes()]), timer:sleep(300), halt().`,
    });
    expect((await erl.waitFor(/connect (\w+)\n/))[1]).toBe('true');
    expect((await erl.waitFor(/hidden (.*)\n/))[1]).toBe(`[jsa@${SHORT_HOST}]`);
    expect((await erl.waitFor(/visible (.*)\n/))[1]).toBe('[]');
    const c = await within(incoming, 5_000, 'connection from erl');
    expect(c.peer).toBe(erl.name);
    expect(missingMandatory(c.peerFlags)).toEqual([]);
    expect(c.peerFlags & MANDATORY_25).toBe(MANDATORY_25);
    expect(c.peerFlags & DFLAG.MANDATORY_25_DIGEST).toBe(DFLAG.MANDATORY_25_DIGEST);
    expect(c.flags & DFLAG.PUBLISHED).toBe(0n);
    expect(c.peerCreation).toBeGreaterThan(0);
    // erl halts: the connection goes down as the peer closed it.
    expect(await within(closed(c), 10_000, 'close after erl halted')).toBe('connection_closed');
    await erl.exited();
    // Closing the node unregisters it at epmd.
    await js.close();
    expect((await epmdNames({ port: epmdPort })).map((n) => n.name)).not.toContain('jsa');
  });

  it('(b) connects to erl (PORT_PLEASE2, initiator): erl lists it in nodes(hidden); frames go both ways', async () => {
    const js = await jsNode('jsb');
    const jsName = `jsb@${SHORT_HOST}`;
    const erl = new ErlNode('eb', {
      cookie: COOKIE,
      epmdPort,
      script:
        `register(t, self()), io:format("ready~n"), ${waitHidden(jsName)}` +
        `receive M -> io:format("got ~p~n", [M]) after 10000 -> io:format("got nothing~n") end, ` +
        `{nobody, '${jsName}'} ! hello_js, timer:sleep(1000), halt().`,
    });
    await erl.waitFor(/ready\n/);
    const c = await js.connect(erl.name);
    expect(c.peer).toBe(erl.name);
    expect(js.connection(erl.name)).toBe(c);
    // A second connect while up is the same connection.
    expect(await js.connect(erl.name)).toBe(c);
    expect((await erl.waitFor(/wait (\w+)\n/))[1]).toBe('ok');
    expect((await erl.waitFor(/hidden (.*)\n/))[1]).toBe(`[${jsName}]`);
    const frames: { control: unknown; message: unknown }[] = [];
    c.onFrame((f) => frames.push(decodeDistFrame(f)));
    // REG_SEND {6, From, '', t} then the message hi_from_js.
    c.send(Uint8Array.from([131, 104, 4, 97, 6, ...pid(jsName, 1, js.creation), ...atom(''), ...atom('t')]), Uint8Array.from([131, ...atom('hi_from_js')]));
    expect((await erl.waitFor(/got (.*)\n/))[1]).toBe('hi_from_js');
    // erl's `{nobody, js} ! hello_js` arrives as REG_SEND whose message is hello_js.
    for (let i = 0; i < 200 && frames.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    expect(frames.length).toBe(1);
    // (Decoded: erl writes its atoms as references to the frame header's atom cache.)
    const f = frames[0]!;
    expect((f.control as unknown[]).slice(0, 1)).toEqual([6]);
    expect((f.control as unknown[])[3]).toBe('nobody');
    expect(f.message).toBe('hello_js');
    await erl.exited();
  });

  it('(b) a gen_call from erlmesh to erl\'s net_kernel is answered to the erlmesh pid (pids and refs of this node are accepted)', async () => {
    const js = await jsNode('jsg');
    const jsName = `jsg@${SHORT_HOST}`;
    const erl = new ErlNode('eg', { cookie: COOKIE, epmdPort, script: `io:format("ready~n"), timer:sleep(20000), halt().` });
    await erl.waitFor(/ready\n/);
    const c = await js.connect(erl.name);
    const frames: { control: unknown; message: unknown }[] = [];
    c.onFrame((f) => frames.push(decodeDistFrame(f)));
    const from = pid(jsName, 7, js.creation);
    const ref = ref3(jsName, js.creation, [1, 2, 3]);
    // REG_SEND {6, From, '', net_kernel}, then {'$gen_call', {From, Ref}, {is_auth, jsg@host}}.
    c.send(
      Uint8Array.from([131, 104, 4, 97, 6, ...from, ...atom(''), ...atom('net_kernel')]),
      Uint8Array.from([131, 104, 3, ...atom('$gen_call'), 104, 2, ...from, ...ref, 104, 2, ...atom('is_auth'), ...atom(jsName)]),
    );
    for (let i = 0; i < 400 && frames.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    expect(frames.length).toBe(1);
    const f = frames[0]!;
    // SEND {2, '', From}, then {Ref, yes}: erl sends our pid and ref back as we wrote them.
    const fromPid = decodeEtf(Uint8Array.from([131, ...from]));
    const refTerm = decodeEtf(Uint8Array.from([131, ...ref]));
    expect(f.control).toEqual([2, '', fromPid]);
    expect(f.message).toEqual([refTerm, 'yes']);
    expect(encodeEtf(f.message)).toEqual(Uint8Array.from([131, 104, 2, ...ref, ...atom('yes')]));
  });

  it('(c) stays up across several tick periods, and drops a frozen erl with net_tick_timeout', async () => {
    const js = await jsNode('jsc', { netTicktime: 4 });
    const jsName = `jsc@${SHORT_HOST}`;
    const erl = new ErlNode('ec', {
      cookie: COOKIE,
      epmdPort,
      args: ['-kernel', 'net_ticktime', '4'],
      // Nothing but ticks crosses the connection for 5 s (five tick periods of 1 s); had
      // erlmesh not ticked, erl would have dropped it after 4 s.
      script: `io:format("ready~n"), ${waitHidden(jsName)}timer:sleep(5000), io:format("still ~p~n", [nodes(hidden)]), timer:sleep(60000), halt().`,
    });
    const beamPid = await erl.osPid();
    await erl.waitFor(/ready\n/);
    const c = await js.connect(erl.name);
    const down = closed(c);
    expect((await erl.waitFor(/wait (\w+)\n/))[1]).toBe('ok');
    expect((await erl.waitFor(/still (.*)\n/, 15_000))[1]).toBe(`[${jsName}]`);
    expect(c.isOpen).toBe(true);
    process.kill(beamPid, 'SIGSTOP');
    cleanups.push(() => {
      try {
        process.kill(beamPid, 'SIGCONT');
      } catch {
        // gone already
      }
      return erl.stop();
    });
    expect(await within(down, 15_000, 'net_tick_timeout')).toBe('net_tick_timeout');
    expect(c.closeReason).toBe('net_tick_timeout');
    expect(js.connection(erl.name)).toBeUndefined();
  });

  it('(d) a wrong cookie is refused on both sides, whoever connects', async () => {
    // erl connects with another cookie: connect_node → false there, bad_cookie here.
    const js = await jsNode('jsd');
    const refused = new Promise<ErlmeshError>((resolve) => js.onRefused(resolve));
    let up = 0;
    js.onConnection(() => up++);
    const e1 = new ErlNode('ed1', {
      cookie: 'not-the-cookie',
      epmdPort,
      script: `io:format("connect ~p~n", [net_kernel:connect_node('jsd@${SHORT_HOST}')]), io:format("hidden ~p~n", [nodes(hidden)]), halt().`,
    });
    expect((await e1.waitFor(/connect (\w+)\n/))[1]).toBe('false');
    expect((await e1.waitFor(/hidden (.*)\n/))[1]).toBe('[]');
    expect((await within(refused, 5_000, 'refusal')).code).toBe('bad_cookie');
    expect(up).toBe(0);

    // We connect with another cookie: bad_cookie here, and erl logs its refusal.
    // erl reports nodes(hidden) every 200 ms until it is stopped.
    const e2 = new ErlNode('ed2', {
      cookie: 'not-the-cookie',
      epmdPort,
      script: `io:format("ready~n"), L = fun Loop(0) -> ok; Loop(N) -> io:format("hidden ~p~n", [nodes(hidden)]), timer:sleep(200), Loop(N - 1) end, L(100), halt().`,
    });
    await e2.waitFor(/ready\n/);
    expect(await rejectionCode(js.connect(e2.name))).toBe('bad_cookie');
    expect(js.connection(e2.name)).toBeUndefined();
    // erl's usual complaint, then (after it) erl still has no hidden node.
    await e2.waitFor(new RegExp(`Connection attempt from node jsd@${SHORT_HOST} rejected`));
    expect((await e2.waitFor(/hidden (.*)\n/))[1]).toBe('[]');
    await e2.stop();
  });

  it('(e) named errors: no epmd, a name epmd holds, a node epmd does not know, a peer that never answers', async () => {
    const nobody = await freePort();
    expect(await rejectionCode(listenBeam({ name: `jse@${SHORT_HOST}`, cookie: COOKIE, epmdPort: nobody, host: '127.0.0.1' }))).toBe('epmd_unreachable');
    expect(await rejectionCode(connectBeam({ localName: `jse@${SHORT_HOST}`, peer: `x@${SHORT_HOST}`, cookie: COOKIE, epmdPort: nobody }))).toBe(
      'epmd_unreachable',
    );

    const first = await jsNode('jse');
    expect(first.port).toBeGreaterThan(0);
    expect(await rejectionCode(listenBeam({ name: `jse@${SHORT_HOST}`, cookie: COOKIE, epmdPort, host: '127.0.0.1' }))).toBe('epmd_name_taken');
    expect(await rejectionCode(first.connect(`nosuch@${SHORT_HOST}`))).toBe('beam_node_unknown');

    // Registered at epmd, accepts TCP, never says a word: the handshake deadline.
    const mute: Server = createServer((s) => s.resume());
    await new Promise<void>((r) => mute.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => mute.close(() => r())));
    const reg: EpmdRegistration = await registerAtEpmd('mute', (mute.address() as { port: number }).port, { port: epmdPort });
    cleanups.push(() => reg.close());
    expect(
      await rejectionCode(connectBeam({ localName: `jse2@${SHORT_HOST}`, peer: `mute@${SHORT_HOST}`, cookie: COOKIE, epmdPort, handshakeTimeoutMs: 300 })),
    ).toBe('timeout');
  });
});
