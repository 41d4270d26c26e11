/**
 * `self.send(dest, msg, { noconnect: true })`, Erlang's `erlang:send(Dest, Msg, [noconnect])`:
 * a message to a node that is not connected is dropped and no connection is set up; a local
 * destination and a connected node are not affected. The frame names the sending process
 * either way (a `reg_send` always carries its sender, as Erlang's REG_SEND). `node.send` and
 * the services' `host.send` take the same option (one BIF).
 */
import { describe, expect } from 'vitest';
import { it } from '../../fixtures.js';
import type { TestCluster } from '../../support/cluster.js';
import { recorder, runIn } from '../../support/in-process.js';
import { decodeWireFrame } from '../../../src/core/net/encodings.js';
import { Pid, type Node } from '../../../src/core/index.js';

const settle = (ms = 20): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The `reg_send` frames sent on the network from now on: [fromNode, toNode, frame.from, msg]. */
function tapRegSends(c: TestCluster): { seen: Array<[string, string, unknown, unknown]>; stop(): void } {
  const seen: Array<[string, string, unknown, unknown]> = [];
  const stop = c.net.tap((from, to, f) => {
    for (const fr of decodeWireFrame(f) as Array<{ t: string; from?: unknown; to?: unknown; msg?: unknown }>) {
      if (fr.t === 'reg_send' && fr.to === 'probe') seen.push([from, to, fr.from, fr.msg]);
    }
  });
  return { seen, stop };
}

/** A process registered as `probe` on `n` that records what it gets. */
function probe(n: Node): unknown[] {
  const r = recorder(n, (self) => self.register('probe'));
  return r.got;
}

describe('send with noconnect', () => {
  it('self.send to a node that is not connected drops the message and sets up no connection', async ({ cluster: c }) => {
    const [a, b] = await c.startNodes('a', 'b');
    const got = probe(b);
    const sent: unknown[] = [];
    a.spawn((self) => {
      sent.push(self.send(['probe', b.name], ['hello', 1], { noconnect: true }));
      sent.push(self.send(b.whereis('probe')!, ['hello', 2], { noconnect: true }));
    });
    await settle();
    expect(sent).toEqual(['noconnect', 'noconnect']); // as erlang:send/3
    expect(a.nodes('connected')).toEqual([]);
    expect(b.nodes('connected')).toEqual([]);
    expect(got).toEqual([]);
  });

  it('node.send and the service host drop it too; without the option the connection is set up', async ({ cluster: c }) => {
    const [a, b] = await c.startNodes('a', 'b');
    const got = probe(b);
    expect(a.send(['probe', b.name], 'n1', { noconnect: true })).toBe('noconnect');
    a.host.send(['probe', b.name], 'h1', { noconnect: true });
    await settle();
    expect(a.nodes('connected')).toEqual([]);
    a.send(['probe', b.name], 'plain');
    await settle(50);
    expect(a.nodes()).toEqual([b.name]);
    expect(got).toEqual(['plain']);
  });

  it('over an existing connection, and locally, the message goes; the reg_send names the sending process', async ({ cluster: c }) => {
    const [a, b] = await c.startNodes('a', 'b');
    const gotB = probe(b);
    const gotA = probe(a);
    expect(await a.ping(b.name)).toBe('pong');
    const t = tapRegSends(c);
    const [sender, answers] = await runIn(a, (self) => {
      const r = [
        self.send(['probe', b.name], 'remote', { noconnect: true }),
        self.send('probe', 'local', { noconnect: true }),
        self.send(['probe', a.name], 'local by name', { noconnect: true }),
      ];
      return [self.pid, r] as const;
    });
    expect(answers).toEqual(['ok', 'ok', 'ok']);
    expect(a.send(['probe', b.name], 'from outside', { noconnect: true })).toBe('ok');
    await settle();
    t.stop();
    expect(gotB).toEqual(['remote', 'from outside']);
    expect(gotA).toEqual(['local', 'local by name']);
    expect(t.seen.map(([f, to, , msg]) => [f, to, msg])).toEqual([
      [a.name, b.name, 'remote'],
      [a.name, b.name, 'from outside'],
    ]);
    expect(t.seen[0]![2]).toBeInstanceOf(Pid);
    expect((t.seen[0]![2] as Pid).equals(sender)).toBe(true);
    expect(t.seen[1]![2]).toBeUndefined(); // from outside any process: no sender
  });

  it('a bad message or an unregistered name throws badarg, as send/2; so do options other than { noconnect?: boolean }', async ({ cluster: c }) => {
    const [a] = await c.startNodes('a');
    const errors: unknown[] = [];
    a.spawn((self) => {
      try {
        self.send('nobody', 'x', { noconnect: true });
      } catch (e) {
        errors.push((e as { code?: unknown }).code);
      }
      try {
        self.send(['probe', 'z@vm'], () => 1, { noconnect: true });
      } catch (e) {
        errors.push((e as { code?: unknown }).code);
      }
      for (const opts of [null, 'noconnect', { nosuspend: true }, { noconnect: 1 }]) {
        try {
          self.send(['probe', 'z@vm'], 'x', opts as never);
        } catch (e) {
          errors.push((e as { code?: unknown }).code);
        }
      }
    });
    await settle();
    expect(errors).toEqual(['badarg', 'badarg', 'badarg', 'badarg', 'badarg', 'badarg']);
    expect(a.nodes('connected')).toEqual([]);
  });
});
