/**
 * The positional signal frames of fast-3 (src/core/net/frame-codes.ts): for every signal kind,
 * a frame read back from its positional form is identical to the same frame read back from the
 * generic form (property-tested over arbitrary terms); frames that do not fit a form go
 * generic; a fast-2 or fast-1 writer never writes them; malformed positional frames are
 * `bad_frame`; and two nodes of which one speaks only fast-2 work together, the fast-3 node
 * writing generic frames to it.
 */
import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { it } from '../../fixtures.js';
import { Pid, Ref } from '../../../src/core/index.js';
import { BatchWriter, decodeBatch, type BatchItem } from '../../../src/core/net/encodings.js';
import type { DistFrame } from '../../../src/core/net/frames.js';
import { TestCluster } from '../../support/cluster.js';
import { thrownCode } from '../../support/errors.js';
import { encodeTermFast } from '../../../src/core/codec/binary.js';
import { fuzzSeed } from '../../support/fuzz-settings.js';
import { goldenPid, goldenRef, hex, identical, term, unhex } from '../../support/terms.js';

const pid = fc.tuple(fc.string({ maxLength: 10 }), fc.nat(), fc.nat(), fc.nat()).map(([n, i, s, c]) => new Pid(n, i, s, c));
const ref = fc.tuple(fc.string({ maxLength: 10 }), fc.nat(), fc.nat()).map(([n, c, i]) => new Ref(n, c, i));

/** Every signal kind with a positional form, with arbitrary fields. */
const signal: fc.Arbitrary<DistFrame> = fc.oneof(
  fc
    .record({
      ref,
      from: pid,
      groupLeader: pid,
      node: fc.string({ maxLength: 10 }),
      module: fc.string({ maxLength: 10 }),
      fun: fc.string({ maxLength: 10 }),
      args: fc.array(term, { maxLength: 4 }),
      link: fc.boolean(),
      monitor: fc.boolean(),
      errorOnly: fc.boolean(),
    })
    .map(({ module, fun, args, errorOnly, ...r }) => ({
      t: 'spawn_request' as const,
      ref: r.ref,
      from: r.from,
      groupLeader: r.groupLeader,
      node: r.node,
      spec: { kind: 'mfa' as const, module, fun, args },
      link: r.link,
      monitor: r.monitor,
      ...(errorOnly ? { reply: 'error_only' as const } : {}),
    })),
  fc.tuple(ref, pid, pid).map(([r, to, p]) => ({ t: 'spawn_reply' as const, ref: r, to, result: { ok: p } })),
  fc.tuple(ref, pid, term).map(([r, to, e]) => ({ t: 'spawn_reply' as const, ref: r, to, result: { error: e } })),
  fc.tuple(fc.oneof(pid, fc.string({ maxLength: 8 })), pid, ref, term).map(([from, to, r, reason]) => ({ t: 'down' as const, from, to, ref: r, reason })),
  fc.tuple(fc.constantFrom('link' as const, 'unlink' as const), pid, pid).map(([t, from, to]) => ({ t, from, to })),
  fc.tuple(fc.constantFrom('exit' as const, 'exit2' as const), pid, pid, term).map(([t, from, to, reason]) => ({ t, from, to, reason })),
  fc
    .tuple(fc.constantFrom('monitor' as const, 'demonitor' as const), pid, fc.oneof(pid, fc.string({ maxLength: 8 })), fc.string({ maxLength: 8 }), ref)
    .map(([t, from, to, node, r]) => ({ t, from, to, node, ref: r })),
);

function roundTrip(f: DistFrame, w: BatchWriter): { bytes: Uint8Array; back: BatchItem } {
  w.add(f);
  const bytes = w.take()!;
  const items = decodeBatch(bytes);
  expect(items).toHaveLength(1);
  return { bytes, back: items[0]! };
}

