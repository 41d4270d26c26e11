/**
 * The frames of a fast batch (encodings.ts): one code byte, then the frame's fields in a fixed
 * order. Every frame has a generic form (code 0x00 and the frame as a plain object term);
 * the frames on the hot paths also have positional forms, which carry no key names and
 * decode into the same objects:
 *
 *     frame := 0x01 to:Pid msg:term                                  { t: 'send', to, msg }
 *            | 0x02 from:term to:string node:string msg:term         { t: 'reg_send', from, to, node, msg }
 *            | 0x03                                                  { t: 'tick' }
 *            | 0x00 frame:term                                       any frame, as a plain object term
 *            | 0x04 total:uv len:uv bytes[len]                       first fragment of a big frame
 *            | 0x05 len:uv bytes[len]                                next fragment (fragments.ts)
 *   fast-3 only (written to a peer that chose fast-3; read from any):
 *            | 0x06 ref:term from:Pid gl:Pid node:string flags:byte module:string fun:string args:array
 *                 { t: 'spawn_request', ref, from, groupLeader: gl, node, spec: { kind: 'mfa', module, fun, args },
 *                   link: flags & 1, monitor: flags & 2, reply: 'error_only' if flags & 4 }
 *            | 0x07 ref:term to:Pid pid:Pid                          { t: 'spawn_reply', ref, to, result: { ok: pid } }
 *            | 0x08 ref:term to:Pid error:term                       { t: 'spawn_reply', ref, to, result: { error } }
 *            | 0x09 from:term to:Pid ref:term reason:term            { t: 'down', from, to, ref, reason }
 *            | 0x0a / 0x0b from:Pid to:Pid                           { t: 'link' / 'unlink', from, to }
 *            | 0x0c / 0x0d from:Pid to:Pid reason:term               { t: 'exit' / 'exit2', from, to, reason }
 *            | 0x0e / 0x0f from:Pid to:term node:string ref:term     { t: 'monitor' / 'demonitor', from, to, node, ref }
 *
 * (`Pid`, `string`, `array` and `term` are terms of the fast format, tag included.)
 *
 * Invariants:
 * - A positional form is written only for a frame that fits it exactly (the fields of the
 *   right kinds, no others that matter); anything else, well-formed or not, goes generic, so
 *   the receiver validates (frame-checks.ts) what the sender really sent, in either form.
 * - Reading a positional form gives the object the generic form of the same frame gives.
 * - A malformed frame throws `bad_frame` (the caller's guardDecode).
 */
import { ErlmeshError } from '../base/errors.js';
import { type TermReader, type TermWriter } from '../codec/binary.js';
import { Pid } from '../terms/pid.js';
import type { AnyFrame, DistFrame } from './frames.js';
import { FragmentPiece } from './fragments.js';

const F_GENERIC = 0x00;
const F_SEND = 0x01;
const F_REG_SEND = 0x02;
const F_TICK = 0x03;
/** First fragment of a big frame. */
export const F_FRAG_FIRST = 0x04;
/** Next fragment of a big frame. */
export const F_FRAG_NEXT = 0x05;
const F_SPAWN_REQUEST = 0x06;
const F_SPAWN_OK = 0x07;
const F_SPAWN_ERROR = 0x08;
const F_DOWN = 0x09;
const F_LINK = 0x0a;
const F_UNLINK = 0x0b;
const F_EXIT = 0x0c;
const F_EXIT2 = 0x0d;
const F_MONITOR = 0x0e;
const F_DEMONITOR = 0x0f;

const LINK = 1;
const MONITOR = 2;
const ERROR_ONLY = 4;

/** What a batch carries: frames, and fragments of big frames. */
export type BatchItem = AnyFrame | FragmentPiece;

/** Write `f` (code and fields); `signals`: the positional forms of fast-3 may be used. */
export function writeFrame(w: TermWriter, f: DistFrame, signals: boolean): void {
  switch (f.t) {
    case 'send':
      if (f.to instanceof Pid) {
        w.byte(F_SEND);
        w.pid(f.to);
        w.term(f.msg);
        return;
      }
      break;
    case 'reg_send':
      if ((f.from === undefined || f.from instanceof Pid) && typeof f.to === 'string' && typeof f.node === 'string') {
        w.byte(F_REG_SEND);
        if (f.from === undefined) w.term(undefined);
        else w.pid(f.from);
        w.string(f.to);
        w.string(f.node);
        w.term(f.msg);
        return;
      }
      break;
    case 'tick':
      w.byte(F_TICK);
      return;
    default:
      if (signals && writeSignal(w, f)) return;
  }
  w.byte(F_GENERIC);
  w.term(f);
}

