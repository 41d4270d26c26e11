/**
 * The book's kvs (Programming Erlang ch. 14, `book/kvs.ts`) written as a gen server, the
 * way it would be in OTP:
 *
 * ```erlang
 * start() -> gen_server:start({local, kvs_server}, kvs_server, [], []).
 * store(Key, Value) -> gen_server:call(kvs_server, {store, Key, Value}).
 * lookup(Key) -> gen_server:call(kvs_server, {lookup, Key}).
 * init([]) -> {ok, #{}}.
 * handle_call({store, K, V}, _From, D) -> {reply, true, D#{K => {ok, V}}};
 * handle_call({lookup, K}, _From, D) -> {reply, maps:get(K, D, undefined), D}.
 * ```
 *
 * Same results as the plain-process kvs: `store(k, v)` → true, `lookup(k)` → `['ok', v]` or
 * `undefined` (keys compared structurally). `start()` → `['ok', pid]`, a second start →
 * `['error', ['already_started', pid]]`. store/lookup where the server is not running reject
 * with a CallError code 'noproc' (Erlang: exit `{noproc, {gen_server, call, …}}`).
 *
 * @example
 * node.load(kvsServer);                                               // on every node using it
 * await b.rpc.call(a.name, 'kvs_server', 'start', []);               // ['ok', pid]
 * await b.rpc.call(a.name, 'kvs_server', 'store', ['weather', 'fine']); // true
 * await b.rpc.call(a.name, 'kvs_server', 'lookup', ['weather']);      // ['ok', 'fine']
 * await genServer.call(b, ['kvs_server', a.name], ['lookup', 'weather']); // ['ok', 'fine']
 */
import { defineGenServer, genServer } from '../behaviours/index.js';
import { encodeTerm } from '../codec/superjson.js';

type Dict = Map<string, ['ok', unknown]>;
type Request = ['store', unknown, unknown] | ['lookup', unknown];

/**
 * The `kvs_server` module (loaded on every node): the book's kvs as a gen server.
 *
 * @example
 * await node.rpc.call('a@host', 'kvs_server', 'start', []);                  // ['ok', pid]
 * await node.rpc.call('a@host', 'kvs_server', 'store', ['weather', 'fine']); // true
 */
export const kvsServer = defineGenServer<Dict>(
  'kvs_server',
  {
    init: () => ['ok', new Map()],
    handleCall: (_self, req: Request, _from, dict) => {
      if (req[0] === 'store') {
        dict.set(encodeTerm(req[1]), ['ok', req[2]]);
        return ['reply', true, dict];
      }
      return ['reply', dict.get(encodeTerm(req[1])), dict];
    },
  },
  {
    start: (self) => genServer.start(self, 'kvs_server', [], { name: 'kvs_server' }),
    store: (self, key: unknown, value: unknown) => genServer.call(self, 'kvs_server', ['store', key, value]),
    lookup: (self, key: unknown) => genServer.call(self, 'kvs_server', ['lookup', key]),
  },
);
