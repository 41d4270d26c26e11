/**
 * Spawn requests this node has sent and not yet seen answered (erlang:spawn_request/5): the
 * requester's side of the exchange. A request goes out as a `spawn_request` frame; the answer
 * is a `spawn_reply` (the pid, or an error), or for `reply: 'error_only'` only the DOWN. If
 * the node goes down first, the request fails with `noconnection`.
 */
import type { SignalFrame, SpawnSpec } from './signals.js';
import { formatTerm } from '../terms/format.js';
import type { Pid } from '../terms/pid.js';
import type { Ref } from '../terms/ref.js';
import type { Proc } from './proc.js';

interface PendingSpawn {
  ref: Ref;
  requester: Pid;
  node: string;
  spec: SpawnSpec;
  link: boolean;
  monitor: boolean;
  /** Requested with `reply: 'error_only'`: the DOWN (or an error reply) is the only answer. */
  errorOnly?: boolean;
  /** An error_only request made from outside any process: the DOWN's reason goes here, not to a mailbox. */
  onDown?: (reason: unknown) => void;
  /** The spawned pid, when a spawn_reply named it (a BEAM node answers error_only requests too). */
  pid?: Pid;
  resolve(r: { pid: Pid; ref: Ref }): void;
}

/** What the pending requests need from the runtime. */
export interface SpawnRequestsHost {
  route(s: SignalFrame): void;
  local(pid: Pid): Proc | undefined;
  /** A fresh pid that never runs (what a failed spawn returns). */
  neverAlivePid(): Pid;
  /** Apply an exit signal to `p` (via a link when `viaLink`). */
  applyExit(p: Proc, from: Pid, reason: unknown, viaLink: boolean): void;
  log(level: 'info' | 'warning' | 'error', text: string): void;
}

const noop = (): void => {};

export class SpawnRequests {
  /**
   * By the id of the request's ref (a ref of this node: its id alone tells it from the others;
   * {@link find} checks the whole ref, so a ref of another node with the same id finds nothing).
   * A number key is hashed for free where a `Ref.key` string is built and hashed on every use.
   */
  readonly pending = new Map<number, PendingSpawn>();

  constructor(private readonly host: SpawnRequestsHost) {}

  /** Send a spawn request to `node`; resolves with the pid (and the ref) once it is answered. */
  request(ref: Ref, from: Pid, groupLeader: Pid, node: string, spec: SpawnSpec, link: boolean, monitor: boolean): Promise<{ pid: Pid; ref: Ref }> {
    return new Promise((resolve) => {
      this.pending.set(ref.id, { ref, requester: from, node, spec, link, monitor, resolve });
      this.host.route({ t: 'spawn_request', ref, from, groupLeader, node, spec, link, monitor });
    });
  }

  /**
   * Send a monitored spawn request with `reply: 'error_only'`: the DOWN is the only answer,
   * delivered to `from`'s mailbox, or with `onDown` handed its reason (`from` then only names
   * the monitor's owner to the other node; no local process needs to wait).
   */
  requestErrorOnly(ref: Ref, from: Pid, groupLeader: Pid, node: string, spec: SpawnSpec, onDown?: (reason: unknown) => void): void {
    this.pending.set(ref.id, { ref, requester: from, node, spec, link: false, monitor: true, errorOnly: true, onDown, resolve: noop });
    this.host.route({ t: 'spawn_request', ref, from, groupLeader, node, spec, link: false, monitor: true, reply: 'error_only' });
  }

  /** The node a spawn request with `ref` went to, while its answer is awaited. */
  nodeOf(ref: Ref): string | undefined {
    return this.find(ref)?.node;
  }

  /** The request made with `ref`, if it is still pending. */
  private find(ref: Ref): PendingSpawn | undefined {
    const p = this.pending.get(ref.id);
    return p !== undefined && p.ref.equals(ref) ? p : undefined;
  }

  /** Demonitor a process spawned with `requestErrorOnly` by `requester` whose DOWN has not come yet. */
  cancel(requester: Pid, ref: Ref): boolean {
    const pending = this.find(ref);
    if (!pending?.errorOnly || !pending.requester.equals(requester)) return false;
    this.pending.delete(ref.id);
    // The remote side finds the monitor by its ref; the node name stands for the unknown pid.
    this.host.route({ t: 'demonitor', from: requester, to: pending.pid ?? pending.node, node: pending.node, ref });
    return true;
  }

  /** A `spawn_reply`: link or monitor the new process as asked, or fail the request. */
  reply(s: Extract<SignalFrame, { t: 'spawn_reply' }>): void {
    const pending = this.find(s.ref);
    if (!pending) return;
    if (pending.onDown !== undefined && 'ok' in s.result) {
      // A BEAM node sends the spawn_reply of an error_only request too (OTP's requester needs
      // the pid for the monitor): the request stays pending until its DOWN.
      pending.pid = s.result.ok;
      return;
    }
    this.pending.delete(s.ref.id);
    if ('error' in s.result) {
      this.fail(pending, s.result.error);
      return;
    }
    const pid = s.result.ok;
    const requester = this.host.local(pending.requester);
    if (pending.link) {
      if (requester) requester.links.set(pid.key, pid);
      else this.host.route({ t: 'exit', from: pending.requester, to: pid, reason: 'noproc' });
    }
    if (pending.monitor) {
      if (requester) requester.monitors.set(s.ref.key, { ref: s.ref, shownAs: pid, node: pid.node, target: pid });
      else this.host.route({ t: 'demonitor', from: pending.requester, to: pid, node: pid.node, ref: s.ref });
    }
    pending.resolve({ pid, ref: s.ref });
  }

  /** A DOWN no monitor of `p` expects: the first and last word of a process spawned with reply `error_only`, if it is one. */
  errorOnlyDown(s: Extract<SignalFrame, { t: 'down' }>, p: Proc | undefined): void {
    const pending = this.find(s.ref);
    if (pending?.errorOnly && pending.requester.equals(s.to) && typeof s.from !== 'string') {
      this.pending.delete(s.ref.id);
      if (pending.onDown !== undefined) pending.onDown(s.reason);
      else if (p?.alive) p.mailbox.deliver(['DOWN', s.ref, 'process', s.from, s.reason]);
    }
  }

  /** `node` is unreachable: every request to it fails with `noconnection`. */
  nodeDown(node: string): void {
    for (const [key, pending] of [...this.pending]) {
      if (pending.node !== node) continue;
      this.pending.delete(key);
      this.fail(pending, 'noconnection');
    }
  }

  private fail(pending: PendingSpawn, reason: unknown): void {
    if (pending.onDown !== undefined) return pending.onDown(reason);
    const ref = pending.ref;
    const useless = this.host.neverAlivePid();
    // erlang:spawn/spawn_link/spawn_monitor log this; a spawn_request with reply error_only
    // does not: its requester (rpc, erpc) reports the failure to its own caller.
    if (!pending.errorOnly) {
      const what = pending.spec.kind === 'mfa' ? `${pending.spec.module}:${pending.spec.fun},${formatTerm(pending.spec.args)}` : 'fun';
      const suffix = pending.link ? ' ([link])' : pending.monitor ? ' ([monitor])' : '';
      this.host.log('warning', `** Can not start ${what} on ${pending.node} **${suffix}`);
    }
    const requester = this.host.local(pending.requester);
    if (requester && pending.link) this.host.applyExit(requester, useless, reason, true);
    if (requester?.alive && pending.monitor) requester.mailbox.deliver(['DOWN', ref, 'process', useless, reason]);
    pending.resolve({ pid: useless, ref });
  }
}
