/**
 * Issue 14, M1: an erlmesh server-node that is a real (visible) Erlang node, against real `erl`
 * (OTP 25) on a private epmd. One erl node per run, driven by one `-eval` script that prints a
 * line per check; the erlmesh side checks its own half (rpc, link, monitor into BEAM) when the
 * script says it is its turn, then the connection ends — disconnected from the erlmesh side
 * (in-process: its own link and monitor on an erl process get noconnection too) or the CLI
 * node killed with SIGKILL — and erl reports what its monitor and link saw.
 *
 * Nothing binds or asks 4369 or 4367: erl gets ERL_EPMD_PORT, the in-process node a memory
 * transport, the CLI node a relay on a free port. Every process is killed by pid at the end.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Node } from '../../src/core/node/node.js';
import type { NodeEvent } from '../../src/core/interfaces/node-events.js';
import { MemoryNetwork } from '../../src/core/testing/memory-network.js';
import { Pid } from '../../src/core/terms/pid.js';
import { startNode } from '../../src/server/start-node.js';
import { spawn } from 'node:child_process';
import { beamMissing, EPMD, ErlNode, SHORT_HOST, startEpmd, stopAll, stopErlNodes } from '../support/beam.js';
import { linkAndMonitor } from '../support/in-process.js';
import { ErlmeshProcess, freePort, killAll, sandboxHome } from '../support/os-processes.js';
import { epmdNames } from '../../src/server/beam/epmd.js';

const missing = beamMissing();
if (missing) console.warn(`beam-node tests skipped: ${missing}`);

const COOKIE = 'beam-node-cookie';
const E = `e@${SHORT_HOST}`;
let epmdPort: number;

/** erl's half: one line per check (`~w`, so nothing wraps), a turn for the erlmesh side, then the monitor and link on a node that goes away. */
function script(js: string): string {
  return [
    `JS = '${js}'`,
    `W = fun(Tag, V) -> io:format("~s ~w~n", [Tag, V]) end`,
    `W(ping, net_adm:ping(JS))`,
    `W(hidden, lists:member(JS, nodes(hidden)))`,
    `W(visible, lists:member(JS, nodes()))`,
    `W(store, rpc:call(JS, kvs, store, [weather, fine]))`,
    `W(lookup, rpc:call(JS, kvs, lookup, [weather]))`,
    `T = {<<"bin">>, "chars", [1,2,3], 3.5, -7, 1 bsl 70, #{a => 1, <<"k">> => [x]}, [], {}}`,
    `W(store_term, rpc:call(JS, kvs, store, [term, T]))`,
    `W(term_back, rpc:call(JS, kvs, lookup, [term]) =:= {ok, T})`,
    `W(erpc, erpc:call(JS, kvs, lookup, [weather]))`,
    `W(erpc_undef, try erpc:call(JS, kvs, nosuch, []) catch error:{exception, Reason, _} -> {exception, Reason} end)`,
    `{kvs, JS} ! {self(), {lookup, weather}}`,
    `W(reg_send, receive {kvs, _} = Got -> Got after 5000 -> timeout end)`,
    `W(undef, rpc:call(JS, kvs, nosuch, []))`,
    `W(error, rpc:call(JS, erlang, error, [boom]))`,
    `W(erpc_error, try erpc:call(JS, erlang, error, [boom]) catch error:{exception, ErpcReason, _} -> {exception, ErpcReason} end)`,
    `W(rex, gen_server:call({rex, JS}, {call, kvs, lookup, [weather], group_leader()}, 5000))`,
    `W(cast, erpc:cast(JS, kvs, store, [cast, done]))`,
    `process_flag(trap_exit, true)`,
    `P1 = spawn_link(JS, kvs, loop, [])`,
    `W(spawn_node, node(P1))`,
    `PidBytes = term_to_binary(P1)`,
    `W(creation, binary:decode_unsigned(binary:part(PidBytes, byte_size(PidBytes) - 4, 4)))`,
    `P1 ! {self(), {store, k1, v1}}`,
    `W(spawned_store, receive {kvs, R2} -> R2 after 5000 -> timeout end)`,
    `exit(P1, kill)`,
    `W(link_kill, receive {'EXIT', P1, R3} -> R3 after 5000 -> timeout end)`,
    `P6 = spawn_link(JS, kvs, loop, [])`,
    `true = unlink(P6)`,
    `exit(P6, kill)`,
    `M6 = erlang:monitor(process, P6)`,
    // An EXIT from P6, had the unlink not taken, would come before this DOWN (one connection, in order).
    `W(unlinked, receive {'DOWN', M6, process, P6, _} -> receive {'EXIT', P6, _} -> still_linked after 0 -> unlinked end after 5000 -> timeout end)`,
    `P2 = spawn(JS, kvs, loop, [])`,
    `M2 = erlang:monitor(process, P2)`,
    `exit(P2, shutdown)`,
    `W(monitor_pid, receive {'DOWN', M2, process, P2, R4} -> R4 after 5000 -> timeout end)`,
    `W(cast_lookup, rpc:call(JS, kvs, lookup, [cast]))`,
    `{P5, M5} = spawn_monitor(JS, kvs, nosuch, [1])`,
    `W(spawn_undef, receive {'DOWN', M5, process, P5, R7} -> R7 after 5000 -> timeout end)`,
    `W(io, rpc:call(JS, io, format, ['printed by js for ~s~n', [<<"erl">>]]))`,
    `register(erl_test, self())`,
    `Victim = spawn(fun() -> receive stop -> ok end end)`,
    `register(victim, Victim)`,
    `register(keeper, spawn(fun() -> receive stop -> ok end end))`,
    `io:format("js_turn~n")`,
    `W(go, receive go -> go after 20000 -> timeout end)`,
    `W(victim_alive, is_process_alive(Victim))`,
    `M = erlang:monitor(process, {kvs, JS})`,
    `P4 = spawn_link(JS, kvs, loop, [])`,
    `io:format("monitoring~n")`,
    `W(down, receive {'DOWN', M, process, _, R5} -> R5 after 20000 -> timeout end)`,
    `W(link_down, receive {'EXIT', P4, R6} -> R6 after 20000 -> timeout end)`,
    `W(visible_after, lists:member(JS, nodes()))`,
    `halt()`,
  ].join(', ') + '.';
}

