/** The caller's side of a name operation: send it to the leader, and settle it on the answer. */
import { ErlmeshError } from '../base/errors.js';
import { severalNames, type Reply } from './protocol.js';
import type { Call, Request, Server } from './state.js';

/** Send a call to the leader (or handle it here when this node leads). */
export function route(g: Server, c: Call): void {
  const s = g.state;
  if (s.stopped) return;
  const l = s.leader;
  c.sentTo = l;
  if (l === s.thisNode) {
    const req: Request = { from: s.thisNode, ref: c.ref, kind: c.kind, name: c.name, pid: c.pid, res: c.res, retry: c.retry };
    g.onReserve(req);
  } else g.send(l, { t: 'g_reserve', ref: c.ref, kind: c.kind, name: c.name, pid: c.pid, res: c.res, retry: c.retry });
}

/** The answer `ref`: to a call of this node, or the end of a conflict resolution's chain. */
export function onReply(g: Server, ref: string, result: string, info: unknown): void {
  const s = g.state;
  if (s.reservationsByRef.has(ref)) g.clearReservation(ref);
  const r = s.resolutionsByRef.get(ref);
  if (r) return g.endResolution(r);
  const c = s.calls.get(ref);
  if (!c) return;
  s.calls.delete(ref);
  const several = severalNames(info);
  if (several && c.pid) g.host.log('warning', `global: ${c.pid.toString()} registered under several names: [${several.join(',')}]`);
  if (result === 'not_allowed') {
    c.reject(new ErlmeshError('not_allowed', `global: ${c.kind} of '${c.name}' is not allowed for this node's role`, { kind: c.kind, name: c.name }));
  } else if (result === 'yes' || result === 'ok') {
    // Answer once every visible peer has the change (OTP's global returns only then). A
    // registration's one step runs on the pid's node; the others may touch any owner.
    g.afterSeen(c.kind === 'register' && c.pid ? [c.pid.node] : null, () => c.resolve(result));
  } else c.resolve(result);
}

/** Answer a caller (here or remote) directly. */
export function answer(g: Server, requester: string, reply: Reply): void {
  if (requester === g.state.thisNode) onReply(g, reply.ref, reply.result, reply.info);
  else g.send(requester, { t: 'g_reply', ...reply });
}
