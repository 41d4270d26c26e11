/**
 * Join tickets on a Node server: minted synchronously with node:crypto, byte for byte the
 * same strings as the platform-free `mintTicket` of src/core/trust/ticket.ts (see there
 * for the format). A web app hands them to pages, e.g. from `GET /erlmesh/ticket`.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { encodeClaims, mintClaims, ticketString, TICKET_KEY_LABEL, type MintTicketOptions } from '../core/trust/ticket.js';

/**
 * key_t of a ticket payload (the secret its holder proves), computed synchronously: the relay
 * checks a `register` in one turn of the event loop.
 *
 * @example
 * const { payload, key } = parseTicket(ticket);
 * ticketKeySync(cookie, payload) === key; // true for a ticket minted with this cookie
 */
export function ticketKeySync(cookie: string, payload: string): string {
  const signingKey = createHmac('sha256', cookie).update(TICKET_KEY_LABEL).digest('hex');
  return createHmac('sha256', signingKey).update(payload).digest('hex');
}

/**
 * Mint a join ticket (synchronously). Throws ErlmeshError `badarg` on bad options.
 *
 * @example
 * import { mintTicket } from 'erlmesh/server';
 * app.get('/erlmesh/ticket', (req, res) => {
 *   res.set('cache-control', 'no-store');
 *   res.type('text/plain').send(mintTicket({ cookie, role: 'guest', prefix: 'tab-', ttlMs: 10 * 60_000 }));
 * });
 * // in the page: startNode({ ticket: () => fetch('/erlmesh/ticket').then((r) => r.text()) })
 */
export function mintTicket(o: Omit<MintTicketOptions, 'crypto'>): string {
  const claims = mintClaims(o, () => randomBytes(8).toString('hex'));
  const payload = encodeClaims(claims);
  return ticketString(payload, ticketKeySync(o.cookie, payload));
}
