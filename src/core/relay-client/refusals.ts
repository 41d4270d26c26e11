/**
 * What a relay's refusal of a registration means to a node: its error code, and whether
 * registering again can help (relay-transport.ts reconnects unless it cannot).
 */
import type { ErlmeshErrorCode } from '../base/errors.js';

export const REFUSAL_CODES: Record<string, ErlmeshErrorCode> = {
  bad_cookie: 'bad_cookie',
  name_taken: 'name_taken',
  badarg: 'badarg',
  incompatible_version: 'incompatible_version',
  not_allowed: 'not_allowed',
  ticket_malformed: 'ticket_malformed',
  ticket_forged: 'ticket_forged',
  ticket_expired: 'ticket_expired',
  name_not_allowed: 'name_not_allowed',
};

/** Refusals that registering again cannot fix (with a ticket function, a new ticket may). */
export const FINAL_REFUSALS: ReadonlySet<ErlmeshErrorCode> = new Set(['bad_cookie', 'incompatible_version', 'badarg']);
export const TICKET_REFUSALS: ReadonlySet<ErlmeshErrorCode> = new Set(['ticket_malformed', 'ticket_forged', 'ticket_expired', 'name_not_allowed']);
