/**
 * Frame encodings (src/core/net/encodings.ts): the fast-1 batch format (golden bytes, positional
 * and generic frames, malformed batches), the choice of encoding, and the property that a
 * frame carrying any term decodes from a batch exactly as superjson-1 decodes it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DistFrame } from '../../../src/core/net/frames.js';
import {
  BATCH_MAGIC,
  BatchWriter,
  WIRE_ENCODINGS,
  checkEncodings,
  chooseEncoding,
  decodeBatch,
  decodeWireFrame,
} from '../../../src/core/net/encodings.js';
import { decodeTerm, encodeTerm, Ref } from '../../../src/core/index.js';
import { goldenPid, hex, identical, term, unhex } from '../../support/terms.js';

const pid = goldenPid();

function batchOf(...frames: DistFrame[]): Uint8Array {
  const w = new BatchWriter();
  for (const f of frames) w.add(f);
  return w.take()!;
}

describe('fast-1 batches: golden bytes', () => {
  it.each<[string, DistFrame[], string]>([
    [
      'a send (positional)',
      [{ t: 'send', to: pid, msg: ['msg', 1, new Uint8Array([255])] }],
      'e1 01 11070c67616e64616c6640686f7374aa8083 0903 07036d7367 81 0f01ff',
    ],
    [
      'a reg_send without a sender (positional)',
      [{ t: 'reg_send', from: undefined, to: 'kvs', node: 'b@h', msg: 'hi' }],
      'e1 02 00 07036b7673 0703624068 07026869',
    ],
    ['a tick', [{ t: 'tick' }], 'e1 03'],
    [
      'a link (generic: the frame as an object term)',
      [{ t: 'link', from: pid, to: pid }],
      'e1 00 0a03 070174 07046c696e6b 070466726f6d 11070c67616e64616c6640686f7374aa8083 0702746f 11070c67616e64616c6640686f7374aa8083',
    ],
    [
      'three frames in one batch, in order',
      [{ t: 'tick' }, { t: 'send', to: pid, msg: 1 }, { t: 'tick' }],
      'e1 03 01 11070c67616e64616c6640686f7374aa8083 81 03',
    ],
  ])('%s', (_name, frames, bytes) => {
    expect(hex(batchOf(...frames))).toBe(bytes.replace(/\s+/g, ''));
    expect(decodeBatch(unhex(bytes))).toEqual(frames);
  });

  it('frames that do not fit their positional form travel as generic terms, as sent', () => {
    const odd = [
      { t: 'send', to: 'not-a-pid', msg: 'x' },
      { t: 'reg_send', from: 'someone', to: 'srv', node: 'n@h', msg: 1 },
      { t: 'bogus', x: [1] },
    ] as unknown as DistFrame[];
    const bytes = batchOf(...odd);
    expect(bytes[1]).toBe(0x00);
    expect(decodeBatch(bytes)).toEqual(odd);
  });

  it('a frame that cannot be encoded throws badarg and leaves the batch as it was', () => {
    const w = new BatchWriter();
    expect(() => w.add({ t: 'send', to: pid, msg: () => 1 })).toThrow(expect.objectContaining({ code: 'badarg' }));
    expect(w.take()).toBeUndefined();
    w.add({ t: 'tick' });
    expect(() => w.add({ t: 'send', to: pid, msg: [Symbol('x')] })).toThrow(expect.objectContaining({ code: 'badarg' }));
    w.add({ t: 'send', to: pid, msg: 'ok' });
    expect(w.frames).toBe(2);
    expect(decodeBatch(w.take()!)).toEqual([{ t: 'tick' }, { t: 'send', to: pid, msg: 'ok' }]);
    expect(w.take()).toBeUndefined();
  });

  it.each([
    ['empty', ''],
    ['no magic', '03'],
    ['an unknown frame code', 'e1 07'],
    ['a send whose target is not a pid', 'e1 01 81 81'],
    ['a truncated send', 'e1 01 11070c67616e'],
    ['a reg_send from a non-pid', 'e1 02 81 070161 070162 81'],
    ['a generic frame that is not an object', 'e1 00 81'],
    ['a generic frame without a string tag', 'e1 00 0a01 070174 81'],
    ['a good frame then garbage', 'e1 03 ff'],
  ])('a malformed batch (%s) throws bad_frame', (_name, h) => {
    expect(() => decodeBatch(unhex(h))).toThrow(expect.objectContaining({ code: 'bad_frame' }));
  });

  it('decodeWireFrame reads both encodings', () => {
    expect(decodeWireFrame(encodeTerm({ t: 'tick' }))).toEqual([{ t: 'tick' }]);
    expect(decodeWireFrame(batchOf({ t: 'tick' }, { t: 'tick' }))).toEqual([{ t: 'tick' }, { t: 'tick' }]);
    expect(BATCH_MAGIC).toBe(0xe1);
  });
});

describe('choosing an encoding', () => {
  it('fast-3 before fast-2 before fast-1 before superjson-2 before superjson-1, the first both list', () => {
    expect(WIRE_ENCODINGS).toEqual(['fast-3', 'fast-2', 'fast-1', 'superjson-2', 'superjson-1']);
    expect(chooseEncoding([...WIRE_ENCODINGS], [...WIRE_ENCODINGS])).toBe('fast-3');
    expect(chooseEncoding([...WIRE_ENCODINGS], ['fast-1', 'superjson-1'])).toBe('fast-1');
    expect(chooseEncoding(['superjson-2', 'superjson-1'], [...WIRE_ENCODINGS])).toBe('superjson-2');
    expect(chooseEncoding(['superjson-2', 'superjson-1'], ['fast-1', 'superjson-1'])).toBe('superjson-1');
  });

  it('fast-1 when both list it, superjson-1 otherwise (a missing or malformed list is superjson-1)', () => {
    expect(chooseEncoding(['fast-1', 'superjson-1'], ['fast-1', 'superjson-1'])).toBe('fast-1');
    expect(chooseEncoding(['superjson-1', 'fast-1'], ['fast-1'])).toBe('fast-1');
    expect(chooseEncoding(['fast-1', 'superjson-1'], ['superjson-1'])).toBe('superjson-1');
    expect(chooseEncoding(['superjson-1'], ['fast-1', 'superjson-1'])).toBe('superjson-1');
    expect(chooseEncoding(['fast-1', 'superjson-1'], undefined)).toBe('superjson-1');
    expect(chooseEncoding(['fast-1', 'superjson-1'], 'fast-1')).toBe('superjson-1');
    expect(chooseEncoding(undefined, ['fast-1'])).toBe('superjson-1');
    expect(chooseEncoding(['fast-1'], ['superjson-1', 'fast-9'])).toBe('superjson-1');
  });

  it('checkEncodings validates the node option and always keeps superjson-1', () => {
    expect(checkEncodings(['superjson-1'])).toEqual(['superjson-1']);
    expect(checkEncodings(['fast-1'])).toEqual(['fast-1', 'superjson-1']);
    expect(checkEncodings(['fast-1', 'fast-1', 'superjson-1'])).toEqual(['fast-1', 'superjson-1']);
    for (const bad of [[], ['bogus'], 'fast-1', undefined, [1]]) {
      expect(() => checkEncodings(bad)).toThrow(expect.objectContaining({ code: 'badarg' }));
    }
  });
});

describe('property: a frame decodes from a batch exactly as superjson-1 decodes it', () => {
  const frame = fc.oneof(
    term.map((msg): DistFrame => ({ t: 'send', to: pid, msg })),
    fc.tuple(fc.option(fc.constant(pid), { nil: undefined }), fc.string(), term).map(
      ([from, to, msg]): DistFrame => ({ t: 'reg_send', from, to, node: 'b@h', msg }),
    ),
    term.map((reason): DistFrame => ({ t: 'exit', from: pid, to: pid, reason })),
    term.map((reason): DistFrame => ({ t: 'down', from: 'name', to: pid, ref: new Ref('b@h', 1, 2), reason })),
    fc.constant<DistFrame>({ t: 'tick' }),
  );

  it('holds for batches of arbitrary frames', () => {
    fc.assert(
      fc.property(fc.array(frame, { minLength: 1, maxLength: 5 }), (frames) => {
        const viaFast = decodeBatch(batchOf(...frames));
        const viaSj = frames.map((f) => decodeTerm(encodeTerm(f)));
        expect(viaFast).toHaveLength(frames.length);
        expect(identical(viaFast, viaSj)).toBeUndefined();
      }),
      { numRuns: Number(process.env.RUNS ?? 300) },
    );
  });
});