/** What erl prints for the checks before the erlmesh side's turn. */
const beforeTurn = (js: string, creation: number): [string, string][] => [
  ['ping', 'pong'],
  ['hidden', 'false'],
  ['visible', 'true'],
  ['store', 'true'],
  ['lookup', '{ok,fine}'],
  ['store_term', 'true'],
  ['term_back', 'true'],
  ['erpc', '{ok,fine}'],
  ['erpc_undef', '{exception,undef}'],
  ['reg_send', '{kvs,{ok,fine}}'],
  ['undef', "{badrpc,{'EXIT',{undef,[{kvs,nosuch,[],[]}]}}}"],
  ['error', "{badrpc,{'EXIT',{boom,[]}}}"],
  ['erpc_error', '{exception,boom}'],
  ['rex', '{ok,fine}'],
  ['cast', 'ok'],
  ['spawn_node', js],
  ['creation', String(creation)], // the js node's own, in the handshake and its pids (not epmd's)
  ['spawned_store', 'true'],
  ['link_kill', 'killed'],
  ['unlinked', 'unlinked'],
  ['monitor_pid', 'shutdown'],
  ['cast_lookup', '{ok,done}'],
  ['spawn_undef', '{undef,[{kvs,nosuch,[1],[]}]}'],
  ['printed', 'by js for erl'],
  ['io', 'ok'],
];

async function expectLines(erl: ErlNode, rows: [string, string][]): Promise<string[]> {
  const seen: string[] = [];
  for (const [tag, value] of rows) {
    const m = await erl.waitFor(new RegExp(`^${tag} (.*)$`, 'm'), 20_000);
    seen.push(m[0]);
    expect(m[0], erl.stdout + erl.stderr).toBe(`${tag} ${value}`);
  }
  return seen;
}

