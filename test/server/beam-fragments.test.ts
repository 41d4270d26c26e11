/**
 * The distribution header from real erl (issue 14): with DFLAG_DIST_HDR_ATOM_CACHE and
 * DFLAG_FRAGMENTS offered, OTP 25 writes its atoms as references to the header's atom cache and
 * sends a large message in fragments (src/server/beam/dist-header.ts) — once the connection is
 * up: a message that sets the connection up is encoded before the flags are known, whole. A term of every kind that
 * carries atoms (pids, refs, ports, funs with free variables, exports, maps) and over 1 MB,
 * sent by erl, is put together and decoded here, and re-encoded it gives back erl's own
 * `term_to_binary(T, [{minor_version, 2}])` byte for byte (compared by MD5); then stored in
 * kvs through rpc and looked up again it is `=:=` on erl.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeEtf } from '../../src/core/etf/writer.js';
import { MemoryNetwork } from '../../src/core/testing/memory-network.js';
import { listenBeam } from '../../src/server/beam/beam-node.js';
import type { BeamConnection } from '../../src/server/beam/connection.js';
import { decodeDistFrame } from '../../src/server/beam/dist-frame.js';
import { startNode } from '../../src/server/start-node.js';
import { beamMissing, ErlNode, SHORT_HOST, startEpmd, stopAll } from '../support/beam.js';

const missing = beamMissing();
const COOKIE = 'beam-fragments-cookie';

/** An Erlang expression for a term over 1 MB with atoms everywhere a cache reference can go. */
const BIG = [
  `Y = 7, `,
  `Big = {lists:seq(1, 100000), [list_to_atom("atom_" ++ integer_to_list(I)) || I <- lists:seq(1, 600)],`,
  ` binary:copy(<<"x">>, 700000), self(), make_ref(), hd(erlang:ports()), fun erlang:node/0,`,
  ` fun(X) -> {X, Y, self_atom} end, #{key => [v1, v2], <<"k">> => {a, b}}, [{N, node()} || N <- lists:seq(1, 2000)]}`,
].join('');

describe.skipIf(!!missing)('the distribution header and fragments, from real erl', () => {
  let epmdPort: number;
  beforeAll(async () => {
    epmdPort = await startEpmd();
  });
  afterAll(stopAll);

  it('a fragmented message with atom cache references is put together and decodes to what erl sent, byte for byte', async () => {
    const js = await listenBeam({ name: `jsf@${SHORT_HOST}`, cookie: COOKIE, epmdPort, host: '127.0.0.1' });
    try {
      const got = new Promise<{ c: BeamConnection; message: unknown }>((resolve) =>
        js.onConnection((c) =>
          c.onFrame((f) => {
            const { control, message } = decodeDistFrame(f);
            if (Array.isArray(control) && control[0] === 6 && control[3] === 'inbox') resolve({ c, message });
          }),
        ),
      );
      const erl = new ErlNode('ef', {
        cookie: COOKIE,
        epmdPort,
        script: `${BIG}, io:format("md5 ~s~n", [binary:encode_hex(erlang:md5(term_to_binary(Big, [{minor_version, 2}])))]), io:format("size ~p~n", [byte_size(term_to_binary(Big))]), true = net_kernel:connect_node('${js.name}'), {inbox, '${js.name}'} ! Big, receive stop -> ok after 20000 -> ok end, halt()`,
      });
      const md5 = (await erl.waitFor(/^md5 (\w+)$/m))[1];
      const size = Number((await erl.waitFor(/^size (\d+)$/m))[1]);
      const { c, message } = await got;
      expect(size).toBeGreaterThan(1_000_000);
      expect(c.fragmentedIn).toBeGreaterThan(0);
      expect(createHash('md5').update(encodeEtf(message)).digest('hex').toUpperCase()).toBe(md5);
      console.log(`erl's term: ${size} bytes, ${c.fragmentedIn} fragmented message(s), re-encoded MD5 ${md5}`);
    } finally {
      await js.close();
    }
  }, 60_000);

  it('the same term stored in kvs by rpc and looked up is =:= on erl', async () => {
    const node = await startNode({ sname: 'jsk', cookie: COOKIE, transport: new MemoryNetwork().transport(), beam: { epmdPort, host: '127.0.0.1' }, logger: false });
    try {
      await node.rpc.call(node.name, 'kvs', 'start', []);
      const erl = new ErlNode('ek', {
        cookie: COOKIE,
        epmdPort,
        script: `JS = '${node.name}', pong = net_adm:ping(JS), ${BIG}, io:format("store ~p~n", [rpc:call(JS, kvs, store, [big, Big])]), io:format("same ~p~n", [rpc:call(JS, kvs, lookup, [big]) =:= {ok, Big}]), halt()`,
      });
      expect((await erl.waitFor(/^store (.*)$/m))[1], erl.stdout + erl.stderr).toBe('true');
      expect((await erl.waitFor(/^same (.*)$/m))[1], erl.stdout + erl.stderr).toBe('true');
    } finally {
      await node.stop();
    }
  }, 60_000);
});