describe('positional signal frames (fast-3)', () => {
  it('read back identical to the generic form, for every signal kind and any fields', () => {
    const fast3 = new BatchWriter(true, true);
    const fast2 = new BatchWriter(true, false);
    fc.assert(
      fc.property(signal, (f) => {
        const positional = roundTrip(f, fast3);
        const generic = roundTrip(f, fast2);
        expect(positional.bytes[1]).toBeGreaterThanOrEqual(0x06); // the code after the batch magic
        expect(generic.bytes[1]).toBe(0x00);
        expect(positional.bytes.length).toBeLessThan(generic.bytes.length);
        expect(identical(generic.back, positional.back)).toBeUndefined();
      }),
      { seed: fuzzSeed(), numRuns: 500 },
    );
  });

  it('fast-2 and fast-1 writers write none of them', () => {
    const f: DistFrame = { t: 'link', from: goldenPid(), to: goldenPid() };
    expect(roundTrip(f, BatchWriter.for('fast-2')).bytes[1]).toBe(0x00);
    expect(roundTrip(f, BatchWriter.for('fast-1')).bytes[1]).toBe(0x00);
    expect(roundTrip(f, BatchWriter.for('fast-3')).bytes[1]).toBe(0x0a);
  });

  it('frames that do not fit a form go generic and come back as sent', () => {
    const w = BatchWriter.for('fast-3');
    const misfits = [
      { t: 'spawn_request', ref: goldenRef(), from: goldenPid(), groupLeader: goldenPid(), node: 'n', spec: { kind: 'fn', source: '(self) => 1' }, link: false, monitor: true },
      { t: 'spawn_request', ref: goldenRef(), from: goldenPid(), groupLeader: goldenPid(), node: 'n', spec: { kind: 'mfa', module: 'm', fun: 'f', args: [] }, link: 1, monitor: true },
      { t: 'spawn_request', ref: goldenRef(), from: goldenPid(), groupLeader: goldenPid(), node: 'n', spec: { kind: 'mfa', module: 'm', fun: 'f', args: [] }, link: false, monitor: true, reply: 'always' },
      { t: 'spawn_reply', ref: goldenRef(), to: goldenPid(), result: { ok: 'not a pid' } },
      { t: 'down', from: goldenPid(), to: 'a name', ref: goldenRef(), reason: 'normal' },
      { t: 'link', from: 'x', to: goldenPid() },
      { t: 'exit', from: goldenPid(), to: 5, reason: 'kill' },
      { t: 'monitor', from: goldenPid(), to: goldenPid(), node: 7, ref: goldenRef() },
    ] as unknown as DistFrame[];
    for (const f of misfits) {
      const { bytes, back } = roundTrip(f, w);
      expect(bytes[1]).toBe(0x00);
      expect(identical(f, back)).toBeUndefined();
    }
  });

  it('a spawn_request has the layout its header states (golden bytes)', () => {
    const f: DistFrame = {
      t: 'spawn_request', ref: goldenRef(), from: goldenPid(), groupLeader: goldenPid(), node: 'n@h',
      spec: { kind: 'mfa', module: 'kvs', fun: 'lookup', args: ['k'] }, link: false, monitor: true, reply: 'error_only',
    };
    const { bytes, back } = roundTrip(f, BatchWriter.for('fast-3'));
    const pidBytes = '11 070c 67616e64616c6640686f7374 aa 80 83';
    expect(hex(bytes)).toBe(
      hex(unhex(`e1 06  12 070c 67616e64616c6640686f7374 83 87  ${pidBytes} ${pidBytes}  0703 6e4068  06  0703 6b7673 0706 6c6f6f6b7570  09 01 07 01 6b`)),
    );
    expect(identical(f, back)).toBeUndefined();
  });

  it('malformed positional frames are bad_frame', () => {
    const { bytes } = roundTrip({ t: 'exit', from: goldenPid(), to: goldenPid(), reason: ['a', 1] }, BatchWriter.for('fast-3'));
    for (let n = 2; n < bytes.length; n++) expect(thrownCode(() => decodeBatch(bytes.subarray(0, n)))).toBe('bad_frame');
    const sr = roundTrip(
      { t: 'spawn_request', ref: goldenRef(), from: goldenPid(), groupLeader: goldenPid(), node: 'n', spec: { kind: 'mfa', module: 'm', fun: 'f', args: [] }, link: false, monitor: false },
      BatchWriter.for('fast-3'),
    ).bytes;
    const flagsAt = 2 + encodeTermFast(goldenRef()).length + 2 * encodeTermFast(goldenPid()).length + encodeTermFast('n').length;
    expect(sr[flagsAt]).toBe(0); // the flags byte: neither link nor monitor
    const badFlags = sr.slice();
    badFlags[flagsAt] = 8;
    expect(thrownCode(() => decodeBatch(badFlags))).toBe('bad_frame');
    const badArgs = sr.slice();
    badArgs[badArgs.length - 2] = 0x07; // args: an empty string instead of an empty array
    expect(thrownCode(() => decodeBatch(badArgs))).toBe('bad_frame');
    expect(thrownCode(() => decodeBatch(unhex('e1 10')))).toBe('bad_frame'); // an unknown code
  });

  it('a fast-3 node and a fast-2 node work together (rpc, remote spawn), generic frames to the fast-2 node', async () => {
    const cl = new TestCluster();
    try {
      const a = await cl.node('a');
      const b = await cl.node('b', { encodings: ['fast-2', 'fast-1', 'superjson-1'] });
      const c = await cl.node('c');
      const codesFromA: number[] = [];
      const codesAtoC: number[] = [];
      cl.net.tap((from, to, frame) => {
        // The code of the first frame of each batch (an rpc's spawn_request starts its batch).
        if (from === a.name && typeof frame !== 'string') (to === b.name ? codesFromA : to === c.name ? codesAtoC : []).push(frame[1]!);
      });
      expect(await a.rpc.call(c.name, 'erlang', 'node', [])).toBe(c.name);
      expect(codesAtoC).toContain(0x06); // between two fast-3 nodes: the positional spawn_request
      expect(await a.rpc.call(b.name, 'erlang', 'node', [])).toBe(b.name);
      expect(await b.rpc.call(a.name, 'erlang', 'node', [])).toBe(a.name);
      const pid = await a.spawn(b.name, 'erlang', 'node', []);
      expect(pid).toBeInstanceOf(Pid);
      expect(codesFromA.length).toBeGreaterThan(0);
      expect(codesFromA.every((c) => c <= 0x05)).toBe(true);
    } finally {
      await cl.stop();
    }
  });
});
