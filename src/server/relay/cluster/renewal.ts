/**
 * The heartbeat's renewals of a relay cluster (redis-cluster.ts): this relay's key, its place
 * in `erlmesh:relays` and the leases of its names (name-leases.ts), every heartbeat.
 *
 * They go over a Redis connection of their own. The main connection carries the fan-out of a
 * mass join (each join published to every relay, each claim of a name), and a renewal queued
 * behind that fan-out can be answered after the lease has run out: the relay then finds its
 * names gone and closes its nodes. Here a renewal waits only for the previous renewal.
 *
 * Invariants: at most one renewal is in flight — a heartbeat that finds the previous one still
 * unanswered sends nothing (another would only queue behind it; the commandTimeout of a
 * lease fails the hung one, and the relay is then down); what a renewal reports lost was
 * checked in the same script that renewed the rest (RENEW in name-leases.ts).
 */
import { Redis, type RedisOptions } from 'ioredis';
import { NameLeases } from './name-leases.js';

export const RELAYS = 'erlmesh:relays';
export const relayKey = (id: string): string => `erlmesh:relay:${id}`;

/** What one renewal found: names no longer this relay's, and every relay id listed. */
export interface Renewed {
  lost: string[];
  relays: string[];
}

export class Renewal {
  readonly redis: Redis;
  private readonly leases: NameLeases;
  private inFlight = false;

  constructor(
    url: string,
    options: RedisOptions,
    private readonly relayId: string,
    private readonly leaseMs: number,
    /** The relay key's value, read at every renewal (links.ts `LinkInfo`, or '1'). */
    private readonly keyValue: () => string = () => '1',
  ) {
    this.redis = new Redis(url, options);
    this.leases = new NameLeases(this.redis, relayId, leaseMs);
  }

  /** Renew the relay's key and the leases of the names `held`; undefined (nothing sent) while the previous renewal is unanswered. */
  async renew(held: ReadonlyArray<{ name: string; creation: number }>): Promise<Renewed | undefined> {
    if (this.inFlight) return undefined;
    this.inFlight = true;
    try {
      // SADD again each time: a relay that lost its key for a while (frozen) may have been removed from the set.
      const [, , lost, relays] = await Promise.all([
        this.redis.set(relayKey(this.relayId), this.keyValue(), 'PX', this.leaseMs),
        this.redis.sadd(RELAYS, this.relayId),
        this.leases.renew(held),
        this.redis.smembers(RELAYS),
      ]);
      return { lost, relays };
    } finally {
      this.inFlight = false;
    }
  }

  /** Which of the relays `ids` still have their key (1) or not (0). */
  alive(ids: string[]): Promise<number[]> {
    return Promise.all(ids.map((id) => this.redis.exists(relayKey(id))));
  }
}
