/**
 * The node-wide tick timer of the distribution layer (Erlang's net_kernel ticker): every
 * `tickMs`, each connection that is up and received nothing during the interval counts one
 * silent tick, and one with TICKS_TO_TIMEOUT of them is reported `unresponsive` (its node
 * removes it with `net_tick_timeout`, so a frozen peer is found after 4–5 × tickMs); each that
 * sent nothing sends a `tick`. The timer runs only while there are connections.
 */
import type { Clock, TimerHandle } from '../base/clock.js';
import type { Connection } from './connection.js';

/** How many silent tick intervals make a peer unresponsive. */
export const TICKS_TO_TIMEOUT = 4;

export class Ticker {
  private timer: TimerHandle | undefined;
  private closed = false;

  constructor(
    private readonly clock: Clock,
    private readonly tickMs: number,
    private readonly connections: () => Iterable<Connection>,
    private readonly unresponsive: (c: Connection) => void,
  ) {}

  /** Run the timer (no-op while it runs, or once closed). */
  start(): void {
    if (this.timer !== undefined || this.closed) return;
    this.timer = this.clock.setTimeout(this.tick, this.tickMs);
  }

  /** Stop the timer; `close` also keeps it from starting again (the node stops). */
  stop(close = false): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.closed ||= close;
  }

  private readonly tick = (): void => {
    this.timer = undefined;
    let any = false;
    for (const c of [...this.connections()]) {
      any = true;
      if (c.state !== 'up') continue;
      if (c.recvSinceTick) c.silentTicks = 0;
      else c.silentTicks++;
      c.recvSinceTick = false;
      if (c.silentTicks >= TICKS_TO_TIMEOUT) {
        this.unresponsive(c);
        continue;
      }
      if (!c.sentSinceTick) c.send({ t: 'tick' });
      c.sentSinceTick = false;
    }
    if (any) this.start();
  };
}
