/**
 * The capability guard of one node: it sees every signal from a peer that acts in a role (a
 * join-ticket holder), before the process runtime does, and enforces the node's
 * `capabilities` option (capabilities.ts decides; this file acts). Cookie holders never get
 * here (`Node._remoteSignal` in node/node.ts lets their signals straight through).
 *
 * For each signal from a peer in role R, in order:
 * 1. **Rate.** The connection's token bucket (R's `maxMessagesPerSecond`, default 1000, burst
 *    twice that, on the node's clock) must hold a token. If not, the signal is dropped, the
 *    peer is disconnected with nodedown reason `rate_limited`, and a warning is logged.
 * 2. **Monitors.** A `monitor` (or a `spawn_request` with a monitor) past R's `maxMonitors`
 *    (default 10 000) held by that peer's processes here is answered at once with
 *    `['DOWN', ref, 'process', target, 'not_allowed']` (the spawn: as a refused spawn below).
 * 3. **Capability.** A refused signal is not delivered; one warning line is logged on this
 *    node (`capabilities: refused <what> from node <peer> (role '<R>')`, at most
 *    LOG_LINES_PER_SECOND per peer per second, then one summary line), and the sender is
 *    told, in the shape Erlang gives for the nearest failure:
 *
 * | refused signal    | what the sending side sees |
 * |-------------------|----------------------------|
 * | `spawn_request`   | a `spawn_reply` with error `not_allowed` (also for `reply: 'error_only'` requests): `rpc.call` rejects `BadRpcError` `['EXIT', 'not_allowed']`, `erpc.call` rejects `ErpcError` class `'error'` reason `['erpc', 'not_allowed']`, `spawnMonitor` gets `['DOWN', ref, 'process', pid, 'not_allowed']`, `spawnLink` an exit signal `not_allowed`, `spawn` a pid that never lived (and a `** Can not start … **` log line there) |
 * | `reg_send`        | the sending process gets the message `['not_allowed', 'send', [name, thisNode]]` (a send from outside any process: only the log line here) |
 * | `link`            | an exit signal `not_allowed` from the pid, as linking to a dead pid gives `noproc`: a linker trapping exits gets `['EXIT', pid, 'not_allowed']`, one that does not dies with `not_allowed` |
 * | `exit2`           | the sending process gets the message `['not_allowed', 'exit', pid]`; the target is untouched |
 * | `send` to a name service's pid that does not name the peer as its sender (forged) | nothing but the log line (a `send` names no sending process) |
 * | `monitor`, `demonitor` with a reference the peer did not make; `down`, `spawn_reply` for a monitor or spawn request aimed at another node (forged) | nothing but the log line (no honest peer sends them) |
 *
 * `global` and `pg` check their own capability (they call {@link Guard.policyOf} and
 * {@link Guard.refused}); see global/name-server.ts and pg/pg.ts.
 */
import type { Clock } from '../base/clock.js';
import type { NodeChange } from '../interfaces/node-events.js';
import type { SignalFrame } from '../process/signals.js';
import type { Pid } from '../terms/pid.js';
import type { Ref } from '../terms/ref.js';
import { DEFAULT_MAX_MESSAGES_PER_SECOND, DEFAULT_MAX_MONITORS, decide } from './capabilities.js';
import { LogLimiter, TokenBucket } from './limits.js';
import type { Capabilities, RolePolicy } from '../interfaces/trust.js';

/** Refusal log lines per peer per second before they are summarised. */
export const LOG_LINES_PER_SECOND = 10;

/**
 * The message a sending process gets when its `send([name, node], msg)` is refused.
 *
 * @example
 * self.send(['admin', 'srv@host'], 'hi');
 * const n = await self.receive((m): m is SendRefusedNotice => m[0] === 'not_allowed' && m[1] === 'send', 1_000);
 */
export type SendRefusedNotice = ['not_allowed', 'send', [name: string, node: string]];
/**
 * The message a sending process gets when its `exit(pid, reason)` is refused.
 *
 * @example
 * self.exit(serverPid, 'kill');
 * const n = await self.receive((m): m is ExitRefusedNotice => m[0] === 'not_allowed' && m[1] === 'exit', 1_000);
 */
export type ExitRefusedNotice = ['not_allowed', 'exit', unknown];

/** What the guard needs from its node. */
export interface GuardHost {
  /** This node's name. */
  readonly name: string;
  readonly clock: Clock;
  log(level: 'info' | 'warning' | 'error', text: string): void;
  /** Deliver a signal wherever its target lives (the runtime's `route`). */
  route(s: SignalFrame): void;
  /** The role of a connected peer: undefined for a cookie holder, null when not connected. */
  roleOf(node: string): string | undefined | null;
  /** Close the connection to `node`, its nodedown carrying `reason`. */
  disconnect(node: string, reason: 'rate_limited'): boolean;
  /** Locally registered names every role may send to (the name services). */
  isService(name: string): boolean;
  /** The local registered name of `pid`, if any. */
  nameOf(pid: Pid): string | undefined;
  /** The node the local process `to` awaits a DOWN or spawn_reply with `ref` from, if any. */
  awaitedFrom(to: Pid, ref: Ref): string | undefined;
  /** How many monitors processes of `node` hold on this node's processes. */
  watchersFrom(node: string): number;
}

