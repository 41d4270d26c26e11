/**
 * Erlang distribution control messages ↔ erlmesh signals (core/net/beam-control.ts): every
 * control tuple OTP 25 sends reads as its signal, each signal written reads back as itself
 * (through real ETF bytes), and malformed tuples are `bad`.
 */
import { describe, expect, it } from 'vitest';
import { decodeEtf } from '../../../src/core/etf/reader.js';
import { encodeEtf } from '../../../src/core/etf/writer.js';
import { CTL, readControl, SPAWN_FLAG, writeControl } from '../../../src/core/net/beam-control.js';
import type { SignalFrame } from '../../../src/core/process/signals.js';
import { BeamRef } from '../../../src/core/terms/beam-ref.js';
import { List, list } from '../../../src/core/terms/beam-list.js';
import { Pid } from '../../../src/core/terms/pid.js';
import { Ref } from '../../../src/core/terms/ref.js';

const JS = 'js@host';
const E = 'e@host';
const mine = new Pid(JS, 40, 0, 7);
const theirs = new Pid(E, 90, 0, 1_700_000_000);
const sender = new Pid(JS, 0, 0, 7);
const beamRef = new BeamRef(E, 1_700_000_000, [0x3fff_f, 2, 0xdead_beef]);
const ourRef = new Ref(JS, 7, 12345);

/** Through real bytes, as a frame travels. */
const wire = (t: unknown): unknown => decodeEtf(encodeEtf(t));

describe('readControl: BEAM control tuples as signals', () => {
  const rows: [string, unknown[], unknown, SignalFrame][] = [
    ['LINK', [CTL.LINK, theirs, mine], undefined, { t: 'link', from: theirs, to: mine }],
    ['SEND', [CTL.SEND, '', mine], ['kvs', true], { t: 'send', to: mine, msg: ['kvs', true] }],
    ['SEND_TT', [CTL.SEND_TT, '', mine, 'tok'], 'm', { t: 'send', to: mine, msg: 'm' }],
    ['SEND_SENDER', [CTL.SEND_SENDER, theirs, mine], 'm', { t: 'send', to: mine, msg: 'm' }],
    ['EXIT', [CTL.EXIT, theirs, mine, 'boom'], undefined, { t: 'exit', from: theirs, to: mine, reason: 'boom' }],
    ['EXIT_TT', [CTL.EXIT_TT, theirs, mine, 'tok', 'boom'], undefined, { t: 'exit', from: theirs, to: mine, reason: 'boom' }],
    ['UNLINK', [CTL.UNLINK, theirs, mine], undefined, { t: 'unlink', from: theirs, to: mine }],
    ['REG_SEND', [CTL.REG_SEND, theirs, '', 'kvs'], ['x'], { t: 'reg_send', from: theirs, to: 'kvs', node: JS, msg: ['x'] }],
    ['REG_SEND_TT', [CTL.REG_SEND_TT, theirs, '', 'kvs', 'tok'], 1, { t: 'reg_send', from: theirs, to: 'kvs', node: JS, msg: 1 }],
    ['EXIT2', [CTL.EXIT2, theirs, mine, 'kill'], undefined, { t: 'exit2', from: theirs, to: mine, reason: 'kill' }],
    ['EXIT2_TT', [CTL.EXIT2_TT, theirs, mine, 'tok', 'kill'], undefined, { t: 'exit2', from: theirs, to: mine, reason: 'kill' }],
    ['MONITOR_P by name', [CTL.MONITOR_P, theirs, 'kvs', beamRef], undefined, { t: 'monitor', from: theirs, to: 'kvs', node: JS, ref: beamRef }],
    ['DEMONITOR_P', [CTL.DEMONITOR_P, theirs, mine, beamRef], undefined, { t: 'demonitor', from: theirs, to: mine, node: JS, ref: beamRef }],
    ['MONITOR_P_EXIT', [CTL.MONITOR_P_EXIT, theirs, mine, ourRef, 'normal'], undefined, { t: 'down', from: theirs, to: mine, ref: ourRef, reason: 'normal' }],
    ['SPAWN_REPLY', [CTL.SPAWN_REPLY, ourRef, mine, SPAWN_FLAG.MONITOR, theirs], undefined, { t: 'spawn_reply', ref: ourRef, to: mine, result: { ok: theirs } }],
    ['SPAWN_REPLY error', [CTL.SPAWN_REPLY, ourRef, mine, 0, 'badarg'], undefined, { t: 'spawn_reply', ref: ourRef, to: mine, result: { error: 'badarg' } }],
  ];
  for (const [what, control, message, signal] of rows) {
    it(`${what} reads as ${signal.t}`, () => {
      expect(readControl(wire(control), message === undefined ? undefined : wire(message), JS)).toEqual({ kind: 'signal', signal });
    });
  }

  it('SPAWN_REQUEST: the MFA with the message as its arguments, link and monitor from the options', () => {
    const control = [CTL.SPAWN_REQUEST, beamRef, theirs, theirs, ['erpc', 'execute_call', 4], list(['monitor', ['priority', 'high']])];
    const r = readControl(wire(control), wire(list([beamRef, 'kvs', 'lookup', list(['weather'])])), JS);
    expect(r).toEqual({
      kind: 'signal',
      signal: { t: 'spawn_request', ref: beamRef, from: theirs, groupLeader: theirs, node: JS, spec: { kind: 'mfa', module: 'erpc', fun: 'execute_call', args: [beamRef, 'kvs', 'lookup', list(['weather'])] }, link: false, monitor: true },
    });
  });

  it('UNLINK_ID is an unlink answered by UNLINK_ID_ACK with the same id', () => {
    expect(readControl(wire([CTL.UNLINK_ID, 77, theirs, mine]), undefined, JS)).toEqual({
      kind: 'unlink_id',
      signal: { t: 'unlink', from: theirs, to: mine },
      ack: [CTL.UNLINK_ID_ACK, 77, mine, theirs],
    });
  });

  it('ignores NODE_LINK, GROUP_LEADER, UNLINK_ID_ACK and ALIAS_SEND', () => {
    for (const c of [[CTL.NODE_LINK], [CTL.GROUP_LEADER, theirs, mine], [CTL.UNLINK_ID_ACK, 1, theirs, mine], [CTL.ALIAS_SEND, theirs, ourRef]]) {
      expect(readControl(wire(c), undefined, JS)).toEqual({ kind: 'ignore' });
    }
  });

  it('refuses what is not a control message', () => {
    const bad: unknown[] = ['atom', list([CTL.LINK, theirs, mine]), [CTL.LINK, 'x', mine], [CTL.SEND, '', 'kvs'], [99, theirs], [CTL.EXIT, theirs, mine], [CTL.SPAWN_REQUEST, beamRef, theirs, theirs, ['m', 'f', 0], list([])]];
    for (const c of bad) expect(readControl(c, 'not-a-list', JS).kind).toBe('bad');
  });
});

