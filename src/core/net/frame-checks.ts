/**
 * Shape checks for signal frames decoded from the wire. A frame that fails is a protocol
 * violation: the connection is closed with `bad_frame` (never an exception in the runtime).
 */
import { isPid, isRef, isStr } from '../terms/guards.js';
import type { SignalFrame, SignalTag } from './frames.js';

const isTarget = (v: unknown): boolean => isPid(v) || isStr(v);

type Frame = Record<string, unknown>;

const CHECKS: { [K in SignalTag]: (f: Frame) => boolean } = {
  send: (f) => isPid(f.to),
  reg_send: (f) => isStr(f.to) && isStr(f.node) && (f.from === undefined || isPid(f.from)),
  link: (f) => isPid(f.from) && isPid(f.to),
  unlink: (f) => isPid(f.from) && isPid(f.to),
  exit: (f) => isPid(f.from) && isPid(f.to),
  exit2: (f) => isPid(f.from) && isPid(f.to),
  monitor: (f) => isPid(f.from) && isTarget(f.to) && isStr(f.node) && isRef(f.ref),
  demonitor: (f) => isPid(f.from) && isTarget(f.to) && isStr(f.node) && isRef(f.ref),
  down: (f) => isTarget(f.from) && isPid(f.to) && isRef(f.ref),
  spawn_request: (f) => {
    const s = f.spec as Frame | undefined;
    const specOk =
      !!s &&
      ((s.kind === 'mfa' && isStr(s.module) && isStr(s.fun) && Array.isArray(s.args)) || (s.kind === 'fn' && isStr(s.source)));
    return isRef(f.ref) && isPid(f.from) && isPid(f.groupLeader) && isStr(f.node) && specOk && typeof f.link === 'boolean' && typeof f.monitor === 'boolean' && (f.reply === undefined || f.reply === 'error_only');
  },
  spawn_reply: (f) => {
    const r = f.result as Frame | undefined;
    return isRef(f.ref) && isPid(f.to) && !!r && typeof r === 'object' && (isPid(r.ok) || 'error' in r);
  },
};

/** True when `f` has the fields its tag requires. */
export function validateSignal(f: { t: string }): f is SignalFrame {
  const check = (CHECKS as Record<string, ((f: Frame) => boolean) | undefined>)[f.t];
  return !!check && check(f as unknown as Frame);
}
