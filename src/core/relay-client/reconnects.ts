/**
 * When and where a RelayTransport (relay-transport.ts) registers: the first registration goes
 * round the relay list once (relay-urls.ts); after a lost relay socket, each attempt goes to
 * the next relay of the list, with capped exponential backoff between attempts, until one
 * admits the node or refuses it for good (a refusal registering again cannot fix).
 */
import type { Clock, TimerHandle } from '../base/clock.js';
import { Backoff } from '../base/backoff.js';
import { ErlmeshError } from '../base/errors.js';
import { FINAL_REFUSALS, TICKET_REFUSALS } from './refusals.js';
import { RelayUrls } from './relay-urls.js';

export interface ReconnectsEnv {
  clock: Clock;
  urls: unknown;
  backoff?: { initialMs?: number; maxMs?: number };
  /** Open a session with the relay at `url` (rejects with the relay's refusal code, or relay_unreachable). */
  open(url: string): Promise<void>;
  /** A ticket function may give a ticket the relay takes after a ticket refusal. */
  refreshableTicket(): boolean;
  log?: (level: 'info' | 'warning' | 'error', text: string) => void;
}

/**
 * The registration attempts of one transport.
 *
 * @example
 * const r = new Reconnects({ clock, urls: ['ws://a:4367/erlmesh', 'ws://b:4367/erlmesh'], open: (url) => dial(url), refreshableTicket: () => false });
 * await r.first();   // a, else b
 * r.lost();          // later, when the relay socket drops: b, a, b, … until one admits
 */
export class Reconnects {
  readonly urls: RelayUrls;
  private readonly backoff: Backoff;
  private timer: TimerHandle | undefined;
  private stopped = false;

  constructor(private readonly env: ReconnectsEnv) {
    this.urls = new RelayUrls(env.urls);
    this.backoff = new Backoff(env.backoff?.initialMs ?? 100, env.backoff?.maxMs ?? 5_000);
  }

  /** Register with the first relay of the list that answers (a refusal is final). */
  async first(): Promise<void> {
    for (let i = 1; ; i++) {
      try {
        return await this.env.open(this.urls.current);
      } catch (e) {
        if (i >= this.urls.list.length || !(e instanceof ErlmeshError) || e.code !== 'relay_unreachable') throw e;
        const next = this.urls.advance();
        this.env.log?.('warning', `** ${e.message}; trying the relay at ${next} **`);
      }
    }
  }

  /** The relay at `urls.current` admitted the node. */
  admitted(): void {
    this.urls.admitted();
    this.backoff.reset();
  }

  /** The relay socket is gone: reconnect, to the next relay of the list. Returns that relay. */
  lost(): string {
    const next = this.urls.advance();
    this.schedule();
    return next;
  }

  /** No more attempts. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.env.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.stopped || this.timer !== undefined) return;
    this.timer = this.env.clock.setTimeout(() => {
      this.timer = undefined;
      if (this.stopped) return;
      const url = this.urls.current;
      this.env.open(url).then(
        () => this.env.log?.('info', `** Registered again with the relay at ${url} **`),
        (e: unknown) => {
          const code = e instanceof ErlmeshError ? e.code : 'relay_unreachable';
          if (FINAL_REFUSALS.has(code) || (TICKET_REFUSALS.has(code) && !this.env.refreshableTicket())) {
            this.env.log?.('error', `** The relay at ${url} refused this node (${code}); not retrying **`);
            return;
          }
          // Each failed attempt tries the next relay of the list.
          this.urls.advance();
          this.schedule();
        },
      );
    }, this.backoff.next());
  }
}
