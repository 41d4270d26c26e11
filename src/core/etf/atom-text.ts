/**
 * Atom text to ETF bytes: UTF-8, as `SMALL_ATOM_UTF8_EXT` (119) up to 255 bytes and
 * `ATOM_UTF8_EXT` (118) beyond, which is what OTP 25 sends with `DFLAG_UTF8_ATOMS`. Text over
 * 255 characters (code points), Erlang's limit, is refused with `atom_too_long`; a lone
 * surrogate (no UTF-8 form) with `not_etf_encodable`. Encoded atoms are cached (a bounded
 * number), since the same few atoms make up most messages.
 */
import { ErlmeshError } from '../base/errors.js';
import { ATOM_UTF8, MAX_ATOM_CHARS, SMALL_ATOM_UTF8 } from './tags.js';

const CACHE_MAX = 4096;
const cache = new Map<string, Uint8Array>();

/** The ETF bytes (tag, length, UTF-8) of the atom `text`. The result must not be modified. */
export function atomBytes(text: string): Uint8Array {
  const hit = cache.get(text);
  if (hit !== undefined) return hit;
  const utf8: number[] = [];
  let chars = 0;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    chars++;
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = c <= 0xdbff && i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (d < 0xdc00 || d > 0xdfff) {
        throw new ErlmeshError('not_etf_encodable', 'a string with a lone surrogate has no UTF-8 form: it cannot be an atom', { what: 'lone surrogate' });
      }
      c = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
      i++;
    }
    if (c < 0x80) utf8.push(c);
    else if (c < 0x800) utf8.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f));
    else if (c < 0x10000) utf8.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
    else utf8.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 0x3f), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
    if (chars > MAX_ATOM_CHARS) {
      throw new ErlmeshError(
        'atom_too_long',
        `a string of more than ${MAX_ATOM_CHARS} characters cannot be an Erlang atom: send text as binary('…')`,
        { length: text.length },
      );
    }
  }
  const n = utf8.length;
  const out = n <= 255 ? Uint8Array.of(SMALL_ATOM_UTF8, n, ...utf8) : Uint8Array.of(ATOM_UTF8, n >> 8, n & 0xff, ...utf8);
  if (cache.size < CACHE_MAX) cache.set(text, out);
  return out;
}
