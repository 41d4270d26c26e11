/**
 * The mailbox limit (`self.setMaxMailbox`): a full mailbox drops new messages, counts them
 * (`node.processInfo(pid).messagesDropped`), queues ONE `['mailbox_overflow', pid, dropped]`
 * notice past the limit, and notices again only after draining below the limit. Never silent.
 */
import { describe, expect, afterEach } from 'vitest';
import { it } from '../../fixtures.js';
import { thrownCode } from '../../support/errors.js';
import { Mailbox, TIMEOUT } from '../../../src/core/process/mailbox.js';
import { SimulatedClock } from '../../../src/core/testing/simulated-clock.js';
import { type Node, Pid, type ProcessContext, startNode } from '../../../src/core/index.js';
import { connect, flushUntil } from '../../support/simulated-time.js';

/** A process that sets up and then waits to be told to take messages. */
async function holder(n: Node, max: number): Promise<{ pid: Pid; self: ProcessContext }> {
  let resolve!: (s: ProcessContext) => void;
  const ready = new Promise<ProcessContext>((r) => (resolve = r));
  const pid = n.spawn(async (self) => {
    self.setMaxMailbox(max);
    resolve(self);
    await new Promise(() => {}); // never receives on its own: the test takes messages
  });
  return { pid, self: await ready };
}

const take = async (self: ProcessContext): Promise<unknown> => self.receive(undefined, 0);

describe('mailbox limit', () => {
  let node: Node;
  afterEach(async () => node?.stop());

  it('drops past the limit, queues one overflow notice, and counts every drop', async () => {
    node = await startNode({ output: false, logger: false });
    const { pid, self } = await holder(node, 3);
    for (let i = 1; i <= 6; i++) node.send(pid, i);
    expect(self.flush()).toEqual([1, 2, 3, ['mailbox_overflow', pid, 1]]);
    expect(node.processInfo(pid)).toMatchObject({ messageQueueLen: 0, messagesDropped: 3, maxMailbox: 3 });
  });

  it('notices again only after the queue has gone below the limit, with the running count', async () => {
    node = await startNode({ output: false, logger: false });
    const { pid, self } = await holder(node, 3);
    for (let i = 1; i <= 5; i++) node.send(pid, i); // 1 2 3 queued, 4 dropped (notice: 1 so far), 5 dropped
    expect(node.processInfo(pid)).toMatchObject({ messageQueueLen: 4, messagesDropped: 2 });
    expect(await take(self)).toBe(1); // 3 queued (2, 3, notice): still at the limit
    node.send(pid, 6); // dropped, no second notice
    expect(node.processInfo(pid)).toMatchObject({ messageQueueLen: 3, messagesDropped: 3 });
    expect(await take(self)).toBe(2); // below the limit now
    node.send(pid, 7); // queued: 3, notice, 7
    node.send(pid, 8); // dropped: a new notice
    expect(self.flush()).toEqual([3, ['mailbox_overflow', pid, 1], 7, ['mailbox_overflow', pid, 4]]);
    expect(node.processInfo(pid)?.messagesDropped).toBe(4);
  });

  it('a message that finds a receive waiting for it is never dropped', async () => {
    node = await startNode({ output: false, logger: false });
    const got: unknown[] = [];
    const pid = node.spawn(async (self) => {
      self.setMaxMailbox(1);
      got.push(await self.receive((m) => m === 'wanted'));
      got.push(self.flush());
    });
    await new Promise((r) => setTimeout(r, 0));
    node.send(pid, 'a'); // queued (1)
    node.send(pid, 'b'); // dropped, notice queued
    node.send(pid, 'wanted'); // the waiting receive takes it
    await node.exitReason(pid);
    expect(got).toEqual(['wanted', ['a', ['mailbox_overflow', pid, 1]]]);
  });

  it('applies to messages from other nodes and to system messages (EXIT) alike', async ({ clock, simCluster: c }) => {
    const [a, b] = await c.startNodes('a', 'b');
    await connect(clock, a, b);
    const { pid, self } = await holder(b, 1);
    self.trapExit(true);
    a.send(pid, 'remote 1');
    a.send(pid, 'remote 2');
    await flushUntil(clock, () => (b.processInfo(pid)?.messagesDropped ?? 0) > 0);
    b.exit(pid, 'custom'); // trapped: an EXIT message, dropped too
    expect(self.flush()).toEqual(['remote 1', ['mailbox_overflow', pid, 1]]);
    expect(b.processInfo(pid)?.messagesDropped).toBe(2);
  });

  it('removing the limit queues everything again and keeps the count; trapExit is untouched', async () => {
    node = await startNode({ output: false, logger: false });
    const { pid, self } = await holder(node, 1);
    self.trapExit(true);
    node.send(pid, 1);
    node.send(pid, 2);
    expect(self.setMaxMailbox(undefined)).toBe(1);
    for (let i = 3; i <= 5; i++) node.send(pid, i);
    expect(self.flush()).toEqual([1, ['mailbox_overflow', pid, 1], 3, 4, 5]);
    expect(node.processInfo(pid)).toMatchObject({ messagesDropped: 1, maxMailbox: undefined, trapExit: true });
    expect(self.trapExit(false)).toBe(true);
  });

  it('the limit survives catch (the flag bits do not overlap)', async () => {
    node = await startNode({ output: false, logger: false });
    const { pid, self } = await holder(node, 2);
    await self.catch(async () => {
      node.send(pid, 'in catch');
      expect(node.processInfo(pid)?.maxMailbox).toBe(2);
    });
    expect(node.processInfo(pid)?.maxMailbox).toBe(2);
    expect(await take(self)).toBe('in catch');
    expect(await take(self)).toBe(TIMEOUT);
  });

  it('bad limits throw badarg; processInfo: undefined for a dead pid, badarg for a remote pid', async () => {
    node = await startNode({ output: false, logger: false });
    const { pid, self } = await holder(node, 2);
    for (const bad of [0, -1, 1.5, NaN, Infinity, '3', null]) expect(thrownCode(() => self.setMaxMailbox(bad as number))).toBe('badarg');
    expect(node.processInfo(pid)?.maxMailbox).toBe(2);
    node.exit(pid, 'kill');
    await node.exitReason(pid);
    expect(node.processInfo(pid)).toBeUndefined();
    expect(thrownCode(() => node.processInfo(new Pid('other@vm', 1, 0, 1)))).toBe('badarg');
    expect(thrownCode(() => node.processInfo('nope' as unknown as Pid))).toBe('badarg');
  });

  it('a bare Mailbox keeps the same rules (no pid in the notice)', () => {
    const mb = new Mailbox(new SimulatedClock());
    expect(mb.setLimit(2)).toBeUndefined();
    for (let i = 0; i < 4; i++) mb.deliver(i);
    expect(mb.peek()).toEqual([0, 1, ['mailbox_overflow', undefined, 1]]);
    expect(mb.dropped).toBe(2);
    expect(mb.limit).toBe(2);
  });
});
