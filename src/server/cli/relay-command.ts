/**
 * `erlmesh relay`: the relay alone, in the foreground (what `erlmesh node` also starts as a
 * detached daemon when none answers, as a node starts epmd). The URL goes to stdout, the
 * relay's JSON log lines to stderr.
 */
import { readFileSync } from 'node:fs';
import { startRelay } from '../relay/index.js';
import { fatal, messageOf, onTerminate, resolveCookie } from './common.js';

export interface RelayCommandOptions {
  port: number;
  host: string;
  cookie?: string;
  cert?: string;
  key?: string;
}

/** The message for a port someone else holds; epmd's port gets a hint. */
export function portInUseMessage(port: number, host: string): string {
  const hint =
    port === 4369
      ? ' (epmd, the Erlang port mapper daemon, may hold 4369: stop it with `epmd -kill`, or choose another --port)'
      : ' (choose another --port)';
  return `erlmesh: port ${port} on ${host} is already in use${hint}`;
}

/** A listen failure as a message: port in use, not permitted, or the error itself. */
export function listenFailure(e: unknown, port: number, host: string): string {
  const code = (e as { code?: unknown })?.code;
  if (code === 'EADDRINUSE') return portInUseMessage(port, host);
  if (code === 'EACCES') return `erlmesh: not permitted to listen on port ${port} on ${host}`;
  if (code === 'EADDRNOTAVAIL') return `erlmesh: cannot listen on ${host}: no such local address`;
  return `erlmesh: cannot listen on ${host}:${port}: ${messageOf(e)}`;
}

export async function runRelay(o: RelayCommandOptions): Promise<void> {
  if ((o.cert === undefined) !== (o.key === undefined)) fatal('erlmesh relay: --cert and --key go together');
  let cookie: string;
  let tls: { cert: Buffer; key: Buffer } | undefined;
  try {
    cookie = resolveCookie(o.cookie);
    if (o.cert !== undefined && o.key !== undefined) tls = { cert: readFileSync(o.cert), key: readFileSync(o.key) };
  } catch (e) {
    fatal(`erlmesh relay: ${messageOf(e)}`);
  }
  let relay;
  try {
    relay = await startRelay({ port: o.port, host: o.host, cookie, tls });
  } catch (e) {
    fatal(listenFailure(e, o.port, o.host));
  }
  process.stdout.write(`erlmesh relay listening on ${relay.url}\n`);
  onTerminate(() => relay.close());
}
