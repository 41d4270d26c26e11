/**
 * `erlmesh relay`: the relay alone, in the foreground (what `erlmesh node` also starts as a
 * detached daemon when nothing listens at the default URL, as a node starts epmd). The URL
 * goes to stdout, the relay's JSON log lines to stderr. `--stop` stops a running relay
 * instead (admin-command.ts).
 */
import { readFileSync } from 'node:fs';
import { defaultRelayPort, startRelay, type Relay } from '../relay/index.js';
import { probeRelay } from '../relay-probe.js';
import { runStop } from './admin-command.js';
import { ErlmeshError } from '../../core/base/errors.js';
import { exitAfter, fatal, messageOf, onTerminate, resolveCookie } from './common.js';

export interface RelayCommandOptions {
  /** Default: $ERLMESH_RELAY_PORT, else 4367. */
  port?: number;
  /** Stop the relay at host:port instead of running one. */
  stop?: boolean;
  host: string;
  cookie?: string;
  cert?: string;
  key?: string;
  /** Join the relay cluster on this Redis (redis://host:port). */
  redis?: string;
  /** With `redis`: the lease in ms (heartbeats every fifth of it). */
  redisLease?: number;
  /** With `redis`: where the other relays reach this one (ws://host:port). */
  advertise?: string;
  /** With `redis`: false (`--no-relay-links`) sends every message through Redis pub/sub. */
  relayLinks?: boolean;
}

/** The message for a port someone else holds, naming the holder when it can tell. */
export async function portInUseMessage(port: number, host: string): Promise<string> {
  const where = `port ${port} on ${host} is already in use`;
  const found = await probeRelay(`ws://${host.includes(':') ? `[${host}]` : host}:${port}`);
  if (found.kind === 'relay') return `erlmesh: ${where} by an erlmesh relay (version ${found.info.version}); \`erlmesh relay --stop\` stops it`;
  if (found.kind === 'epmd') return `erlmesh: ${where} by epmd, the Erlang port mapper daemon (choose another --port)`;
  return `erlmesh: ${where} (choose another --port)`;
}

/** A listen failure as a message: port in use, not permitted, or the error itself. */
export async function listenFailure(e: unknown, port: number, host: string): Promise<string> {
  const code = (e as { code?: unknown })?.code;
  if (code === 'EADDRINUSE') return await portInUseMessage(port, host);
  if (code === 'EACCES') return `erlmesh: not permitted to listen on port ${port} on ${host}`;
  if (code === 'EADDRNOTAVAIL') return `erlmesh: cannot listen on ${host}: no such local address`;
  return `erlmesh: cannot listen on ${host}:${port}: ${messageOf(e)}`;
}

export async function runRelay(o: RelayCommandOptions): Promise<void> {
  if (o.stop) return runStop({ port: o.port, host: o.host, cookie: o.cookie });
  if ((o.cert === undefined) !== (o.key === undefined)) fatal('erlmesh relay: --cert and --key go together');
  let cookie: string;
  let port: number;
  let tls: { cert: Buffer; key: Buffer } | undefined;
  try {
    cookie = resolveCookie(o.cookie);
    port = o.port ?? defaultRelayPort();
    if (o.cert !== undefined && o.key !== undefined) tls = { cert: readFileSync(o.cert), key: readFileSync(o.key) };
  } catch (e) {
    fatal(`erlmesh relay: ${messageOf(e)}`);
  }
  if (o.redis === undefined) {
    if (o.redisLease !== undefined) fatal('erlmesh relay: --redis-lease needs --redis');
    if (o.advertise !== undefined) fatal('erlmesh relay: --advertise needs --redis');
    if (o.relayLinks === false) fatal('erlmesh relay: --no-relay-links needs --redis');
  }
  const lease = o.redisLease ?? 5000;
  const redis =
    o.redis === undefined
      ? undefined
      : { url: o.redis, leaseMs: lease, heartbeatMs: Math.max(20, Math.floor(lease / 5)), advertise: o.advertise, links: o.relayLinks !== false };
  let relay: Relay | undefined;
  try {
    // `erlmesh relay --stop` (an admin request proving the cookie) ends this process.
    relay = await startRelay({ port, host: o.host, cookie, tls, redis, onStop: () => exitAfter(() => relay!.close(), 0) });
  } catch (e) {
    if (e instanceof ErlmeshError && (e.code === 'redis_unavailable' || e.code === 'badarg')) fatal(`erlmesh relay: ${e.message}`);
    fatal(await listenFailure(e, port, o.host));
  }
  process.stdout.write(`erlmesh relay listening on ${relay.url}\n`);
  onTerminate(() => relay.close());
}
