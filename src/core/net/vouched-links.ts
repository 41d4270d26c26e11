/**
 * Connections up on the relay's word (issue 13; connection.ts `vouched`): made up from the
 * relay's membership (relay-membership.ts) without any exchange, their channel opened on first
 * use with a relay-vouched hello (handshake.ts), and the channels the peer opens attached to
 * them. The net kernel owns the connection table; this is the part of it that concerns them.
 *
 * Invariants: a vouched connection sends on one channel, the first it had (its own, or the
 * peer's when the peer's came first), and receives on all of them, so frames each way keep
 * their order; any of its channels closing takes it down (as any closed connection), and so
 * does a handshake on its channel that fails (`connection_setup_failed`, the cause in
 * `lastConnectError`; when it was not a refusal and the relay still vouches for the peer, it is
 * up again at once, after that nodedown).
 */
import { ErlmeshError, type ErlmeshErrorCode } from '../base/errors.js';
import { attestationOf } from './attestation.js';
import { Connection } from './connection.js';
import { FramedChannel } from './framed-channel.js';
import { handshakeWeStarted, type HandshakeEnv, type PeerInfo } from './handshake.js';
import type { NodeChange, NodedownReason } from './node-events.js';
import type { NodeFlags } from './frames.js';
import type { Member, Transport } from './transport.js';

/** What the vouched connections need of the net kernel. */
export interface VouchedHost {
  readonly conns: Map<string, Connection>;
  readonly lastError: Map<string, ErlmeshErrorCode>;
  readonly flags: NodeFlags;
  readonly transport: Transport;
  readonly hs: HandshakeEnv;
  onChange(change: NodeChange): void;
  down(c: Connection, reason: NodedownReason): void;
  /** Frames of `framed` go to `c`; its close takes `c` down. */
  consume(c: Connection, framed: FramedChannel): void;
  sendQueued(c: Connection): void;
  /** `peer` as a member the relay still vouches for, if it is one. */
  stillVouched(peer: string): Member | undefined;
}

/** Failures of a vouched hello that are the peer's refusal (no retry on the relay's word). */
const REFUSALS: ReadonlySet<ErlmeshErrorCode> = new Set(['bad_cookie', 'not_allowed', 'ticket_forged', 'name_mode_mismatch', 'incompatible_version']);

export class VouchedLinks {
  constructor(private readonly k: VouchedHost) {}

  /** `m` is up on the relay's word: a connection with no channel yet (opened on first use). */
  memberUp(m: Member): void {
    const k = this.k;
    const old = k.conns.get(m.name);
    if (old && old.state === 'up' && old.info?.creation === m.creation) return;
    if (old && old.state === 'pending') return; // a handshake in flight makes it
    if (old) k.down(old, 'connection_closed'); // a former incarnation
    const c = new Connection(m.name);
    c.state = 'up';
    c.vouched = true;
    c.localHidden = k.flags.hidden;
    c.info = { name: m.name, creation: m.creation, flags: { hidden: m.hidden, connectAll: m.connectAll, mode: k.flags.mode }, encoding: 'superjson-1', vouched: true };
    k.conns.set(m.name, c);
    k.lastError.delete(m.name);
    k.onChange({ kind: 'nodeup', node: m.name, hidden: c.hidden });
  }

  /** The relay reports `peer` gone: its connection goes down with the relay's reason, if it is one up on its word. */
  left(peer: string, reason: string): void {
    const c = this.k.conns.get(peer);
    if (c?.vouched) this.k.down(c, reason);
  }

  /** Open the channel of the vouched connection `c` (its first send). */
  open(c: Connection): void {
    const k = this.k;
    c.opening = true;
    const wanted = (): boolean => k.conns.get(c.peer) === c;
    const fail = (code: ErlmeshErrorCode): void => {
      if (!wanted()) return;
      k.lastError.set(c.peer, code);
      k.down(c, 'connection_setup_failed');
      // Lost on the way (a timeout, a closed channel) while the relay still vouches for it: up
      // again on its word (the nodedown above has turned what was queued into noconnection).
      if (!REFUSALS.has(code)) this.revive(c.peer);
    };
    k.transport.connect(c.peer).then(
      (channel) => {
        if (!wanted()) return channel.close('superseded');
        const framed = new FramedChannel(channel);
        handshakeWeStarted(framed, k.hs, c.peer, attestationOf(channel), wanted).then(
          (info) => {
            if (!wanted()) return void this.adoptOrClose(c.peer, framed, info);
            if (info.creation !== c.info?.creation) {
              framed.close('superseded');
              return k.down(c, 'connection_closed'); // it restarted: the relay reports the new one
            }
            this.attach(c, framed);
          },
          (e: unknown) => {
            const status = e instanceof ErlmeshError ? (e.details as { status?: string } | undefined)?.status : undefined;
            if (status === 'nok' || status === 'superseded') return void (c.opening = false); // its own channel comes
            fail(e instanceof ErlmeshError ? e.code : 'handshake_failed');
          },
        );
      },
      (e: unknown) => fail(e instanceof ErlmeshError ? e.code : 'nodedown'),
    );
  }

  /**
   * A channel whose vouched handshake ended after the connection it was for had gone: the peer
   * holds it as a channel of the connection, so it joins the connection now in place (same
   * incarnation) rather than be closed, which would take the peer's connection down. Else it
   * is closed. False when it was not vouched (the caller closes it as before).
   */
  adoptOrClose(peer: string, framed: FramedChannel, info: PeerInfo): boolean {
    if (!info.vouched) return false;
    const cur = this.k.conns.get(peer);
    if (cur && cur.state === 'up' && cur.vouched && cur.info?.creation === info.creation) this.attach(cur, framed);
    else framed.close('superseded');
    return true;
  }

  /** `peer` is up again on the relay's word if the relay still vouches for it. */
  revive(peer: string): void {
    const m = this.k.stillVouched(peer);
    if (m) this.memberUp(m);
  }

  /** A channel of the vouched connection `c`: the one it sends on if it has none yet, else one it receives on. */
  attach(c: Connection, framed: FramedChannel): void {
    if (c.framed === undefined) {
      c.framed = framed;
      this.k.sendQueued(c);
    } else c.rx.push(framed);
    this.k.consume(c, framed);
  }
}
