/**
 * The book's name server (Programming Erlang, ch. 14):
 *
 * ```erlang
 * start() -> register(kvs, spawn(fun() -> loop() end)).
 * store(Key, Value) -> rpc({store, Key, Value}).
 * lookup(Key) -> rpc({lookup, Key}).
 * rpc(Q) -> kvs ! {self(), Q}, receive {kvs, Reply} -> Reply end.
 * loop() -> receive
 *     {From, {store, Key, Value}} -> put(Key, {ok, Value}), From ! {kvs, true}, loop();
 *     {From, {lookup, Key}} -> From ! {kvs, get(Key)}, loop()
 *   end.
 * ```
 *
 * `start()` → true (a second start throws badarg, as register does); `store(k, v)` → true;
 * `lookup(k)` → `['ok', v]` or `undefined`. Keys are compared structurally (a tuple key works).
 * Calling store/lookup where kvs was never started throws badarg (sending to an unregistered name).
 */
import { encodeTerm } from '../codec/superjson.js';
import { defineModule } from '../modules/module.js';
import type { ProcessContext } from '../process/context.js';

/**
 * The process dictionary of the loop: keys compared as terms. A string key (the common case,
 * an atom) is its own Map key; any other key is keyed by its superjson text, in a Map of its
 * own so that the two kinds never collide.
 */
class TermDict {
  private readonly strings = new Map<string, unknown>();
  private readonly others = new Map<string, unknown>();
  put(k: unknown, v: unknown): void {
    if (typeof k === 'string') this.strings.set(k, v);
    else this.others.set(encodeTerm(k), v);
  }
  get(k: unknown): unknown {
    return typeof k === 'string' ? this.strings.get(k) : this.others.get(encodeTerm(k));
  }
}

async function loop(self: ProcessContext): Promise<void> {
  const dict = new TermDict();
  for (;;) {
    const m = (await self.receive()) as [unknown, unknown[]];
    if (!Array.isArray(m) || !Array.isArray(m[1])) continue;
    const [from, q] = m;
    if (q[0] === 'store') {
      dict.put(q[1], ['ok', q[2]]);
      self.send(from as never, ['kvs', true]);
    } else if (q[0] === 'lookup') {
      self.send(from as never, ['kvs', dict.get(q[1])]);
    }
  }
}

async function rpc(self: ProcessContext, q: unknown[]): Promise<unknown> {
  self.send('kvs', [self.pid, q]);
  const reply = (await self.receive((m) => Array.isArray(m) && m[0] === 'kvs' && m.length === 2)) as [string, unknown];
  return reply[1];
}

/**
 * The book's kvs (Programming Erlang, ch. 14): a registered key-value server, started with
 * `kvs.start()` and used by rpc from any node.
 *
 * @example
 * await node.rpc.call('gandalf@myhost', 'kvs', 'start', []);                    // true
 * await node.rpc.call('gandalf@myhost', 'kvs', 'store', ['weather', 'fine']);   // true
 * await node.rpc.call('gandalf@myhost', 'kvs', 'lookup', ['weather']);          // ['ok', 'fine']
 */
export const kvs = defineModule('kvs', {
  start: (self) => self.node.register('kvs', self.spawn(loop)),
  store: (self, key: unknown, value: unknown) => rpc(self, ['store', key, value]),
  lookup: (self, key: unknown) => rpc(self, ['lookup', key]),
  /** The server loop itself, unregistered (as `spawn(Node, kvs, loop, [])` from Erlang). */
  loop,
});
