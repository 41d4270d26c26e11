/**
 * The observer page's edge rates (src/browser/observer/rates.ts): frames a second from two
 * looks at a node's connection counters, on that node's clock; a repeated look keeps the rate,
 * a counter that went down (a new connection) gives none; bytes for a BEAM connection.
 */
import { describe, expect, it } from 'vitest';
import { EdgeRates, formatRate, type LinkCounters } from '../../src/browser/observer/rates.js';

const look = (name: string, uptimeMs: number, links: LinkCounters[]) => ({ name, stats: { uptimeMs, links } });
const link = (peer: string, framesIn: number, framesOut: number, via = 'relay'): LinkCounters => ({ peer, via, framesIn, framesOut });

describe('observer edge rates', () => {
  it('frames a second, both ways, between two looks on the node clock', () => {
    const r = new EdgeRates();
    r.update([look('a@h', 1_000, [link('b@h', 10, 20)])]);
    expect(r.of('a@h', 'b@h')).toBeUndefined();
    r.update([look('a@h', 3_000, [link('b@h', 30, 60)])]);
    expect(r.of('a@h', 'b@h')).toEqual({ perSecond: 30, unit: 'frames', via: 'relay' });
    expect(r.of('b@h', 'a@h')).toEqual(r.of('a@h', 'b@h'));
    // The observer had not refreshed: the same look keeps the rate; the carrier may have changed.
    r.update([look('a@h', 3_000, [link('b@h', 30, 60, 'direct')])]);
    expect(r.of('a@h', 'b@h')).toEqual({ perSecond: 30, unit: 'frames', via: 'direct' });
  });

  it('a counter that went down (a new connection) gives no rate; a link gone is forgotten', () => {
    const r = new EdgeRates();
    r.update([look('a@h', 1_000, [link('b@h', 100, 100)])]);
    r.update([look('a@h', 2_000, [link('b@h', 2, 3)])]);
    expect(r.of('a@h', 'b@h')).toBeUndefined();
    r.update([look('a@h', 3_000, [link('b@h', 7, 8)])]);
    expect(r.of('a@h', 'b@h')?.perSecond).toBe(10);
    r.update([look('a@h', 4_000, [])]);
    expect(r.of('a@h', 'b@h')).toBeUndefined();
  });

  it('takes the busier end when both report; bytes for a BEAM connection', () => {
    const r = new EdgeRates();
    const beam = (bytesIn: number): LinkCounters => ({ peer: 'erl@h', via: 'beam', bytesIn, bytesOut: 0 });
    r.update([look('a@h', 0, [link('b@h', 0, 0), beam(0)]), look('b@h', 0, [link('a@h', 0, 0)])]);
    r.update([look('a@h', 1_000, [link('b@h', 4, 4), beam(2048)]), look('b@h', 500, [link('a@h', 5, 5)])]);
    expect(r.of('a@h', 'b@h')?.perSecond).toBe(20);
    expect(r.of('a@h', 'erl@h')).toEqual({ perSecond: 2048, unit: 'bytes', via: 'beam' });
  });

  it('prints rates short', () => {
    const f = (perSecond: number, unit: 'frames' | 'bytes' = 'frames') => formatRate({ perSecond, unit, via: 'relay' });
    expect([f(0.25), f(3), f(42.4), f(1530), f(2.5e6)]).toEqual(['0.3/s', '3/s', '42/s', '1.5k/s', '2.5M/s']);
    expect([f(900, 'bytes'), f(3482, 'bytes'), f(5 * 1024 * 1024, 'bytes')]).toEqual(['900 B/s', '3.4 KB/s', '5.0 MB/s']);
  });
});