describe('writeControl: signals as control tuples', () => {
  const o = { sender, unlinkId: 5 };
  const signals: SignalFrame[] = [
    { t: 'send', to: theirs, msg: ['hello', list([1])] },
    { t: 'reg_send', from: mine, to: 'erl_test', node: E, msg: 'go' },
    { t: 'link', from: mine, to: theirs },
    { t: 'exit', from: mine, to: theirs, reason: 'boom' },
    { t: 'exit2', from: mine, to: theirs, reason: 'kill' },
    { t: 'monitor', from: mine, to: 'kvs', node: E, ref: ourRef },
    { t: 'demonitor', from: mine, to: theirs, node: E, ref: ourRef },
    { t: 'down', from: 'kvs', to: theirs, ref: beamRef, reason: 'noproc' },
    { t: 'spawn_reply', ref: beamRef, to: theirs, result: { error: 'notsup' } },
  ];
  for (const s of signals) {
    it(`${s.t} reads back as itself`, () => {
      const w = writeControl(s, o)!;
      const r = readControl(wire(w.control), w.message === undefined ? undefined : wire(w.message), s.t === 'reg_send' || s.t === 'monitor' || s.t === 'demonitor' ? E : JS);
      expect(r).toEqual({ kind: 'signal', signal: s });
    });
  }

  it('a reg_send from outside any process names the given sender', () => {
    expect(writeControl({ t: 'reg_send', from: undefined, to: 'x', node: E, msg: 1 }, o)?.control).toEqual([CTL.REG_SEND, sender, '', 'x']);
  });

  it('an unlink goes as UNLINK_ID with the given id', () => {
    expect(writeControl({ t: 'unlink', from: mine, to: theirs }, o)?.control).toEqual([CTL.UNLINK_ID, 5, mine, theirs]);
  });

  it("a spawn_reply carries its request's flags when it succeeded, 0 when it failed", () => {
    const ok = writeControl({ t: 'spawn_reply', ref: beamRef, to: theirs, result: { ok: mine } }, { ...o, spawnFlags: SPAWN_FLAG.LINK | SPAWN_FLAG.MONITOR });
    expect(ok?.control).toEqual([CTL.SPAWN_REPLY, beamRef, theirs, 3, mine]);
    const failed = writeControl({ t: 'spawn_reply', ref: beamRef, to: theirs, result: { error: 'badarg' } }, { ...o, spawnFlags: 3 });
    expect(failed?.control).toEqual([CTL.SPAWN_REPLY, beamRef, theirs, 0, 'badarg']);
  });

  it('a spawn request: {M, F, Arity}, the options as a list, the arguments as the message list; a shipped function has no form', () => {
    const s: SignalFrame = { t: 'spawn_request', ref: ourRef, from: mine, groupLeader: mine, node: E, spec: { kind: 'mfa', module: 'erlang', fun: 'node', args: [] }, link: true, monitor: true };
    const w = writeControl(s, o)!;
    expect(w.control).toEqual([CTL.SPAWN_REQUEST, ourRef, mine, mine, ['erlang', 'node', 0], list(['link', 'monitor'])]);
    expect(w.message).toBeInstanceOf(List);
    expect(writeControl({ ...s, spec: { kind: 'fn', source: '() => 1' } }, o)).toBeUndefined();
  });
});