/** The erlmesh side's turn: rpc, link, monitor and send into BEAM (from `node`). */
async function jsTurn(node: Node): Promise<void> {
  expect(node.nodes()).toContain(E);
  expect(node.nodes('hidden')).not.toContain(E);
  expect(await node.rpc.call(E, 'erlang', 'node', [])).toBe(E);
  const spawned = await node.spawn(E, 'erlang', 'self', []);
  expect(spawned).toBeInstanceOf(Pid);
  expect(spawned.node).toBe(E);
  await expect(node.rpc.call(E, 'nosuch', 'f', [])).rejects.toMatchObject({ reason: ['EXIT', 'undef'] });
  const victim = await node.rpc.call(E, 'erlang', 'whereis', ['victim']);
  expect(victim).toBeInstanceOf(Pid);
  const seen = await node.run(async (self) => {
    self.trapExit(true);
    self.link(victim as Pid);
    const ref = self.monitor(victim as Pid);
    const byName = self.monitor(['victim', E]);
    self.exit(victim as Pid, 'kill');
    const exit = await self.receive((m) => Array.isArray(m) && m[0] === 'EXIT', 5_000);
    const down = await self.receive((m) => Array.isArray(m) && m[0] === 'DOWN' && ref.equals(m[1]), 5_000);
    const downByName = await self.receive((m) => Array.isArray(m) && m[0] === 'DOWN' && byName.equals(m[1]), 5_000);
    return { exit, down, downByName };
  });
  expect(seen.exit).toEqual(['EXIT', victim, 'killed']);
  expect((seen.down as unknown[])[4]).toBe('killed');
  expect(seen.downByName).toMatchObject(['DOWN', expect.anything(), 'process', ['victim', E], 'killed']);
  node.send(['erl_test', E], 'go');
}

