/**
 * `enterLoop` (Erlang's gen_server:enter_loop): a process that has set itself up becomes a
 * gen_server, with a callback module given as a module (called directly, loaded or not) or by
 * the name of a loaded one.
 */
import { describe, expect } from 'vitest';
import { it } from '../../fixtures.js';
import { eventually } from '../../support/cluster.js';
import { defineGenServer, enterLoop, genServer } from '../../../src/core/behaviours/index.js';
import { CallError, type Node } from '../../../src/core/index.js';

const adder = defineGenServer<number, number>('adder_unloaded', {
  init: (_self, n) => ['ok', n],
  handleCall: (_self, req, _from, n) => (req === 'get' ? ['reply', n, n] : ['stop', 'bad_call', n]),
  handleCast: (_self, k: number, n) => ['noreply', n + k],
});

/** Spawn a process that registers `name` and enters the loop; resolves once it is registered. */
async function enter(node: Node, name: string, module: string | typeof adder, state: number): Promise<void> {
  node.spawn((self) => {
    self.register(name);
    return enterLoop(self, module, state, name);
  });
  await eventually(() => node.whereis(name) !== undefined);
}

describe('enterLoop', () => {
  it('runs a module that is not loaded on the node: calls, casts, a stop with the report', async ({ cluster: c }) => {
    const [a] = await c.startNodes('a');
    expect(a.module('adder_unloaded')).toBeUndefined();
    await enter(a, 'adder', adder, 40);
    genServer.cast(a, 'adder', 2);
    expect(await genServer.call(a, 'adder', 'get')).toBe(42);
    const e: unknown = await genServer.call(a, 'adder', 'other').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CallError);
    expect([(e as CallError).code, (e as CallError).reason]).toEqual(['server_exit', 'bad_call']);
    await eventually(() => c.output(a).includes("** Generic server 'adder' terminating"));
    expect(c.output(a)).toContain('** When Server state == 42');
  });

  it('runs a loaded module given by name', async ({ cluster: c }) => {
    const [a] = await c.startNodes('a');
    a.load(defineGenServer('adder_loaded', adder.functions as never));
    await enter(a, 'adder2', 'adder_loaded', 1);
    genServer.cast(a, 'adder2', 1);
    expect(await genServer.call(a, ['adder2', a.name], 'get')).toBe(2);
    await genServer.stop(a, 'adder2');
    expect(a.whereis('adder2')).toBeUndefined();
  });
});
