/**
 * `erlmesh names` and `erlmesh relay --stop`: what `epmd -names` and `epmd -kill` are to epmd.
 * Both speak to the relay's loopback admin interface (src/server/relay/http-api.ts), proving
 * the cookie over a fresh nonce; both say plainly when no relay runs there, or when something
 * else (epmd, say) holds the port.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { PeerEntry } from '../../core/relay-client/protocol.js';
import { adminProof, RELAY_ADMIN_PATH, type AdminOp } from '../relay/http-api.js';
import { defaultRelayPort } from '../relay/options.js';
import { hostPort, probeRelay, relayProbeError } from '../relay-probe.js';
import { defaultRelayUrl, relayUrl } from '../start-node.js';
import { fatal, messageOf, normalizeRelayUrl, resolveCookie } from './common.js';

/** A failed admin request, with the HTTP status (0: no answer). */
export class AdminError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function post(url: string, body: unknown, timeoutMs: number): Promise<{ status: number; body: Record<string, unknown> }> {
  const { host, port, secure } = hostPort(url);
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const request = secure ? https.request : http.request;
    const req = request(
      { host, port, path: RELAY_ADMIN_PATH, method: 'POST', timeout: timeoutMs, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> });
          } catch {
            reject(new AdminError(res.statusCode ?? 0, `not an erlmesh relay answer (status ${res.statusCode})`));
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new AdminError(0, 'no answer')));
    req.on('error', (e) => reject(e instanceof AdminError ? e : new AdminError(0, messageOf(e))));
    req.end(data);
  });
}

/** One authenticated admin request: a challenge, then `op` with the proof of the cookie. */
export async function adminRequest(url: string, cookie: string, op: AdminOp, timeoutMs = 5_000): Promise<Record<string, unknown>> {
  const challenge = await post(url, { op: 'challenge' }, timeoutMs);
  if (challenge.status === 403) throw new AdminError(403, 'the relay takes admin requests from its own machine only');
  const nonce = challenge.body.nonce;
  if (challenge.status !== 200 || typeof nonce !== 'string') throw new AdminError(challenge.status, `unexpected answer (status ${challenge.status})`);
  const res = await post(url, { op, nonce, proof: adminProof(cookie, nonce, op) }, timeoutMs);
  if (res.status === 401) throw new AdminError(401, "bad cookie (this cookie differs from the relay's; see --cookie, $ERLMESH_COOKIE and ~/.erlang.cookie)");
  if (res.status !== 200) throw new AdminError(res.status, `unexpected answer (status ${res.status})`);
  return res.body;
}

/** Exit 1 with the reason unless an erlmesh relay answers at `url`. */
async function requireRelay(url: string, what: string): Promise<void> {
  const found = await probeRelay(url);
  if (found.kind === 'relay') return;
  if (found.kind === 'none') fatal(`erlmesh: no relay runs at ${url} (${found.detail}); ${what}`);
  fatal(`erlmesh: ${relayProbeError(url, found).message.replace(/; run the relay on another port.*$/, '')}; ${what}`);
}

export interface NamesOptions {
  relay?: string;
  cookie?: string;
}

/** `erlmesh names`: the nodes registered at the relay, one a line (as `epmd -names`). */
export async function runNames(o: NamesOptions): Promise<void> {
  let url: string;
  let cookie: string;
  try {
    url = relayUrl(normalizeRelayUrl(o.relay ?? defaultRelayUrl()));
    cookie = resolveCookie(o.cookie);
  } catch (e) {
    fatal(`erlmesh names: ${messageOf(e)}`);
  }
  await requireRelay(url, 'no names to list');
  let names: PeerEntry[];
  try {
    names = (await adminRequest(url, cookie, 'names')).names as PeerEntry[];
  } catch (e) {
    fatal(`erlmesh names: the relay at ${url} refused: ${messageOf(e)}`);
  }
  const lines = names.map((p) => {
    const notes = [p.hidden ? 'hidden' : '', p.role !== undefined ? `role ${p.role}` : '', p.direct ? `direct ${p.direct}` : ''].filter(Boolean);
    return `name ${p.name}${notes.length ? ` (${notes.join(', ')})` : ''}\n`;
  });
  process.stdout.write(`erlmesh: relay up and running at ${url} with data:\n${lines.join('')}`);
}

export interface StopOptions {
  port?: number;
  host: string;
  cookie?: string;
}

/** `erlmesh relay --stop`: ask the relay at host:port to stop and wait until it is gone. */
export async function runStop(o: StopOptions): Promise<void> {
  let url: string;
  let cookie: string;
  try {
    const host = o.host.includes(':') ? `[${o.host}]` : o.host;
    url = relayUrl(`ws://${host}:${o.port ?? defaultRelayPort()}`);
    cookie = resolveCookie(o.cookie);
  } catch (e) {
    fatal(`erlmesh relay --stop: ${messageOf(e)}`);
  }
  await requireRelay(url, 'nothing stopped');
  let pid: unknown;
  try {
    pid = (await adminRequest(url, cookie, 'stop')).pid;
  } catch (e) {
    fatal(`erlmesh relay --stop: the relay at ${url} refused: ${messageOf(e)}`);
  }
  // Gone means: no erlmesh relay answers there any more (bounded wait).
  let gone = false;
  for (let i = 0; i < 100 && !(gone = (await probeRelay(url, 500)).kind !== 'relay'); i++) await new Promise((r) => setTimeout(r, 50));
  if (!gone) fatal(`erlmesh relay --stop: the relay at ${url} was asked to stop but still answers`);
  process.stdout.write(`erlmesh: stopped the relay at ${url}${typeof pid === 'number' ? ` (pid ${pid})` : ''}\n`);
}
