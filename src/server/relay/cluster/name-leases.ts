/**
 * Names and creations of a relay cluster, kept in Redis (issue 13):
 *
 *   erlmesh:name:<name>      the id of the relay holding the name, with a lease (PX): the
 *                            holder renews it every heartbeat; a relay that dies or loses
 *                            Redis stops renewing, and the name is free once the lease ends
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

/** KEYS the names; ARGV relay, leaseMs. Returns the indexes (1-based) of names no longer this relay's. */
const RENEW = `
local lost = {}
for i, k in ipairs(KEYS) do
  if redis.call('GET', k) == ARGV[1] then redis.call('PEXPIRE', k, ARGV[2]) else table.insert(lost, i) end
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

  /** Renew the leases of `names`; resolves with those that are no longer this relay's. */
  async renew(names: string[]): Promise<string[]> {
    if (names.length === 0) return [];
    const lost = (await this.redis.eval(RENEW, names.length, ...names.map(nameKey), this.relayId, this.leaseMs)) as number[];
    return lost.map((i) => names[i - 1]!);
  }

  /** Free `name` if this relay holds it. */
  async free(name: string): Promise<void> {
    await this.redis.eval(FREE, 1, nameKey(name), this.relayId);
  }
}
