/**
 * Migrations: moving relayed connections of server-nodes onto direct links (issue 18). While a
 * connection this node opened through the relay (its direct dial failed: the peer was frozen,
 * say) is carried by the relay, the direct dial is retried in the background with capped
 * backoff (1 s, 2 s, 4 s … 30 s by default) until it succeeds or the connection ends; then the
 * connection's SwitchableChannel moves onto the direct link (switchable-channel.ts has the
 * exchange). The dialer names the relayed channel's id and a one-time token in its direct link
 * (`migrate`: `<id>.<token>`); the peer finds the connection by the id and uses the link only
 * once the same token has come through the relayed channel itself.
 *
 * Partitions hold: the dial goes through DirectPaths, which refuses dials across a cut, and
 * closes direct links across one (ending the connection, as a relayed one ends).
 *
 * Tabs of one browser (local links, `LocalLinks`) move at once instead: `moveNow` runs the same
 * exchange as soon as the relayed channel is open, before the connection's handshake, so the
 * whole connection runs on the local link; it falls back to the relay (and the background
 * retries) when the move does not complete within its bound.
 */
import type { Clock, TimerHandle } from '../base/clock.js';
import type { DistCrypto } from '../base/crypto.js';
import { Backoff } from '../base/backoff.js';
import type { Channel } from '../net/transport.js';
import type { BaseChannel } from './base-channel.js';
import type { DirectPaths } from './direct-paths.js';
import { SwitchableChannel } from './switchable-channel.js';

/** How relayed connections retry their direct link: the backoff's first and largest delay. */
export interface MigrateOptions {
  initialMs?: number;
  maxMs?: number;
}

export class Migrations {
  /** Relayed connections that may move, by `${peer} ${relayId}`. */
  private readonly byId = new Map<string, SwitchableChannel>();
  private readonly timers = new Set<TimerHandle>();
  private closed = false;

  constructor(
    private readonly direct: DirectPaths,
    private readonly clock: Clock,
    private readonly crypto: DistCrypto,
    private readonly opts: MigrateOptions,
    private readonly log?: (level: 'info' | 'warning' | 'error', text: string) => void,
  ) {}

  /** Wrap a relayed channel with `peer` so that it can move onto a direct link. */
  wrap(peer: string, relayId: number, relay: BaseChannel): SwitchableChannel {
    // Forget the ones that ended or no longer need the relay.
    for (const [k, c] of this.byId) if (!c.isOpen || c.retired) this.byId.delete(k);
    const ch = new SwitchableChannel(relayId, relay);
    this.byId.set(`${peer} ${relayId}`, ch);
    return ch;
  }

  /** This node opened `ch` through the relay: retry the direct link in the background. */
  retry(peer: string, ch: SwitchableChannel): void {
    const backoff = new Backoff(this.opts.initialMs ?? 1_000, this.opts.maxMs ?? 30_000, () => 1);
    const schedule = (): void => {
      if (this.closed || !ch.isOpen) return;
      const t = this.clock.setTimeout(() => {
        this.timers.delete(t);
        void attempt();
      }, backoff.next());
      this.timers.add(t);
    };
    ch.onAbandon = schedule;
    const attempt = async (): Promise<void> => {
      if (this.closed || !ch.isOpen || ch.hasDirect) return;
      const d = await this.dial(peer, ch);
      if (d === undefined) return schedule();
      this.log?.('info', `moving the connection to ${peer} onto its direct link`);
      ch.dialed(d.link, d.token);
    };
    schedule();
  }

  /**
   * Move `ch` onto a direct link now: resolves true once both sides have switched, false when
   * `peer` has no direct address here, the dial fails, or the move is not done within `waitMs`
   * (it may still complete later; the channel works on either carrier meanwhile).
   */
  async moveNow(peer: string, ch: SwitchableChannel, waitMs: number): Promise<boolean> {
    const d = this.closed ? undefined : await this.dial(peer, ch);
    if (d === undefined) return false;
    const { link, token } = d;
    return new Promise<boolean>((resolve) => {
      const done = (ok: boolean): void => {
        this.clock.clearTimeout(timer);
        ch.onRetired = undefined;
        if (!ok && ch.onAbandon === abandoned) ch.onAbandon = undefined;
        resolve(ok);
      };
      const abandoned = (): void => done(false);
      const timer = this.clock.setTimeout(() => done(false), waitMs);
      ch.onRetired = () => done(true);
      ch.onAbandon = abandoned;
      ch.dialed(link, token);
      if (ch.retired) done(true);
      else if (!ch.hasDirect) done(false);
    });
  }

  /**
   * Dial `peer`'s direct link to carry `ch` (its migration id and a fresh token); undefined when
   * `peer` has no direct address here, is cut, `ch` is dialling already, or the dial failed.
   */
  private async dial(peer: string, ch: SwitchableChannel): Promise<{ link: Channel; token: string } | undefined> {
    const address = this.direct.address(peer);
    if (address === undefined || this.direct.isCut(peer) || !ch.startDial()) return undefined;
    const token = this.crypto.randomHex(16);
    try {
      return { link: await this.direct.dial(peer, address, `${ch.relayId}.${token}`), token };
    } catch {
      ch.dialFailed();
      return undefined;
    }
  }

  /** An inbound direct link from `peer` asking to carry a relayed channel (`migrate`: `<id>.<token>`). */
  accept(link: Channel, peer: string, migrate: string): void {
    const m = /^(\d{1,15})\.([0-9a-f]{32})$/.exec(migrate);
    const ch = m ? this.byId.get(`${peer} ${m[1]}`) : undefined;
    if (!m || !ch) return link.close('no_such_channel');
    ch.acceptDirect(link, m[2]!);
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) this.clock.clearTimeout(t);
    this.timers.clear();
    this.byId.clear();
  }
}
