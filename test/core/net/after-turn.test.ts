/**
 * Channel.afterTurn: a framed channel in fast-1 sends what it gathered once the channel says
 * the turn is over, so frames sent from different microtask chains of one turn leave as one
 * transport frame, in the order sent; without afterTurn the batch goes in a microtask.
 */
import { describe, expect, it } from 'vitest';
import { Pid } from '../../../src/core/index.js';
import { FramedChannel } from '../../../src/core/net/framed-channel.js';
import type { DistFrame } from '../../../src/core/net/frames.js';
import { decodeBatch } from '../../../src/core/net/encodings.js';
import type { Channel, ChannelHandlers, Frame } from '../../../src/core/net/transport.js';

const to = new Pid('b@vm', 1, 0, 1);
const msg = (i: number): DistFrame => ({ t: 'send', to, msg: ['m', i] });

/** A channel that records what is sent, with `afterTurn` run by hand (`endTurn`) when asked for. */
function stubChannel(withAfterTurn: boolean) {
  const sent: Frame[] = [];
  let later: Array<() => void> = [];
  const ch: Channel = {
    attach: (_h: ChannelHandlers) => undefined,
    send: (f) => void sent.push(f),
    close: () => undefined,
    isOpen: true,
    ...(withAfterTurn ? { afterTurn: (fn: () => void) => void later.push(fn) } : {}),
  };
  const endTurn = (): void => {
    const fns = later;
    later = [];
    for (const fn of fns) fn();
  };
  return { ch, sent, endTurn };
}

/** Send 0 now, then 1..n each a few awaits deeper (as processes that answer at different depths). */
async function sendFromChains(framed: FramedChannel, n: number): Promise<void> {
  framed.send(msg(0));
  await Promise.all(
    Array.from({ length: n }, async (_, k) => {
      for (let d = 0; d <= k; d++) await Promise.resolve();
      framed.send(msg(k + 1));
    }),
  );
}

const numbers = (frames: Frame[]): number[] =>
  frames.flatMap((f) => decodeBatch(f as Uint8Array).map((x) => ((x as { msg: [string, number] }).msg[1])));

describe('FramedChannel and Channel.afterTurn', () => {
  it('sends the frames of every microtask chain of a turn as one transport frame, in order, when the turn ends', async () => {
    const { ch, sent, endTurn } = stubChannel(true);
    const framed = new FramedChannel(ch);
    framed.useEncoding('fast-1');
    await sendFromChains(framed, 5);
    expect(sent).toHaveLength(0);
    endTurn();
    expect(sent).toHaveLength(1);
    expect(numbers(sent)).toEqual([0, 1, 2, 3, 4, 5]);
    framed.send(msg(6));
    endTurn();
    expect(numbers(sent)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('without afterTurn, sends the batch in a microtask (every frame still arrives, in order)', async () => {
    const { ch, sent } = stubChannel(false);
    const framed = new FramedChannel(ch);
    framed.useEncoding('fast-1');
    await sendFromChains(framed, 5);
    await Promise.resolve();
    expect(sent.length).toBeGreaterThan(0);
    expect(numbers(sent)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('close sends what waits for the end of the turn first', () => {
    const { ch, sent } = stubChannel(true);
    const framed = new FramedChannel(ch);
    framed.useEncoding('fast-1');
    framed.send(msg(0));
    framed.close('bye');
    expect(numbers(sent)).toEqual([0]);
  });
});
