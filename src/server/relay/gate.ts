/**
 * The admission gate: bounds the connections the relay holds before admission (a TCP
 * connection that has not yet sent a `register` the relay welcomed), per remote address and
 * in total, and gives each one deadline, counted from the moment it is accepted — through the
 * TLS handshake, the HTTP upgrade and the registration alike. A slowloris that never finishes
 * its upgrade is dropped at the same deadline as a WebSocket that never registers.
 *
 * Refusals cost the refused nothing and come as fast as connections can be opened: they are
 * logged at warn at most once per LOG_WINDOW_MS, the lines held back counted in one summary
 * line at the end of the window, so a flood costs a few log lines, not one per socket. (A
 * connection the relay held and then cut is logged by the caller, one line each: there are at
 * most maxPending of them per deadline.)
 *
 * Time comes from the injected `Clock`; what a refusal or a drop does to the socket is the
 * caller's (relay.ts).
 */
import { realClock, type Clock, type TimerHandle } from '../../core/base/clock.js';
import type { RelayLogLine } from './options.js';

export interface GateLimits {
  /** Connections held before admission, all addresses together. */
  readonly maxPending: number;
  /** Connections held before admission from one remote address; undefined: no per-address bound. */
  readonly maxPendingPerAddress: number | undefined;
  /** Time from accept to admission. */
  readonly deadlineMs: number;
}

/** One connection held before admission. */
export interface PendingSlot {
  readonly address: string;
  /** What happens at the deadline; relay.ts replaces it once the socket is a WebSocket. */
  onDeadline: () => void;
  /** Admitted, or closed: free the slot and stop its deadline. Idempotent. */
  release(): void;
}

type Log = (line: Omit<RelayLogLine, 'ts'>) => void;
type Warn = Omit<RelayLogLine, 'ts' | 'level'>;

/** A warn event is logged at most once per window; the rest are summed up at its end. */
export const LOG_WINDOW_MS = 10_000;

export class AdmissionGate {
  private readonly perAddress = new Map<string, number>();
  private total = 0;
  private readonly throttle: ThrottledWarn;

  constructor(
    private readonly limits: GateLimits,
    log: Log,
    private readonly clock: Clock = realClock,
  ) {
    this.throttle = new ThrottledWarn(log, clock);
  }

  /** Connections held before admission now. */
  get pending(): number {
    return this.total;
  }

  /**
   * Take a slot for a connection just accepted from `address`, its deadline running; undefined
   * (and a warn line) when that address or the relay is at its bound: the caller refuses it.
   */
  take(address: string, remote: string, onDeadline: () => void): PendingSlot | undefined {
    const { maxPending, maxPendingPerAddress, deadlineMs } = this.limits;
    const mine = this.perAddress.get(address) ?? 0;
    let over: string | undefined;
    if (maxPendingPerAddress !== undefined && mine >= maxPendingPerAddress) {
      over = `${mine} connections from ${address} not yet admitted (maxPendingPerAddress ${maxPendingPerAddress})`;
    } else if (this.total >= maxPending) {
      over = `${this.total} connections not yet admitted (maxPending ${maxPending})`;
    }
    if (over !== undefined) {
      this.throttle.warn({ event: 'pending_limit', code: '503', remote, detail: `refused: ${over}` });
      return undefined;
    }
    this.perAddress.set(address, mine + 1);
    this.total++;
    let timer: TimerHandle | undefined;
    let held = true;
    const slot: PendingSlot = {
      address,
      onDeadline,
      release: () => {
        if (!held) return;
        held = false;
        this.clock.clearTimeout(timer);
        this.total--;
        const n = (this.perAddress.get(address) ?? 1) - 1;
        if (n <= 0) this.perAddress.delete(address);
        else this.perAddress.set(address, n);
      },
    };
    timer = this.clock.setTimeout(() => {
      if (held) slot.onDeadline();
    }, deadlineMs);
    (timer as { unref?: () => void } | undefined)?.unref?.();
    return slot;
  }

  /** Log the refusals held back now, and stop the window timer (relay shutdown). */
  flush(): void {
    this.throttle.flush();
  }
}

/** At most one line per event per LOG_WINDOW_MS; a summary of the rest when the window ends. */
class ThrottledWarn {
  private readonly windows = new Map<string, { held: number; timer: TimerHandle }>();

  constructor(
    private readonly log: Log,
    private readonly clock: Clock,
  ) {}

  warn(line: Warn): void {
    const w = this.windows.get(line.event);
    if (w) {
      w.held++;
      return;
    }
    this.log({ level: 'warn', ...line });
    const timer = this.clock.setTimeout(() => this.close(line.event), LOG_WINDOW_MS);
    (timer as { unref?: () => void } | undefined)?.unref?.();
    this.windows.set(line.event, { held: 0, timer });
  }

  flush(): void {
    for (const event of [...this.windows.keys()]) this.close(event);
  }

  private close(event: string): void {
    const w = this.windows.get(event);
    if (!w) return;
    this.windows.delete(event);
    this.clock.clearTimeout(w.timer);
    if (w.held > 0) this.log({ level: 'warn', event, detail: `${w.held} more in the last ${LOG_WINDOW_MS / 1000} s (not logged one by one)` });
  }
}