/** The positional form of a signal frame that fits one exactly; false (nothing written) otherwise. */
function writeSignal(w: TermWriter, f: DistFrame): boolean {
  switch (f.t) {
    case 'spawn_request': {
      const s = f.spec;
      if (
        s.kind !== 'mfa' || typeof s.module !== 'string' || typeof s.fun !== 'string' || !Array.isArray(s.args) ||
        !(f.from instanceof Pid) || !(f.groupLeader instanceof Pid) || typeof f.node !== 'string' ||
        typeof f.link !== 'boolean' || typeof f.monitor !== 'boolean' || (f.reply !== undefined && f.reply !== 'error_only')
      ) return false;
      w.byte(F_SPAWN_REQUEST);
      w.term(f.ref);
      w.pid(f.from);
      w.pid(f.groupLeader);
      w.string(f.node);
      w.byte((f.link ? LINK : 0) | (f.monitor ? MONITOR : 0) | (f.reply === 'error_only' ? ERROR_ONLY : 0));
      w.string(s.module);
      w.string(s.fun);
      w.term(s.args);
      return true;
    }
    case 'spawn_reply': {
      const r = f.result as { ok?: unknown; error?: unknown };
      if (!(f.to instanceof Pid) || typeof r !== 'object' || r === null) return false;
      if ('ok' in r && r.ok instanceof Pid && !('error' in r)) {
        w.byte(F_SPAWN_OK);
        w.term(f.ref);
        w.pid(f.to);
        w.pid(r.ok);
        return true;
      }
      if ('error' in r && !('ok' in r)) {
        w.byte(F_SPAWN_ERROR);
        w.term(f.ref);
        w.pid(f.to);
        w.term(r.error);
        return true;
      }
      return false;
    }
    case 'down':
      if (!(f.to instanceof Pid)) return false;
      w.byte(F_DOWN);
      w.term(f.from);
      w.pid(f.to);
      w.term(f.ref);
      w.term(f.reason);
      return true;
    case 'link':
    case 'unlink':
      if (!(f.from instanceof Pid) || !(f.to instanceof Pid)) return false;
      w.byte(f.t === 'link' ? F_LINK : F_UNLINK);
      w.pid(f.from);
      w.pid(f.to);
      return true;
    case 'exit':
    case 'exit2':
      if (!(f.from instanceof Pid) || !(f.to instanceof Pid)) return false;
      w.byte(f.t === 'exit' ? F_EXIT : F_EXIT2);
      w.pid(f.from);
      w.pid(f.to);
      w.term(f.reason);
      return true;
    case 'monitor':
    case 'demonitor':
      if (!(f.from instanceof Pid) || typeof f.node !== 'string') return false;
      w.byte(f.t === 'monitor' ? F_MONITOR : F_DEMONITOR);
      w.pid(f.from);
      w.term(f.to);
      w.string(f.node);
      w.term(f.ref);
      return true;
    default:
      return false;
  }
}

/** Read one frame (or fragment), whichever form it came in. */
export function readFrame(r: TermReader): BatchItem {
  const code = r.byte();
  switch (code) {
    case F_FRAG_FIRST:
      return readFragment(r, true);
    case F_FRAG_NEXT:
      return readFragment(r, false);
    case F_SEND: {
      const to = r.pid();
      const msg = r.term();
      return { t: 'send', to, msg };
    }
    case F_REG_SEND: {
      const from = r.term();
      if (from !== undefined && !(from instanceof Pid)) throw new ErlmeshError('bad_frame', 'malformed reg_send');
      const to = r.stringTerm('reg_send name');
      const node = r.stringTerm('reg_send node');
      const msg = r.term();
      return { t: 'reg_send', from, to, node, msg };
    }
    case F_TICK:
      return { t: 'tick' };
    case F_GENERIC: {
      const f = r.term();
      if (typeof f !== 'object' || f === null || typeof (f as { t?: unknown }).t !== 'string') {
        throw new ErlmeshError('bad_frame', 'a frame is an object with a string tag');
      }
      return f as AnyFrame;
    }
    case F_SPAWN_REQUEST: {
      const ref = r.term();
      const from = r.pid();
      const groupLeader = r.pid();
      const node = r.stringTerm('spawn_request node');
      const flags = r.byte();
      if (flags > 7) throw new ErlmeshError('bad_frame', 'malformed spawn_request flags');
      const module = r.stringTerm('spawn_request module');
      const fun = r.stringTerm('spawn_request function');
      const args = r.term();
      if (!Array.isArray(args)) throw new ErlmeshError('bad_frame', 'malformed spawn_request arguments');
      const f: Record<string, unknown> = { t: 'spawn_request', ref, from, groupLeader, node, spec: { kind: 'mfa', module, fun, args }, link: (flags & LINK) !== 0, monitor: (flags & MONITOR) !== 0 };
      if (flags & ERROR_ONLY) f.reply = 'error_only';
      return f as AnyFrame;
    }
    case F_SPAWN_OK:
    case F_SPAWN_ERROR: {
      const ref = r.term();
      const to = r.pid();
      const result = code === F_SPAWN_OK ? { ok: r.pid() } : { error: r.term() };
      return { t: 'spawn_reply', ref, to, result } as AnyFrame;
    }
    case F_DOWN: {
      const from = r.term();
      const to = r.pid();
      const ref = r.term();
      const reason = r.term();
      return { t: 'down', from, to, ref, reason } as AnyFrame;
    }
    case F_LINK:
    case F_UNLINK: {
      const from = r.pid();
      const to = r.pid();
      return { t: code === F_LINK ? 'link' : 'unlink', from, to };
    }
    case F_EXIT:
    case F_EXIT2: {
      const from = r.pid();
      const to = r.pid();
      const reason = r.term();
      return { t: code === F_EXIT ? 'exit' : 'exit2', from, to, reason };
    }
    case F_MONITOR:
    case F_DEMONITOR: {
      const from = r.pid();
      const to = r.term();
      const node = r.stringTerm('monitor node');
      const ref = r.term();
      return { t: code === F_MONITOR ? 'monitor' : 'demonitor', from, to, node, ref } as AnyFrame;
    }
    default:
      throw new ErlmeshError('bad_frame', 'unknown frame code');
  }
}

function readFragment(r: TermReader, first: boolean): FragmentPiece {
  const total = first ? r.uv() : undefined;
  const len = r.uv();
  if (len > r.end - r.p) throw new ErlmeshError('bad_frame', 'truncated fragment');
  const bytes = r.b.subarray(r.p, r.p + len);
  r.p += len;
  return new FragmentPiece(bytes, total);
}
