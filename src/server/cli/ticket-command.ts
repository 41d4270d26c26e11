/**
 * `erlmesh ticket`: mint a join ticket for an untrusted node (a tab) on stdout, signed with
 * the cluster cookie (docs/security.md). For scripts and trying things out; a web app mints
 * them with `mintTicket` from `erlmesh/server` after its own login.
 */
import { mintTicket } from '../tickets.js';
import { fatal, messageOf, resolveCookie } from './common.js';

export interface TicketCommandOptions {
  role: string;
  prefix: string;
  /** Lifetime in seconds. */
  ttl: number;
  cookie?: string;
}

export function runTicket(o: TicketCommandOptions): void {
  try {
    const cookie = resolveCookie(o.cookie);
    process.stdout.write(`${mintTicket({ cookie, role: o.role, prefix: o.prefix, ttlMs: Math.round(o.ttl * 1000) })}\n`);
  } catch (e) {
    const code = (e as { code?: string }).code;
    fatal(`erlmesh ticket: ${messageOf(e)}${code ? ` (${code})` : ''}`);
  }
}
