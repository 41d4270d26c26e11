/**
 * The relays a node may register with, in the order it tries them (issue 13: failover).
 *
 * Policy: the node registers with the first URL; when that fails (nobody answers, not a
 * refusal) it tries the next, once round the list. Once registered, the URL that admitted it is
 * `current`; when that relay goes, every reconnect attempt goes to the next URL in the list
 * (wrapping round), one URL per attempt, with the transport's backoff between attempts. With a
 * single URL the node keeps coming back to it, as before.
 *
 * A node that registers with a relay other than the one that last admitted it asks for a new
 * creation (`failover`): it comes back as a new incarnation of its name, as after a restart.
 */
import { badarg } from '../base/errors.js';
import { checkRelayUrl } from './relay-url.js';

/**
 * The relay URL list a node is given, checked: a non-empty list of `ws://` / `wss://` URLs
 * (a single string is a list of one). An empty list or a bad URL is `badarg`.
 *
 * @example
 * checkRelayUrls(['ws://10.0.0.1:4367/erlmesh', 'ws://10.0.0.2:4367/erlmesh']); // the same list
 * checkRelayUrls([]);                                                          // badarg
 */
export function checkRelayUrls(urls: unknown): string[] {
  if (typeof urls === 'string') return [checkRelayUrl(urls)];
  if (!Array.isArray(urls)) return [checkRelayUrl(urls)];
  if (urls.length === 0) throw badarg('the relay URL list is empty: give at least one ws:// or wss:// URL');
  const list = urls.map((u: unknown) => checkRelayUrl(u));
  const dup = list.find((u, i) => list.indexOf(u) !== i);
  if (dup !== undefined) throw badarg(`the relay URL list names ${dup} twice`);
  return list;
}

/**
 * Where a node's transport dials next: `current` is the relay it is registered with (or
 * about to dial), `advance()` moves to the next one round the list.
 *
 * @example
 * const urls = new RelayUrls(['ws://a:4367/erlmesh', 'ws://b:4367/erlmesh']);
 * urls.current;   // 'ws://a:4367/erlmesh'
 * urls.advance(); // 'ws://b:4367/erlmesh'
 */
export class RelayUrls {
  readonly list: readonly string[];
  private index = 0;
  /** The URL of the relay that last admitted this node (undefined before the first admission). */
  private admittedAt: string | undefined;

  constructor(urls: unknown) {
    this.list = checkRelayUrls(urls);
  }

  get current(): string {
    return this.list[this.index]!;
  }

  /** Move on to the next relay in the list (wrapping round); returns it. */
  advance(): string {
    this.index = (this.index + 1) % this.list.length;
    return this.current;
  }

  /** `current` admitted the node. */
  admitted(): void {
    this.admittedAt = this.current;
  }

  /** Dialling `current` now is a move to another relay than the one that last admitted the node. */
  get failover(): boolean {
    return this.admittedAt !== undefined && this.admittedAt !== this.current;
  }
}
