/**
 * Names and creations of a relay cluster, kept in Redis (issue 13):
 *
 *   erlmesh:name:<name>      the id of the relay holding the name, with a lease (PX): the
 *                            holder renews it every heartbeat; a relay that dies or loses
 *                            Redis stops renewing, and the name is free once the lease ends
 *                            (a late renewal takes it again if nobody claimed it meanwhile)
 *   erlmesh:creation:<name>  the last creation handed out for the name (no expiry)
 *
 * Every step is one Lua script, so that a claim (check, take, next creation) is atomic across
 * relays. Creations follow `nextCreation` (admission.ts): one more than the last, or the
 * requested one when it is the last, and never below the clock floor of the claiming relay.
 */
import type { Redis } from 'ioredis';
import { creationFloor } from '../admission.js';

const nameKey = (name: string): string => `erlmesh:name:${name}`;
const creationKey = (name: string): string => `erlmesh:creation:${name}`;

/** KEYS name, creation; ARGV relay, leaseMs, requested (-1: none), floor, keep (1: keep the requested creation). -1: taken; -2: stale. */
const CLAIM = `
local cur = redis.call('GET', KEYS[1])
if cur and cur ~= ARGV[1] then return -1 end
local last = tonumber(redis.call('GET', KEYS[2]) or '-1')
local req = tonumber(ARGV[3])
local c
if ARGV[5] == '1' then
  if last > req then return -2 end
  c = req
elseif req > 0 and (last < 0 or req == last) then
  c = req
else
  c = math.max(last < 0 and 1 or last + 1, req, tonumber(ARGV[4]))
end
redis.call('SET', KEYS[2], c)
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return c`;

/**
 * KEYS the n names, then their n creation keys; ARGV relay, leaseMs, then the n creations the
 * relay's nodes have. A name whose lease ran out (a renewal came late) and that nobody claimed
 * meanwhile (no holder, its last creation still the node's) is taken again; returns the
 * indexes (1-based) of names no longer this relay's: held by another relay, or claimed and
 * freed elsewhere meanwhile (a greater creation handed out).
 */
const RENEW = `
local lost = {}
local n = #KEYS / 2
for i = 1, n do
  local cur = redis.call('GET', KEYS[i])
  if cur == ARGV[1] then
    redis.call('PEXPIRE', KEYS[i], ARGV[2])
  elseif not cur and tonumber(redis.call('GET', KEYS[n + i]) or '-1') == tonumber(ARGV[2 + i]) then
    redis.call('SET', KEYS[i], ARGV[1], 'PX', ARGV[2])
  else
    table.insert(lost, i)
  end
end
return lost`;

/** KEYS the name; ARGV relay. */
const FREE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export type Claim = { ok: true; creation: number } | { ok: false; why: 'taken' | 'stale' };

export class NameLeases {
  constructor(
    private readonly redis: Redis,
    private readonly relayId: string,
    private readonly leaseMs: number,
  ) {}

  /**
   * Claim `name` for a new registration asking for `requested` (undefined: none); with `keep`,
   * re-claim it for a node that has it, with its creation ('stale' when a greater one was
   * handed out meanwhile).
   */
  async claim(name: string, requested: number | undefined, keep = false): Promise<Claim> {
    const r = Number(await this.redis.eval(CLAIM, 2, nameKey(name), creationKey(name), this.relayId, this.leaseMs, requested ?? -1, creationFloor(), keep ? 1 : 0));
    if (r === -1) return { ok: false, why: 'taken' };
    if (r === -2) return { ok: false, why: 'stale' };
    return { ok: true, creation: r };
  }

  /**
   * Renew the leases of the names `held` by this relay's nodes (with their creations); resolves
   * with the names that are no longer this relay's. A lease that ran out unclaimed is taken again.
   */
  async renew(held: ReadonlyArray<{ name: string; creation: number }>): Promise<string[]> {
    if (held.length === 0) return [];
    const keys = [...held.map((h) => nameKey(h.name)), ...held.map((h) => creationKey(h.name))];
    const lost = (await this.redis.eval(RENEW, keys.length, ...keys, this.relayId, this.leaseMs, ...held.map((h) => h.creation))) as number[];
    return lost.map((i) => held[i - 1]!.name);
  }

  /** Free `name` if this relay holds it. */
  async free(name: string): Promise<void> {
    await this.redis.eval(FREE, 1, nameKey(name), this.relayId);
  }
}
