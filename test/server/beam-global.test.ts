/**
 * A visible erlmesh node among real erl nodes (issue 14): it is in erl's `nodes()`, and erl's
 * `global` treats it as a synced peer — `global:sync()`, `register_name`, `whereis_name`,
 * `trans` return — through the stand-in `global_name_server` (src/server/beam/global-stand-in.ts).
 * erlmesh lists erl in `nodes()` too, while its own global keeps working among erlmesh nodes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryNetwork } from '../../src/core/testing/memory-network.js';
import { startNode } from '../../src/server/start-node.js';
import { beamMissing, ErlNode, startEpmd, stopAll } from '../support/beam.js';

const missing = beamMissing();
const COOKIE = 'beam-global-cookie';

/** erl's script: connect, then run global's calls, each printed on its own line (bounded by `timeout`). */
function script(js: string, tail = ''): string {
  const step = (tag: string, expr: string): string =>
    `Self = self(), spawn(fun() -> Self ! {${tag}, (${expr})} end), io:format("${tag} ~p~n", [receive {${tag}, V_${tag}} -> V_${tag} after 10000 -> timeout end])`;
  return [
    `JS = '${js}'`,
    `io:format("ping ~p~n", [net_adm:ping(JS)])`,
    `io:format("visible ~p~n", [lists:member(JS, nodes())])`,
    step('sync', 'global:sync()'),
    step('register', 'global:register_name(erl_name, Self)'),
    step('where', 'global:whereis_name(erl_name) =:= Self'),
    step('trans', 'global:trans({res, Self}, fun() -> done end)'),
    step('unregister', 'global:unregister_name(erl_name)'),
    tail,
    'halt()',
  ]
    .filter((s) => s !== '')
    .join(', ');
}

