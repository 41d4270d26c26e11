/**
 * Decoding and shape-checking of node → relay messages (src/core/relay-client/protocol.ts).
 * The relay checks the envelope only; the `d` payload of a frame is never looked at.
 */
import type { ToRelay } from '../../core/relay-client/protocol.js';

/** A node → relay message after routing: everything but `register`. */
export type RoutedMessage = Exclude<ToRelay, { t: 'register' }>;

export type Decoded =
  | { ok: true; kind: 'register'; raw: Record<string, unknown> }
  | { ok: true; kind: 'routed'; msg: RoutedMessage }
  | { ok: false; detail: string };

const isChannelId = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) > 0;

/**
 * Parse one text message. `register` comes back unchecked (admission refuses it with a
 * specific code); every other message comes back only if well formed.
 */
export function decodeToRelay(text: string): Decoded {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    return { ok: false, detail: 'malformed JSON' };
  }
  if (m === null || typeof m !== 'object' || Array.isArray(m)) return { ok: false, detail: 'not a JSON object' };
  const o = m as Record<string, unknown>;
  switch (o.t) {
    case 'register':
      return { ok: true, kind: 'register', raw: o };
    case 'open':
      if (typeof o.req !== 'number' || !Number.isFinite(o.req) || typeof o.to !== 'string') return bad(o.t);
      return { ok: true, kind: 'routed', msg: { t: 'open', req: o.req, to: o.to } };
    case 'd':
    case 'b':
      if (!isChannelId(o.ch) || typeof o.d !== 'string') return bad(o.t);
      return { ok: true, kind: 'routed', msg: { t: o.t, ch: o.ch, d: o.d } };
    case 'close':
      if (!isChannelId(o.ch) || typeof o.reason !== 'string') return bad(o.t);
      return { ok: true, kind: 'routed', msg: { t: 'close', ch: o.ch, reason: o.reason } };
    case 'ping':
      return { ok: true, kind: 'routed', msg: { t: 'ping' } };
    case 'lookup':
      if (typeof o.req !== 'number' || !Number.isFinite(o.req) || typeof o.name !== 'string') return bad(o.t);
      return { ok: true, kind: 'routed', msg: { t: 'lookup', req: o.req, name: o.name } };
    default:
      return { ok: false, detail: `unknown message tag ${JSON.stringify(o.t)?.slice(0, 40) ?? 'undefined'}` };
  }
}

function bad(t: string): Decoded {
  return { ok: false, detail: `bad fields in '${t}'` };
}