describe.skipIf(!!missing)('an erlmesh server-node is an Erlang node (real erl, OTP 25)', () => {
  beforeAll(async () => {
    epmdPort = await startEpmd();
  });
  afterEach(stopErlNodes);
  afterAll(async () => {
    await killAll();
    await stopAll();
  });

  it('in-process: startNode({ beam }) answers ping, rpc, erpc, sends, spawns, links and monitors from erl, and reaches erl', async () => {
    const name = `js@${SHORT_HOST}`;
    const node = await startNode({ sname: 'js', cookie: COOKIE, transport: new MemoryNetwork().transport(), beam: { epmdPort, host: '127.0.0.1' }, logger: false });
    let stopped = false;
    try {
      const events: NodeEvent[] = [];
      node.monitorNodes((ev) => events.push(ev), { nodeType: 'all', nodedownReason: true });
      await node.rpc.call(name, 'kvs', 'start', []);
      const erl = new ErlNode('e', { cookie: COOKIE, epmdPort, script: script(name) });
      const lines = await expectLines(erl, beforeTurn(name, node.creation));
      await erl.waitFor(/^js_turn$/m);
      // A process here linked to and monitoring one on erl: noconnection when the connection goes.
      const keeper = (await node.rpc.call(E, 'erlang', 'whereis', ['keeper'])) as Pid;
      const { ready: isLinked, seen: watched } = linkAndMonitor(node, keeper);
      await isLinked;
      await jsTurn(node);
      // The observer's view of the connection (nodeStats().links): its socket's bytes; erlmesh counts no frames there.
      const beamLink = node.routes.linkStats().find((l) => l.peer === E)!;
      expect(beamLink).toMatchObject({ via: 'beam', bytesIn: expect.any(Number), bytesOut: expect.any(Number) });
      expect(Math.min(beamLink.bytesIn!, beamLink.bytesOut!)).toBeGreaterThan(0);
      lines.push(...(await expectLines(erl, [['go', 'go'], ['victim_alive', 'false']])));
      await erl.waitFor(/^monitoring$/m);
      // The connection ends (here by disconnect): both sides see noconnection.
      expect(node.disconnect(E)).toBe(true);
      expect(await watched).toEqual([['EXIT', keeper, 'noconnection'], 'noconnection']);
      await node.stop();
      stopped = true;
      lines.push(...(await expectLines(erl, [['down', 'noconnection'], ['link_down', 'noconnection'], ['visible_after', 'false']])));
      await erl.exited();
      console.log(`erl (in-process js node):\n${lines.join('\n')}`);
      expect(events[0]).toEqual(['nodeup', E, { nodeType: 'visible' }]);
      expect(events.at(-1)?.[0]).toBe('nodedown');
    } finally {
      if (!stopped) await node.stop();
    }
  }, 90_000);

  it('the CLI: erlmesh node --sname js --cookie C --beam --eval "kvs.start()", then killed: erl sees it all, and noconnection', async () => {
    const home = sandboxHome();
    const relayPort = await freePort();
    const env = { HOME: home, ERL_EPMD_PORT: String(epmdPort) };
    const relay = new ErlmeshProcess(['relay', '--port', String(relayPort), '--cookie', COOKIE], env);
    const url = (await relay.waitFor(/listening on (ws:\/\/\S+)/))[1]!;
    const js = new ErlmeshProcess(['node', '--sname', 'js', '--cookie', COOKIE, '--relay', url, '--beam', '--eval', 'kvs.start()'], env);
    const prompt = await js.prompt();
    const name = /\(([^)]+)\)\d+> /.exec(prompt[0])![1]!;
    expect(name).toBe(`js@${SHORT_HOST}`);
    const erl = new ErlNode('e', { cookie: COOKIE, epmdPort, script: script(name) });
    const creation = Number(await js.eval('node.creation'));
    const lines = await expectLines(erl, beforeTurn(name, creation));
    await erl.waitFor(/^js_turn$/m);
    // The erlmesh side, typed at its shell.
    expect(await js.eval('nodes()')).toBe(`['${E}']`);
    expect(await js.eval("nodes('hidden')")).toBe('[]');
    expect(await js.eval(`await rpc.call('${E}', 'erlang', 'node', [])`)).toBe(`'${E}'`);
    expect(await js.eval(`send(['erl_test', '${E}'], 'go')`)).toBe("'go'");
    lines.push(...(await expectLines(erl, [['go', 'go'], ['victim_alive', 'true']])));
    await erl.waitFor(/^monitoring$/m);
    js.kill('SIGKILL');
    await js.exited;
    lines.push(...(await expectLines(erl, [['down', 'noconnection'], ['link_down', 'noconnection'], ['visible_after', 'false']])));
    await erl.exited();
    console.log(`erl (erlmesh node --beam, killed with SIGKILL):\n${lines.join('\n')}`);
  }, 90_000);

  it('starts epmd as erl does when none answers (on ERL_EPMD_PORT), and says so by name when it may not', async () => {
    const port = await freePort();
    const transport = () => new MemoryNetwork().transport();
    await expect(startNode({ sname: 'nodaemon', cookie: COOKIE, transport: transport(), beam: { epmdPort: port, startEpmd: false }, logger: false })).rejects.toMatchObject({ code: 'epmd_unreachable' });
    const node = await startNode({ sname: 'daemon', cookie: COOKIE, transport: transport(), beam: { epmdPort: port }, logger: false });
    try {
      expect((await epmdNames({ port })).map((n) => n.name)).toEqual(['daemon']);
    } finally {
      await node.stop();
      // `epmd -daemon` detaches: stop it the way epmd is stopped (only this port's).
      await new Promise((resolve) => spawn(EPMD, ['-port', String(port), '-kill'], { stdio: 'ignore' }).once('exit', resolve));
    }
    await expect(epmdNames({ port, timeoutMs: 500 })).rejects.toMatchObject({ code: 'epmd_unreachable' });
  }, 30_000);

  it('refuses bad beam options by name, and a node without a name', async () => {
    const transport = new MemoryNetwork().transport();
    await expect(startNode({ sname: 'x', cookie: COOKIE, transport, beam: { epmdport: 1 } as never })).rejects.toMatchObject({ code: 'unknown_options' });
    await expect(startNode({ sname: 'x', cookie: COOKIE, transport, beam: 'yes' as never })).rejects.toMatchObject({ code: 'badarg' });
    await expect(startNode({ beam: true, logger: false })).rejects.toMatchObject({ code: 'distribution_not_started' });
  });
});
