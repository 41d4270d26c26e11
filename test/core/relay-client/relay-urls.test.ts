/**
 * The failover list of relays (src/core/relay-client/relay-urls.ts, reconnects.ts): checked up
 * front, dialled in order, one relay per attempt round the list, a new creation asked for only
 * at another relay than the one that last admitted the node. Simulated time.
 */
import { describe, expect, it } from 'vitest';
import { ErlmeshError } from '../../../src/core/base/errors.js';
import { SimulatedClock } from '../../../src/core/testing/index.js';
import { checkRelayUrls, RelayUrls } from '../../../src/core/relay-client/relay-urls.js';
import { Reconnects } from '../../../src/core/relay-client/reconnects.js';

const A = 'ws://10.0.0.1:4367/erlmesh';
const B = 'ws://10.0.0.2:4367/erlmesh';
const C = 'ws://10.0.0.3:4367/erlmesh';

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return e instanceof ErlmeshError ? e.code : 'not an ErlmeshError';
  }
  return undefined;
}

describe('checkRelayUrls', () => {
  it('a string is a list of one; a list keeps its order', () => {
    expect(checkRelayUrls(A)).toEqual([A]);
    expect(checkRelayUrls([B, A])).toEqual([B, A]);
  });

  it('an empty list, a bad URL in it, a duplicate or a non-list is badarg', () => {
    expect(codeOf(() => checkRelayUrls([]))).toBe('badarg');
    expect(codeOf(() => checkRelayUrls([A, 'http://10.0.0.2:4367']))).toBe('badarg');
    expect(codeOf(() => checkRelayUrls([A, 7]))).toBe('badarg');
    expect(codeOf(() => checkRelayUrls([A, A]))).toBe('badarg');
    expect(codeOf(() => checkRelayUrls({ url: A }))).toBe('badarg');
  });
});

describe('RelayUrls', () => {
  it('goes round the list; failover is true only away from the relay that last admitted the node', () => {
    const u = new RelayUrls([A, B, C]);
    expect(u.current).toBe(A);
    expect(u.failover).toBe(false); // never admitted: nothing to fail over from
    u.admitted();
    expect(u.advance()).toBe(B);
    expect(u.failover).toBe(true);
    expect(u.advance()).toBe(C);
    expect(u.advance()).toBe(A);
    expect(u.failover).toBe(false); // back at the relay that admitted it: same incarnation
  });

  it('with one URL the node keeps coming back to it, never as a failover', () => {
    const u = new RelayUrls(A);
    u.admitted();
    expect(u.advance()).toBe(A);
    expect(u.failover).toBe(false);
  });
});

describe('Reconnects', () => {
  function setup(urls: string[], answer: (url: string) => 'ok' | string) {
    const clock = new SimulatedClock();
    const dialled: string[] = [];
    const r = new Reconnects({
      clock,
      urls,
      backoff: { initialMs: 100, maxMs: 400 },
      open: (url) => {
        dialled.push(url);
        const a = answer(url);
        if (a === 'ok') {
          r.admitted();
          return Promise.resolve();
        }
        return Promise.reject(new ErlmeshError(a as 'relay_unreachable', `${url}: ${a}`));
      },
      refreshableTicket: () => false,
    });
    return { clock, dialled, r };
  }

  it('the first registration takes the first relay that answers, once round the list', async () => {
    const { dialled, r } = setup([A, B, C], (url) => (url === C ? 'ok' : 'relay_unreachable'));
    await r.first();
    expect(dialled).toEqual([A, B, C]);
    expect(r.urls.current).toBe(C);
  });

  it('the first registration fails with the last error when no relay answers, and stops at a refusal', async () => {
    const none = setup([A, B], () => 'relay_unreachable');
    await expect(none.r.first()).rejects.toMatchObject({ code: 'relay_unreachable' });
    expect(none.dialled).toEqual([A, B]);
    const refused = setup([A, B], () => 'bad_cookie');
    await expect(refused.r.first()).rejects.toMatchObject({ code: 'bad_cookie' });
    expect(refused.dialled).toEqual([A]);
  });

  it('after a loss, each attempt goes to the next relay round the list until one admits the node', async () => {
    let up = new Set([A]);
    const { clock, dialled, r } = setup([A, B, C], (url) => (up.has(url) ? 'ok' : 'relay_unreachable'));
    await r.first();
    up = new Set([A]); // A went and came back: B and C are down
    expect(r.lost()).toBe(B);
    for (let i = 0; i < 10 && dialled.length < 4; i++) await clock.advance(400);
    expect(dialled).toEqual([A, B, C, A]);
    expect(r.urls.failover).toBe(false);
    r.stop();
  });

  it('a final refusal at a failover relay stops the attempts', async () => {
    const { clock, dialled, r } = setup([A, B], (url) => (url === A && dialled.length === 1 ? 'ok' : 'bad_cookie'));
    await r.first();
    r.lost();
    for (let i = 0; i < 10; i++) await clock.advance(400);
    expect(dialled).toEqual([A, B]);
  });
});
