/**
 * Failure detection of the net kernel's handshaken connections: one node-wide timer fires
 * every `tickMs`; a connection that sent nothing in an interval sends a `tick`; one that
 * received nothing for TICKS_TO_TIMEOUT intervals is reported (`onTimeout`, which removes it
 * with reason `net_tick_timeout`), so a frozen peer is found after 4–5 × tickMs. Relay-vouched
 * connections do not tick: the relay reports their peer gone (connection.ts).
 */
import type { Clock, TimerHandle } from '../base/clock.js';
import type { Connection } from './connection.js';

/** How many silent tick intervals make a peer unresponsive. */
export const TICKS_TO_TIMEOUT = 4;

export class Ticker {
  private timer: TimerHandle | undefined;
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly tickMs: number,
    private readonly connections: () => Iterable<Connection>,
    private readonly onTimeout: (c: Connection) => void,
  ) {}

  /** Tick from now on (idempotent). */
  ensure(): void {
    if (this.timer !== undefined || this.stopped) return;
    this.timer = this.clock.setTimeout(() => this.tick(), this.tickMs);
  }

  /** Stop until the next `ensure`; `forever` for a closed kernel. */
  stop(forever = false): void {
    if (forever) this.stopped = true;
    if (this.timer === undefined) return;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    this.timer = undefined;
    let any = false;
    for (const c of [...this.connections()]) {
      if (c.state !== 'up' || c.vouched) continue;
      any = true;
      if (c.recvSinceTick) c.silentTicks = 0;
      else c.silentTicks++;
      c.recvSinceTick = false;
      if (c.silentTicks >= TICKS_TO_TIMEOUT) {
        this.onTimeout(c);
        continue;
      }
      if (!c.sentSinceTick) c.send({ t: 'tick' });
      c.sentSinceTick = false;
    }
    if (any) this.ensure();
  }
}
