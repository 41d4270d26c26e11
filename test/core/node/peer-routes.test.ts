/**
 * node/peer-routes.ts: where a node's signals for another node go when a foreign route (BEAM)
 * is attached — the net kernel's peers stay with it, a claimed peer goes foreign, and signals
 * wait in order while the foreign route finds out.
 */
import { describe, expect, it } from 'vitest';
import type { NetKernel } from '../../../src/core/net/net-kernel.js';
import { PeerRoutes, type ForeignRoute } from '../../../src/core/node/peer-routes.js';
import type { SignalFrame } from '../../../src/core/process/signals.js';
import { Pid } from '../../../src/core/terms/pid.js';

const to = new Pid('x@h', 1, 0, 1);
const sig = (n: number): SignalFrame => ({ t: 'send', to, msg: n });

function fakeNet(connected: string[]): NetKernel {
  return { isConnected: (n: string) => connected.includes(n), peers: () => connected, whenConnected: async (n: string) => connected.includes(n), disconnect: () => true } as unknown as NetKernel;
}

function fakeForeign(claims: (node: string) => boolean | Promise<boolean>, sent: [string, unknown][]): ForeignRoute {
  return {
    claims,
    send: (node, s) => void sent.push([`beam:${node}`, (s as { msg: unknown }).msg]),
    whenConnected: async () => true,
    isConnected: (n) => n === 'e@h',
    peers: (kind) => (kind === 'visible' ? [] : ['e@h']),
    disconnect: () => true,
    close: async () => {},
  };
}

describe('PeerRoutes', () => {
  it('without a foreign route everything goes to the net kernel', () => {
    const sent: [string, unknown][] = [];
    const r = new PeerRoutes(() => fakeNet([]));
    r.send('b@h', sig(1), (n, s) => sent.push([`net:${n}`, (s as { msg: unknown }).msg]));
    expect(sent).toEqual([['net:b@h', 1]]);
  });

  it("a net kernel peer stays with it; a claimed one goes foreign; signals wait in order while the claim is found out", async () => {
    const sent: [string, unknown][] = [];
    let answer!: (v: boolean) => void;
    const pending = new Promise<boolean>((resolve) => (answer = resolve));
    const asked: string[] = [];
    const r = new PeerRoutes(() => fakeNet(['b@h']));
    r.attach(fakeForeign((n) => (asked.push(n), n === 'e@h' ? pending : false), sent));
    const viaNet = (n: string, s: SignalFrame) => void sent.push([`net:${n}`, (s as { msg: unknown }).msg]);
    r.send('b@h', sig(1), viaNet);
    r.send('e@h', sig(2), viaNet);
    r.send('e@h', sig(3), viaNet);
    r.send('c@h', sig(4), viaNet);
    expect(asked).toEqual(['e@h', 'c@h']); // b@h is the net kernel's: not asked; e@h asked once
    expect(sent).toEqual([['net:b@h', 1], ['net:c@h', 4]]);
    answer(true);
    await pending;
    await Promise.resolve();
    expect(sent).toEqual([['net:b@h', 1], ['net:c@h', 4], ['beam:e@h', 2], ['beam:e@h', 3]]);
  });

  it('a claim that fails sends the waiting signals to the net kernel', async () => {
    const sent: [string, unknown][] = [];
    const r = new PeerRoutes(() => fakeNet([]));
    const failing = Promise.reject(new Error('lookup failed'));
    r.attach(fakeForeign(() => failing, sent));
    r.send('d@h', sig(5), (n, s) => void sent.push([`net:${n}`, (s as { msg: unknown }).msg]));
    await failing.catch(() => {});
    await Promise.resolve();
    expect(sent).toEqual([['net:d@h', 5]]);
  });

  it('nodes and connections count both routes', async () => {
    const r = new PeerRoutes(() => fakeNet(['b@h']));
    r.attach(fakeForeign(() => true, []));
    expect(r.peers('hidden')).toEqual(['b@h', 'e@h']);
    expect(r.peers('visible')).toEqual(['b@h']);
    expect(r.isConnected('e@h')).toBe(true);
    expect(await r.whenConnected('e@h')).toBe(true);
  });
});