describe.skipIf(!!missing)('a visible erlmesh node and BEAM’s global', () => {
  let epmdPort: number;
  beforeAll(async () => {
    epmdPort = await startEpmd();
  });
  afterAll(stopAll);

  it("erl lists it in nodes(); global:sync, register_name, whereis_name, trans and unregister_name return", async () => {
    const net = new MemoryNetwork();
    const js = await startNode({ sname: 'jsg', cookie: COOKIE, transport: net.transport(), beam: { epmdPort, host: '127.0.0.1' }, logger: false });
    const other = await startNode({ sname: 'jsg2', cookie: COOKIE, transport: net.transport(), logger: false });
    try {
      const erl = new ErlNode('eg', { cookie: COOKIE, epmdPort, script: script(js.name) });
      const expected: [string, string][] = [
        ['ping', 'pong'],
        ['visible', 'true'],
        ['sync', 'ok'],
        ['register', 'yes'],
        ['where', 'true'],
        ['trans', 'done'],
        ['unregister', 'ok'],
      ];
      const lines: string[] = [];
      for (const [tag, value] of expected) {
        const m = await erl.waitFor(new RegExp(`^${tag} (.*)$`, 'm'));
        lines.push(m[0]);
        expect(m[1], erl.stdout + erl.stderr).toBe(value);
      }
      await erl.exited();
      console.log(`erl:\n${lines.join('\n')}`);
      // erlmesh's own global still runs among erlmesh nodes, with the erl node left out.
      await js.ping(other.name);
      expect(await js.global.registerName('js_name', js.spawn(async (self) => void (await self.receive(() => true, Infinity))))).toBe('yes');
      expect(other.global.whereisName('js_name')?.node).toBe(js.name);
    } finally {
      await other.stop();
      await js.stop();
    }
  }, 60_000);

  it('two erl nodes in one cluster: js joins through one, the other connects to it by itself and global:sync returns on both', async () => {
    const js = await startNode({ sname: 'js3', cookie: COOKIE, transport: new MemoryNetwork().transport(), beam: { epmdPort, host: '127.0.0.1' }, logger: false });
    try {
      const wait = `W = fun Wt(0) -> timeout; Wt(N) -> case lists:member('${js.name}', nodes()) of true -> ok; false -> timer:sleep(50), Wt(N - 1) end end`;
      const e2 = new ErlNode('eg2', {
        cookie: COOKIE,
        epmdPort,
        script: `${wait}, io:format("e2wait ~p~n", [W(200)]), io:format("e2sync ~p~n", [global:sync()]), io:format("e2where ~p~n", [is_pid(global:whereis_name(n1))]), io:format("e2nodes ~p~n", [lists:sort(nodes())]), receive _ -> ok after 10000 -> ok end, halt()`,
      });
      await e2.waitFor(/os_pid/);
      const e1 = new ErlNode('eg1', {
        cookie: COOKIE,
        epmdPort,
        script: `pong = net_adm:ping('${e2.name}'), ok = global:sync(), io:format("ping ~p~n", [net_adm:ping('${js.name}')]), io:format("e1sync ~p~n", [global:sync()]), io:format("reg ~p~n", [global:register_name(n1, self())]), receive _ -> ok after 10000 -> ok end, halt()`,
      });
      for (const [node, tag, value] of [
        [e1, 'ping', 'pong'],
        [e1, 'e1sync', 'ok'],
        [e1, 'reg', 'yes'],
        [e2, 'e2wait', 'ok'],
        [e2, 'e2sync', 'ok'],
        [e2, 'e2where', 'true'],
        [e2, 'e2nodes', `[${e1.name},${js.name}]`],
      ] as const) {
        expect((await node.waitFor(new RegExp(`^${tag} (.*)$`, 'm')))[1], node.stdout + node.stderr).toBe(value);
      }
      expect(js.nodes().sort()).toEqual([e1.name, e2.name].sort());
    } finally {
      await js.stop();
    }
  }, 60_000);

  it("erlmesh lists erl in nodes() while connected; hidden: true keeps it out of erl's nodes(); an erl -hidden stays hidden", async () => {
    const js = await startNode({ sname: 'jsv', cookie: COOKIE, transport: new MemoryNetwork().transport(), beam: { epmdPort, host: '127.0.0.1' }, logger: false });
    const hid = await startNode({ sname: 'jsh', cookie: COOKIE, transport: new MemoryNetwork().transport(), beam: { epmdPort, host: '127.0.0.1', hidden: true }, logger: false });
    try {
      const erl = new ErlNode('ev', {
        cookie: COOKIE,
        epmdPort,
        script: `pong = net_adm:ping('${js.name}'), pong = net_adm:ping('${hid.name}'), io:format("nodes ~p~n", [nodes()]), io:format("hidden ~p~n", [nodes(hidden)]), io:format("sync ~p~n", [global:sync()]), receive stop -> ok after 30000 -> ok end, halt()`,
      });
      expect((await erl.waitFor(/^nodes (.*)$/m))[1]).toBe(`[${js.name}]`);
      expect((await erl.waitFor(/^hidden (.*)$/m))[1]).toBe(`[${hid.name}]`);
      expect((await erl.waitFor(/^sync (.*)$/m))[1]).toBe('ok');
      expect(js.nodes()).toEqual([erl.name]);
      expect(hid.nodes()).toEqual([]);
      expect(hid.nodes('hidden')).toEqual([erl.name]);
      // An erl started -hidden: a hidden connection either way, and no global exchange with it.
      const hiddenErl = new ErlNode('eh', {
        cookie: COOKIE,
        epmdPort,
        args: ['-hidden'],
        script: `pong = net_adm:ping('${js.name}'), io:format("nodes ~p~n", [nodes()]), io:format("hidden ~p~n", [nodes(hidden)]), io:format("sync ~p~n", [global:sync()]), halt()`,
      });
      expect((await hiddenErl.waitFor(/^nodes (.*)$/m))[1]).toBe('[]');
      expect((await hiddenErl.waitFor(/^hidden (.*)$/m))[1]).toBe(`[${js.name}]`);
      expect((await hiddenErl.waitFor(/^sync (.*)$/m))[1]).toBe('ok');
      await hiddenErl.exited();
      const down = new Promise<unknown>((resolve) => js.monitorNodes((ev) => ev[0] === 'nodedown' && resolve(ev)));
      await erl.stop();
      expect(await down).toEqual(['nodedown', erl.name]);
      expect(js.nodes()).toEqual([]);
    } finally {
      await hid.stop();
      await js.stop();
    }
  }, 60_000);
});

