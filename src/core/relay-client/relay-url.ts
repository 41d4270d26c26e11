/**
 * The relay URL a node is given, checked before anything dials it: a `ws://` or `wss://` URL
 * with a host. An `http(s)://` URL (the page's address, not the relay's) or anything else is
 * `badarg` with a hint, never a bare `TypeError: Invalid URL` from deep inside a socket.
 */
import { badarg } from '../base/errors.js';

const WS_URL = /^wss?:\/\/[^\s/?#]+(?:[/?#]\S*)?$/i;

/**
 * `url` if it is a WebSocket URL with a host; otherwise throws `badarg` saying what is wrong.
 *
 * @example
 * checkRelayUrl('ws://127.0.0.1:4367/erlmesh');   // returned as is
 * checkRelayUrl('http://127.0.0.1:4367');         // badarg: "… use ws://127.0.0.1:4367 …"
 */
export function checkRelayUrl(url: unknown): string {
  if (typeof url !== 'string' || url.trim() === '') throw badarg(`the relay URL must be a ws:// or wss:// URL, got ${describe(url)}`);
  if (WS_URL.test(url)) return url;
  const http = /^(https?):\/\/(.*)$/i.exec(url);
  if (http) {
    const ws = `${http[1]!.toLowerCase() === 'https' ? 'wss' : 'ws'}://${http[2]!}`;
    throw badarg(`the relay URL must be a ws:// or wss:// URL (the relay speaks WebSocket): use ${ws} instead of ${url}`);
  }
  throw badarg(`the relay URL must be a ws:// or wss:// URL with a host, e.g. ws://127.0.0.1:4367/erlmesh; got ${describe(url)}`);
}

function describe(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : typeof v;
}
