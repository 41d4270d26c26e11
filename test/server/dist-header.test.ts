/**
 * The distribution header reader, byte for byte (erl_ext_dist "Distribution Header"): atom
 * cache references (new and old entries, segments, LongAtoms at either half of a byte),
 * fragments put together in order and interleaved with other frames, and every malformed frame
 * refused by name. test/server/beam-fragments.test.ts reads what real erl sends.
 */
import { describe, expect, it } from 'vitest';
import { ErlmeshError } from '../../src/core/base/errors.js';
import { decodeDistFrame } from '../../src/server/beam/dist-frame.js';
import { DistHeaderReader } from '../../src/server/beam/dist-header.js';
import { BeamPort } from '../../src/core/terms/beam-opaque.js';

const u64 = (n: number): number[] => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return [...b];
};
const text = (s: string): number[] => [...Buffer.from(s, 'utf8')];

/** Header part for refs: [segment, index, atom text when new]. */
function refsPart(refs: [number, number, string?][], long = false): number[] {
  const n = refs.length;
  const flags = new Array<number>((n >> 1) + 1).fill(0);
  const half = (i: number, v: number): void => {
    flags[i >> 1]! |= v << ((i & 1) * 4);
  };
  refs.forEach(([seg, , atom], i) => half(i, (atom !== undefined ? 8 : 0) | seg));
  half(n, long ? 1 : 0);
  const body: number[] = [];
  for (const [, index, atom] of refs) {
    body.push(index);
    if (atom !== undefined) body.push(...(long ? [0, Buffer.byteLength(atom)] : [Buffer.byteLength(atom)]), ...text(atom));
  }
  return [n, ...flags, ...body];
}

// REG_SEND {6, <pid>, '', Name} with the names as cache refs 0 and 1: control {6, ref0, ref1, ref2}, message ref1.
const CTL = [104, 4, 97, 6, 82, 0, 82, 1, 82, 2];
const MSG = [82, 1];

function err(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as ErlmeshError).code;
  }
  return 'no error';
}

describe('the distribution header', () => {
  it('reads new entries into the cache and later frames by old references, long atoms and odd counts too', () => {
    const r = new DistHeaderReader(1 << 20);
    const f1 = r.read(Uint8Array.from([131, 68, ...refsPart([[0, 5, 'reg_send_from'], [3, 200, 'kvs'], [7, 255, 'ünïcode']]), ...CTL, ...MSG]))!;
    expect(f1.refs).toEqual(['reg_send_from', 'kvs', 'ünïcode']);
    expect(decodeDistFrame(f1)).toEqual({ control: [6, 'reg_send_from', 'kvs', 'ünïcode'], message: 'kvs' });
    // Old references to the same slots, in another order; an even count with LongAtoms on and a new entry.
    const f2 = r.read(Uint8Array.from([131, 68, ...refsPart([[7, 255], [0, 5], [1, 1, 'x'.repeat(300).slice(0, 255)], [3, 200]], true), 104, 1, 82, 2]))!;
    expect(f2.refs).toEqual(['ünïcode', 'reg_send_from', 'x'.repeat(255), 'kvs']);
    expect(decodeDistFrame(f2).control).toEqual(['x'.repeat(255)]);
    // No references, and the pass-through form.
    expect(decodeDistFrame(r.read(Uint8Array.of(131, 68, 0, 97, 1))!)).toEqual({ control: 1, message: undefined });
    expect(decodeDistFrame(r.read(Uint8Array.of(112, 131, 97, 2, 131, 97, 3))!)).toEqual({ control: 2, message: 3 });
  });

  it('puts fragments together, in order, with other frames between them; the cache entries of a first fragment count at once', () => {
    const r = new DistHeaderReader(1 << 20);
    const whole = [...CTL, 108, 0, 0, 0, 3, 82, 1, 82, 1, 82, 1, 106];
    const refs = refsPart([[0, 1, 'a'], [0, 2, 'b'], [0, 3, 'c']]);
    expect(r.read(Uint8Array.from([131, 69, ...u64(9), ...u64(3), ...refs, ...whole.slice(0, 6)]))).toBeUndefined();
    // Another message between the fragments, using an entry the first fragment set.
    expect(decodeDistFrame(r.read(Uint8Array.from([131, 68, ...refsPart([[0, 3]]), 82, 0]))!).control).toBe('c');
    expect(r.read(Uint8Array.from([131, 70, ...u64(9), ...u64(2), ...whole.slice(6, 12)]))).toBeUndefined();
    const f = r.read(Uint8Array.from([131, 70, ...u64(9), ...u64(1), ...whole.slice(12)]))!;
    expect(decodeDistFrame(f)).toEqual({ control: [6, 'a', 'b', 'c'], message: expect.anything() });
    expect([...(decodeDistFrame(f).message as string[])]).toEqual(['b', 'b', 'b']);
    expect(r.fragmented).toBe(1);
    // A single fragment is a whole message.
    expect(decodeDistFrame(r.read(Uint8Array.from([131, 69, ...u64(10), ...u64(1), 0, 97, 7]))!).control).toBe(7);
  });

  it('a port read under a header keeps bytes with its node atom written out, from a cache reference or any atom tag', () => {
    const r = new DistHeaderReader(1 << 20);
    const rest = [0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 5]; // V4_PORT id (8) and creation (4)
    const written = [120, 119, 4, ...text('e@vm'), ...rest];
    const viaRef = decodeDistFrame(r.read(Uint8Array.from([131, 68, ...refsPart([[0, 1, 'e@vm']]), 120, 82, 0, ...rest]))!).control as BeamPort;
    const viaAtomExt = decodeDistFrame(r.read(Uint8Array.from([131, 68, 0, 120, 118, 0, 4, ...text('e@vm'), ...rest]))!).control as BeamPort;
    for (const port of [viaRef, viaAtomExt]) {
      expect(port).toBeInstanceOf(BeamPort);
      expect([port.node, port.id, port.creation]).toEqual(['e@vm', 9n, 5]);
      expect([...port.bytes]).toEqual(written);
    }
  });

  it('refuses malformed frames by name', () => {
    const r = (): DistHeaderReader => new DistHeaderReader(100);
    expect(err(() => r().read(Uint8Array.of(131, 68, 1, 0, 5)))).toBe('bad_frame'); // an old reference to an empty entry
    expect(err(() => r().read(Uint8Array.of(131, 68, 2, 8)))).toBe('bad_frame'); // cut short
    expect(err(() => r().read(Uint8Array.of(131, 71, 0)))).toBe('bad_frame'); // unknown header
    expect(err(() => r().read(Uint8Array.of(99, 1, 2)))).toBe('bad_frame');
    expect(err(() => r().read(Uint8Array.from([131, 70, ...u64(1), ...u64(1), 1])))).toBe('bad_frame'); // no first fragment
    const out = r();
    out.read(Uint8Array.from([131, 69, ...u64(1), ...u64(3), 0, 1]));
    expect(err(() => out.read(Uint8Array.from([131, 70, ...u64(1), ...u64(1), 1])))).toBe('bad_frame'); // 1 where 2 belongs
    const big = r();
    big.read(Uint8Array.from([131, 69, ...u64(1), ...u64(3), 0, ...new Array(60).fill(0)]));
    expect(err(() => big.read(Uint8Array.from([131, 70, ...u64(1), ...u64(2), ...new Array(60).fill(0)])))).toBe('frame_too_large');
    expect(err(() => r().read(Uint8Array.of(131, 68, 1, 8, 1, 2, 0xff, 0xfe)))).toBe('bad_frame'); // a new entry that is not UTF-8
  });
});