const EMPTY: RolePolicy = {};

/** One per node (`node.capabilityGuard`, not part of the public API); services reach it through `ServiceHost.policyOf`/`refused` */
export class Guard {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly logLimiter: LogLimiter;
  private readonly isService: (name: string) => boolean;
  private readonly nameOf: (pid: Pid) => string | undefined;
  private readonly awaitedFrom: (to: Pid, ref: Ref) => string | undefined;

  constructor(
    private readonly caps: Capabilities | undefined,
    private readonly host: GuardHost,
  ) {
    this.logLimiter = new LogLimiter(
      host.clock,
      LOG_LINES_PER_SECOND,
      (text) => host.log('warning', text),
      (peer, n) => `capabilities: ${n} more refusal${n === 1 ? '' : 's'} from node ${peer} in the last second were not logged`,
    );
    this.isService = (name) => host.isService(name);
    this.nameOf = (pid) => host.nameOf(pid);
    this.awaitedFrom = (to, ref) => host.awaitedFrom(to, ref);
  }

  /** The policy of `role` (the empty policy for a role this node has none for). */
  policy(role: string): RolePolicy {
    const caps = this.caps;
    return caps !== undefined && Object.prototype.hasOwnProperty.call(caps, role) ? caps[role]! : EMPTY;
  }

  /**
   * The policy that applies to the connected peer `node`: undefined for a cookie holder (and
   * for this node), null when `node` is not connected.
   */
  policyOf(node: string): RolePolicy | undefined | null {
    if (node === this.host.name) return undefined;
    const role = this.host.roleOf(node);
    if (role === null || role === undefined) return role;
    return this.policy(role);
  }

  /** True when `node` is this node or a connected cookie holder. */
  trusted(node: string): boolean {
    return node === this.host.name || this.host.roleOf(node) === undefined;
  }

  /**
   * A signal from `peer`, which acts in `role`: true to deliver it. Otherwise it has been
   * dealt with (refused and answered, or the peer cut for its rate).
   */
  admit(s: SignalFrame, peer: string, role: string): boolean {
    const policy = this.policy(role);
    let bucket = this.buckets.get(peer);
    if (bucket === undefined) {
      const rate = policy.maxMessagesPerSecond ?? DEFAULT_MAX_MESSAGES_PER_SECOND;
      this.buckets.set(peer, (bucket = new TokenBucket(this.host.clock, rate, 2 * rate)));
    }
    if (!bucket.take()) {
      this.cut(peer, role, policy.maxMessagesPerSecond ?? DEFAULT_MAX_MESSAGES_PER_SECOND);
      return false;
    }
    if ((s.t === 'monitor' || (s.t === 'spawn_request' && s.monitor)) && this.host.watchersFrom(peer) >= (policy.maxMonitors ?? DEFAULT_MAX_MONITORS)) {
      this.refused(peer, `a monitor past its ${policy.maxMonitors ?? DEFAULT_MAX_MONITORS} (maxMonitors)`, role);
      if (s.t === 'monitor') this.host.route({ t: 'down', from: s.to, to: s.from, ref: s.ref, reason: 'not_allowed' });
      else this.answer(s);
      return false;
    }
    const d = decide(policy, s, { peer, isService: this.isService, nameOf: this.nameOf, awaitedFrom: this.awaitedFrom });
    if (d.ok) return true;
    this.refused(peer, d.what, role);
    this.answer(s);
    return false;
  }

  /** Log a refusal of `what` from `peer` (one line, flood-limited per peer). */
  refused(peer: string, what: string, role: string | undefined | null = this.host.roleOf(peer)): void {
    this.logLimiter.line(peer, `capabilities: refused ${what} from node ${peer} (role '${String(role)}')`);
  }

  /** Tell the sender of a refused signal, in the shape of the nearest Erlang failure. */
  private answer(s: SignalFrame): void {
    const host = this.host;
    switch (s.t) {
      case 'spawn_request':
        // Sent even for reply 'error_only': an error is the one reply such a request expects.
        host.route({ t: 'spawn_reply', ref: s.ref, to: s.from, result: { error: 'not_allowed' } });
        return;
      case 'reg_send':
        if (s.from !== undefined) {
          const notice: SendRefusedNotice = ['not_allowed', 'send', [s.to, s.node]];
          host.route({ t: 'send', to: s.from, msg: notice });
        }
        return;
      case 'link':
        host.route({ t: 'exit', from: s.to, to: s.from, reason: 'not_allowed' });
        return;
      case 'exit2': {
        const notice: ExitRefusedNotice = ['not_allowed', 'exit', s.to];
        host.route({ t: 'send', to: s.from, msg: notice });
        return;
      }
      default:
        return;
    }
  }

  private cut(peer: string, role: string, rate: number): void {
    this.host.log('warning', `capabilities: node ${peer} (role '${role}') sent more than ${rate} signals per second; disconnecting it (rate_limited)`);
    this.buckets.delete(peer);
    this.host.disconnect(peer, 'rate_limited');
  }

  /** A nodeup/nodedown on its way to the node's listeners: a peer that goes gets a fresh bucket when it comes back. */
  nodeChange(c: NodeChange): NodeChange {
    if (c.kind !== 'nodedown') return c;
    this.buckets.delete(c.node);
    this.logLimiter.forget(c.node);
    return c;
  }
}
