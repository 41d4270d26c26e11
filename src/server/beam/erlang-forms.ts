/**
 * Where erlmesh and Erlang write the same thing differently, the bridge (bridge.ts) writes
 * Erlang's form on the way to a BEAM node: the io protocol of a process whose group leader is
 * there, and the undef exit reason. Everything else goes as it is.
 */
import type { SignalFrame } from '../../core/process/signals.js';
import { binary } from '../../core/terms/beam-binary.js';
import { List, list } from '../../core/terms/beam-list.js';

/**
 * Output of an erlmesh process whose group leader is on BEAM (spawned by BEAM, so rpc output
 * shows where the call was made, as in Erlang): erlmesh's one-way
 * `{io_request, From, put_chars, Text}` as Erlang's io protocol,
 * `{io_request, From, put_chars, {put_chars, unicode, <<Text>>}}` (the io server's
 * `{io_reply, put_chars, ok}` then lands in the sender's mailbox, unread).
 */
function erlangIo(s: Extract<SignalFrame, { t: 'send' }>): SignalFrame {
  const m = s.msg;
  if (!Array.isArray(m) || m.length !== 4 || m[0] !== 'io_request' || m[2] !== 'put_chars' || typeof m[3] !== 'string') return s;
  return { ...s, msg: ['io_request', m[1], 'put_chars', ['put_chars', 'unicode', binary(m[3])]] };
}

/**
 * erlmesh's undef exit reason `['undef', [M, F, Args]]` as Erlang's `{undef, [{M, F, Args, []}]}`
 * (a process spawned from BEAM on a function erlmesh does not have, or calling one).
 */
function erlangReason(reason: unknown): unknown {
  if (!Array.isArray(reason) || reason.length !== 2 || reason[0] !== 'undef') return reason;
  const call = reason[1] as unknown;
  if (!Array.isArray(call) || call instanceof List || call.length !== 3 || !Array.isArray(call[2])) return reason;
  return ['undef', list([[call[0], call[1], list(call[2] as unknown[]), list()]])];
}

/**
 * `s` with what differs between erlmesh's and Erlang's forms written as Erlang's.
 *
 * @example
 * asErlang({ t: 'down', from: pid, to, ref, reason: ['undef', ['kvs', 'nosuch', []]] });   // reason {undef, [{kvs, nosuch, [], []}]}
 */
export function asErlang(s: SignalFrame): SignalFrame {
  if (s.t === 'send') return erlangIo(s);
  if (s.t === 'exit' || s.t === 'exit2' || s.t === 'down') return { ...s, reason: erlangReason(s.reason) };
  return s;
}
