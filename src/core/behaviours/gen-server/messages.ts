/**
 * Matchers of the messages in the gen_server exchange, the `From` of a call with the way back
 * to its caller, and which exit reasons are not failures.
 */
import type { Dest } from '../../interfaces/self.js';
import { Pid } from '../../terms/pid.js';
import { Ref } from '../../terms/ref.js';
import { attachLocal, localAttachment } from '../../terms/local-attachment.js';
import type { From } from './types.js';

export const isExitFrom = (m: unknown, pid: Pid): boolean => Array.isArray(m) && m[0] === 'EXIT' && m.length === 3 && pid.equals(m[1]);

export function isFrom(x: unknown): x is From {
  return Array.isArray(x) && x.length === 2 && x[0] instanceof Pid && x[1] instanceof Ref;
}

/** `['DOWN', ref, …]` for the monitor `ref` (terms/guards.ts). */
export { isDownFor as isDown } from '../../terms/guards.js';

/** Reasons that are not failures: 'normal', 'shutdown', ['shutdown', _] (process/signals.ts). */
export { isNormalExit } from '../../process/signals.js';

/** What sends a reply: the node of the server that received the call. */
export interface ReplySender {
  send<T>(dest: Dest, msg: T): T;
}

const REPLY_VIA = Symbol('erlmesh.genServer.replyVia');

/**
 * The `From` that `handleCall` gets for a call's `[pid, tag]`: a fresh `[pid, tag]` that also
 * knows the node to answer from, so `genServer.reply(from, value)` works anywhere the value
 * is passed by reference. The sender is attached, not part of the term
 * (terms/local-attachment.ts): it does not travel, compare, or print; a copy of the From (a
 * message to another node) loses it.
 */
export function serverFrom(from: From, via: ReplySender): From {
  return attachLocal<From>([from[0], from[1]], REPLY_VIA, via);
}

/** The sender a From got in `serverFrom`, if any. */
export function replySender(from: From): ReplySender | undefined {
  return localAttachment<ReplySender>(from, REPLY_VIA);
}

/** Send the reply `value` to the caller `from`, from `via`. */
export function sendReply(via: ReplySender, from: From, value: unknown): void {
  via.send(from[0], [from[1], value]);
}
