/**
 * The observer page's DOM-free helpers (src/browser/observer/format.ts): bytes and uptimes as
 * the tables print them, a node's kind, and the processes table's sort (pids by number, not as
 * text; missing values last either way).
 */
import { describe, expect, it } from 'vitest';
import { bytes, initialCall, kindOf, sortRows, uptime } from '../../src/browser/observer/format.js';

describe('observer page format', () => {
  it('prints bytes and uptimes', () => {
    expect([bytes(undefined), bytes(null), bytes(512), bytes(1536), bytes(5 * 1024 * 1024), bytes(3 * 1024 ** 3)]).toEqual(['—', '—', '512 B', '1.5 KB', '5.0 MB', '3.00 GB']);
    expect([uptime(900), uptime(65_000), uptime(3_723_000), uptime(90_061_000)]).toEqual(['0s', '1m 5s', '1h 2m 3s', '1d 1h']);
  });

  it("prints an initial call as Erlang's observer does, a function's name as it is", () => {
    expect([initialCall(['kvs', 'loop', 0]), initialCall('worker'), initialCall('anonymous')]).toEqual(['kvs:loop/0', 'worker', 'anonymous']);
  });

  it('tells the observer, tabs and servers apart; a node without figures is unknown', () => {
    expect(kindOf({ self: true, stats: null })).toBe('observer');
    expect(kindOf({ self: false, stats: { platform: 'browser' } })).toBe('tab');
    expect(kindOf({ self: false, stats: { platform: 'server' } })).toBe('server');
    expect(kindOf({ self: false, stats: null })).toBe('?');
  });

  it('sorts pids by number and numbers by value, missing values last', () => {
    const pid = (id: number) => ({ pid: `<a@h.${id}.0>`, key: `a@h/1/${id}.0` });
    const rows = [
      { pid: pid(10), received: 3 as number | null },
      { pid: pid(2), received: null },
      { pid: pid(9), received: 12 },
    ];
    expect(sortRows(rows, 'pid', 1).map((r) => r.pid.pid)).toEqual(['<a@h.2.0>', '<a@h.9.0>', '<a@h.10.0>']);
    expect(sortRows(rows, 'pid', -1).map((r) => r.pid.pid)).toEqual(['<a@h.10.0>', '<a@h.9.0>', '<a@h.2.0>']);
    expect(sortRows(rows, 'received', -1).map((r) => r.received)).toEqual([12, 3, null]);
    expect(sortRows(rows, 'received', 1).map((r) => r.received)).toEqual([3, 12, null]);
  });
});
