/**
 * rex's plain messages, as OTP 25's rpc.erl handles them, against real erl: rpc's probe
 * `{From, features_request}` is answered `{features_reply, Node, [erpc]}` (OTP's rex answers
 * exactly this), and the hidden-C-node form `{From, {call, M, F, A, GL}}` with `{rex, Result}`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryNetwork } from '../../src/core/testing/memory-network.js';
import { startNode } from '../../src/server/start-node.js';
import { beamMissing, ErlNode, SHORT_HOST, startEpmd, stopAll } from '../support/beam.js';

const missing = beamMissing();
const COOKIE = 'beam-rex-cookie';
const JS = `js@${SHORT_HOST}`;

const SCRIPT = [
  `JS = '${JS}'`,
  `W = fun(Tag, V) -> io:format("~s ~w~n", [Tag, V]) end`,
  `W(ping, net_adm:ping(JS))`,
  `{rex, JS} ! {self(), features_request}`,
  `W(features, receive {features_reply, _, _} = F -> F after 5000 -> timeout end)`,
  `{rex, JS} ! {self(), {call, erlang, node, [], group_leader()}}`,
  `W(call, receive {rex, R} -> R after 5000 -> timeout end)`,
  `halt()`,
].join(', ');

describe.skipIf(!!missing)("rex's plain messages", () => {
  let epmdPort: number;
  beforeAll(async () => {
    epmdPort = await startEpmd();
  });
  afterAll(stopAll);

  it('features_request → {features_reply, Node, [erpc]}; {From, {call, …}} → {rex, Result}', async () => {
    const node = await startNode({ sname: 'js', cookie: COOKIE, transport: new MemoryNetwork().transport(), beam: { epmdPort, host: '127.0.0.1' }, logger: false });
    try {
      const erl = new ErlNode('e', { cookie: COOKIE, epmdPort, script: SCRIPT });
      const lines: string[] = [];
      for (const [tag, value] of [
        ['ping', 'pong'],
        ['features', `{features_reply,${JS},[erpc]}`],
        ['call', JS],
      ]) {
        const m = await erl.waitFor(new RegExp(`^${tag} (.*)$`, 'm'));
        lines.push(m[0]);
        expect(m[1], erl.stdout + erl.stderr).toBe(value);
      }
      await erl.exited();
      console.log(`erl:\n${lines.join('\n')}`);
    } finally {
      await node.stop();
    }
  }, 60_000);
});
