/**
 * The allow list for BEAM peers (`beam: { allow }`, `--beam-allow`), against real erl: an
 * allowed node connects (`pong`), another with the same cookie is refused in the handshake
 * with the status `not_allowed` (`pang`; the erlmesh node logs the refusal), and the erlmesh
 * node does not dial it either (`not_allowed`). As OTP's `net_kernel:allow/1`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogEntry } from '../../src/core/node/node.js';
import { MemoryNetwork } from '../../src/core/testing/memory-network.js';
import { startNode } from '../../src/server/start-node.js';
import { beamMissing, ErlNode, SHORT_HOST, startEpmd, stopAll, stopErlNodes } from '../support/beam.js';
import { ErlmeshProcess, freePort, killAll, sandboxHome } from '../support/os-processes.js';

const missing = beamMissing();
const COOKIE = 'beam-allow-cookie';
const JS = `js@${SHORT_HOST}`;
const E = `e@${SHORT_HOST}`;
const X = `x@${SHORT_HOST}`;

/** Pings the js node, prints the answer, then waits to be pinged back (or not). */
const script = (js: string): string =>
  [`W = fun(Tag, V) -> io:format("~s ~w~n", [Tag, V]) end`, `W(ping, net_adm:ping('${js}'))`, `register(here, self())`, `W(ready, true)`, `receive stop -> ok after 20000 -> ok end`, `halt()`].join(', ');

describe.skipIf(!!missing)('beam allow list', () => {
  let epmdPort: number;
  beforeAll(async () => {
    epmdPort = await startEpmd();
  });
  afterAll(async () => {
    await stopErlNodes();
    await killAll();
    await stopAll();
  });

  it('startNode({ beam: { allow: [e] } }): e is pong, x (same cookie) is pang, refused with not_allowed both ways', async () => {
    const logs: LogEntry[] = [];
    const node = await startNode({ sname: 'js', cookie: COOKIE, transport: new MemoryNetwork().transport(), beam: { epmdPort, host: '127.0.0.1', allow: [E] }, logger: (e) => logs.push(e) });
    try {
      const e = new ErlNode('e', { cookie: COOKIE, epmdPort, script: script(JS) });
      const x = new ErlNode('x', { cookie: COOKIE, epmdPort, script: script(JS) });
      expect((await e.waitFor(/^ping (.*)$/m))[1]).toBe('pong');
      expect((await x.waitFor(/^ping (.*)$/m))[1]).toBe('pang');
      await x.waitFor(/^ready true$/m);
      expect(node.nodes()).toEqual([E]);
      expect(logs.some((l) => /refused: not_allowed/.test(l.text))).toBe(true);
      // Dialling x from here is refused too, before any handshake: the send is lost as to an unreachable node.
      const ref = await node.run(async (self) => {
        const r = self.monitor(['here', X]);
        const down = await self.receive((m) => Array.isArray(m) && m[0] === 'DOWN', 5_000);
        return [r, down];
      });
      expect((ref[1] as unknown[])[4]).toBe('noconnection');
      expect(logs.some((l) => /Cannot reach BEAM node x@\S+ \(not_allowed/.test(l.text))).toBe(true);
      expect(node.nodes()).toEqual([E]);
      console.log(`erl e: ${/ping .*/.exec(e.stdout)![0]}\nerl x: ${/ping .*/.exec(x.stdout)![0]}`);
    } finally {
      await node.stop();
      await stopErlNodes();
    }
  }, 60_000);

  it('erlmesh node --beam-allow e@host: e is pong, x is pang', async () => {
    const home = sandboxHome();
    const relayPort = await freePort();
    const env = { HOME: home, ERL_EPMD_PORT: String(epmdPort) };
    const relay = new ErlmeshProcess(['relay', '--port', String(relayPort), '--cookie', COOKIE], env);
    const url = (await relay.waitFor(/listening on (ws:\/\/\S+)/))[1]!;
    const js = new ErlmeshProcess(['node', '--sname', 'js', '--cookie', COOKIE, '--relay', url, '--beam-allow', E], env);
    await js.prompt();
    const e = new ErlNode('e', { cookie: COOKIE, epmdPort, script: script(JS) });
    const x = new ErlNode('x', { cookie: COOKIE, epmdPort, script: script(JS) });
    expect((await e.waitFor(/^ping (.*)$/m))[1]).toBe('pong');
    expect((await x.waitFor(/^ping (.*)$/m))[1]).toBe('pang');
    expect(await js.eval('nodes()')).toBe(`['${E}']`);
  }, 60_000);
});
