/**
 * Who answers at a relay URL: an erlmesh relay (its identity at GET /erlmesh/info), epmd (it
 * answers a NAMES_REQ with its own port number), something else, or nothing. Used when a node
 * cannot reach its relay, so that the error says why instead of "1006", and by the CLI before
 * and after it starts a relay daemon.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { connect } from 'node:net';
import { ErlmeshError } from '../core/base/errors.js';
import { RELAY_INFO_PATH, type RelayInfo } from './relay/http-api.js';

/**
 * Who answers at a relay URL, as `probeRelay` tells.
 *
 * @example
 * const probe: RelayProbe = await probeRelay(defaultRelayUrl());
 * if (probe.kind === 'epmd') console.log('epmd holds the port: set $ERLMESH_RELAY_PORT');
 */
export type RelayProbe =
  /** An erlmesh relay answers. */
  | { kind: 'relay'; info: RelayInfo }
  /** epmd, the Erlang port mapper daemon, holds the port; `names` is its NAMES_REQ answer. */
  | { kind: 'epmd'; names: string }
  /** Something that is not an erlmesh relay holds the port. */
  | { kind: 'other'; detail: string }
  /** Nothing answers: connection refused, no such host, unreachable. */
  | { kind: 'none'; detail: string }
  /** No telling (a TLS failure, say). */
  | { kind: 'unknown'; detail: string };

/** Host (without brackets) and port of a ws:// / wss:// / http(s):// URL. */
export function hostPort(url: string): { host: string; port: number; secure: boolean } {
  const u = new URL(url);
  const secure = u.protocol === 'wss:' || u.protocol === 'https:';
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || (secure ? 443 : 80)), secure };
}

const NONE_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused: nothing listens there',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'the host name does not resolve',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EADDRNOTAVAIL: 'address not available',
};

/**
 * Ask who answers at `url` (each step bounded by `timeoutMs`). Never rejects.
 *
 * @example
 * const probe = await probeRelay('ws://127.0.0.1:4367', 1_000);
 * if (probe.kind !== 'relay') await startRelay({ cookie, port: 4367 });
 */
export async function probeRelay(url: string, timeoutMs = 2_000): Promise<RelayProbe> {
  const { host, port, secure } = hostPort(url);
  const first = await httpInfo(host, port, secure, timeoutMs);
  if (first.kind !== 'unknown') return first;
  // Not HTTP (or no answer in time): epmd closes on an HTTP request; ask it in its own protocol.
  const epmd = await epmdNames(host, port, timeoutMs);
  if (epmd !== undefined) return { kind: 'epmd', names: epmd };
  return secure ? first : { kind: 'other', detail: `it accepts connections but does not answer as an erlmesh relay (${first.detail})` };
}

function httpInfo(host: string, port: number, secure: boolean, timeoutMs: number): Promise<RelayProbe> {
  return new Promise((resolve) => {
    const get = secure ? https.get : http.get;
    const req = get({ host, port, path: RELAY_INFO_PATH, timeout: timeoutMs, headers: { accept: 'application/json' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        if (body.length < 4096) body += d;
      });
      res.on('end', () => {
        try {
          const info = JSON.parse(body) as Partial<RelayInfo>;
          if (res.statusCode === 200 && info.erlmesh === 'relay') return resolve({ kind: 'relay', info: info as RelayInfo });
        } catch {}
        resolve({ kind: 'other', detail: `an HTTP server that is not an erlmesh relay answers (status ${res.statusCode} for ${RELAY_INFO_PATH})` });
      });
      res.on('error', () => resolve({ kind: 'unknown', detail: 'the answer broke off' }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('no answer'), { code: 'ETIMEDOUT' })));
    req.on('error', (e: Error & { code?: string }) => {
      const none = e.code !== undefined ? NONE_CODES[e.code] : undefined;
      resolve(none ? { kind: 'none', detail: none } : { kind: 'unknown', detail: e.code ?? e.message });
    });
  });
}

/** epmd's NAMES_REQ: length 1, 'n'. It answers its port (4 bytes, big-endian), then a line per node. */
function epmdNames(host: string, port: number, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const chunks: Buffer[] = [];
    const done = () => {
      s.destroy();
      const all = Buffer.concat(chunks);
      resolve(all.length >= 4 && all.readUInt32BE(0) === port ? all.subarray(4).toString('utf8') : undefined);
    };
    s.setTimeout(timeoutMs, done);
    s.on('connect', () => s.write(Buffer.from([0, 1, 0x6e])));
    s.on('data', (d: Buffer) => chunks.push(d));
    s.on('end', done);
    s.on('error', done);
  });
}

/**
 * The error for a relay URL where no relay could be reached, saying who holds the port;
 * `details.holder` is the probe's kind. `cause` is the original failure.
 */
export function relayProbeError(url: string, probe: RelayProbe, cause?: unknown): ErlmeshError {
  const { host, port } = hostPort(url);
  const elsewhere = 'run the relay on another port (--relay URL, the `relay` option, or $ERLMESH_RELAY_PORT)';
  switch (probe.kind) {
    case 'epmd':
      return new ErlmeshError(
        'relay_port_in_use',
        `cannot use the relay at ${url}: port ${port} on ${host} is held by epmd, the Erlang port mapper daemon, not by an erlmesh relay; ${elsewhere}`,
        { url, holder: probe.kind },
      );
    case 'other':
      return new ErlmeshError(
        'relay_port_in_use',
        `cannot use the relay at ${url}: port ${port} on ${host} is held by something that is not an erlmesh relay (${probe.detail}); ${elsewhere}`,
        { url, holder: probe.kind },
      );
    case 'none':
      return new ErlmeshError('relay_unreachable', `cannot reach the relay at ${url}: ${probe.detail}`, { url, holder: probe.kind });
    default: {
      const why = cause instanceof Error ? cause.message : `cannot reach the relay at ${url}`;
      const more = probe.kind === 'unknown' ? ` (${probe.detail})` : '';
      return new ErlmeshError('relay_unreachable', `${why}${more}`, { url, holder: probe.kind });
    }
  }
}
