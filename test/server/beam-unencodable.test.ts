/**
 * Issue 14: what has no Erlang form, against real erl (OTP 25). A message fails at the sender
 * with a named error and nothing is sent (`not_etf_encodable`, `atom_limit`), as erlmesh's own
 * sends throw `badarg`; an rpc result with none still answers the caller: old-style rpc (rex)
 * with `{badrpc, {'EXIT', {unencodable, Why}}}`; OTP 25's rpc:call and erpc:call, whose result
 * is execute_call's exit reason `{Ref, return, Value}`, get that reason replaced as any
 * reason with no form is, `{unencodable, <<"a reason with no Erlang form">>}`: rpc:call
 * answers `{badrpc, {'EXIT', …}}`, erpc:call exits `{signal, …}`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineModule } from '../../src/core/modules/module.js';
import { MemoryNetwork } from '../../src/core/testing/memory-network.js';
import { list } from '../../src/core/terms/beam-list.js';
import { startNode } from '../../src/server/start-node.js';
import { beamMissing, ErlNode, SHORT_HOST, startEpmd, stopAll } from '../support/beam.js';

const missing = beamMissing();
const COOKIE = 'beam-unencodable-cookie';
const JS = `js@${SHORT_HOST}`;
const E = `e@${SHORT_HOST}`;

const jsmod = defineModule('jsmod', {
  set: () => new Set([1]),
  fine: () => 'fine',
});

const SCRIPT = [
  `JS = '${JS}'`,
  `W = fun(Tag, V) -> io:format("~s ~s~n", [Tag, io_lib:print(V, 1, 100000, -1)]) end`,
  `register(erl_test, self())`,
  `W(ping, net_adm:ping(JS))`,
  `W(first, receive M -> M after 15000 -> timeout end)`,
  `W(rex_set, gen_server:call({rex, JS}, {call, jsmod, set, [], group_leader()}, 5000))`,
  `W(rex_fine, gen_server:call({rex, JS}, {call, jsmod, fine, [], group_leader()}, 5000))`,
  `W(rpc_set, rpc:call(JS, jsmod, set, [], 5000))`,
  `W(erpc_set, catch erpc:call(JS, jsmod, set, [], 5000))`,
  `halt()`,
].join(', ');

describe.skipIf(!!missing)('BEAM: a message with no Erlang form fails at the sender; an rpc result with none still answers', () => {
  let epmdPort: number;
  beforeAll(async () => {
    epmdPort = await startEpmd();
  });
  afterAll(stopAll);

  it('send throws not_etf_encodable / atom_limit and erl gets only what could be sent; rex answers badrpc', async () => {
    const node = await startNode({ sname: 'js', cookie: COOKIE, transport: new MemoryNetwork().transport(), beam: { epmdPort, host: '127.0.0.1' }, modules: [jsmod], logger: false });
    try {
      const erl = new ErlNode('e', { cookie: COOKIE, epmdPort, script: SCRIPT });
      await erl.waitFor(/^ping pong$/m);
      const codes = await node.run(async (self) => {
        const codeOf = (msg: unknown): unknown => {
          try {
            self.send(['erl_test', E], msg);
            return 'sent';
          } catch (e) {
            return (e as { code?: unknown }).code;
          }
        };
        const atoms = list(Array.from({ length: 10_001 }, (_, i) => `atom_${i}`));
        const out = [codeOf(['set', new Set([1])]), codeOf(['date', new Date(0)]), codeOf(atoms)];
        self.send(['erl_test', E], 'after');
        return out;
      });
      expect(codes).toEqual(['not_etf_encodable', 'not_etf_encodable', 'atom_limit']);
      const lines: string[] = [];
      for (const [tag, value] of [
        ['first', "'after'"],
        ['rex_set', /^\{badrpc,\{'EXIT',\{unencodable,<<"an instance of Set has no Erlang form[^"]*">>\}\}\}$/],
        ['rex_fine', 'fine'],
        // OTP 25's rpc:call is erpc: the result is execute_call's exit reason, which has no form either
        ['rpc_set', /^\{badrpc,\{'EXIT',\{unencodable,<<"a reason with no Erlang form">>\}\}\}$/],
        ['erpc_set', /^\{'EXIT',\{signal,\{unencodable,<<"a reason with no Erlang form">>\}\}\}$/],
      ] as const) {
        const m = await erl.waitFor(new RegExp(`^${tag} (.*)$`, 'm'));
        lines.push(m[0]);
        if (typeof value === 'string') expect(m[1], erl.stdout + erl.stderr).toBe(value);
        else expect(m[1], erl.stdout + erl.stderr).toMatch(value);
      }
      await erl.exited();
      console.log(`erl:\n${lines.join('\n')}`);
    } finally {
      await node.stop();
    }
  }, 60_000);
});
