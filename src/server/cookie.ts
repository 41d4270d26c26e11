/**
 * The default cookie, as Erlang does it: `~/.erlang.cookie`, created with 20 random uppercase
 * letters (mode 0400) when missing.
 */
import { randomInt } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ErlmeshError } from '../core/base/errors.js';

/**
 * Where the cookie is read from by default: `~/.erlang.cookie`, as Erlang does.
 *
 * @example
 * defaultCookiePath(); // join(homedir(), '.erlang.cookie')
 */
export function defaultCookiePath(): string {
  return join(homedir(), '.erlang.cookie');
}

/**
 * Read the cookie file, creating it first if it does not exist (20 random uppercase letters,
 * mode 0400). `warn` is told when the file is readable by others.
 *
 * @example
 * const cookie = readOrCreateCookie();                      // ~/.erlang.cookie
 * const relay = await startRelay({ cookie, port: 0 });
 * readOrCreateCookie('/etc/erlmesh/cookie', console.warn);
 */
export function readOrCreateCookie(path = defaultCookiePath(), warn: (t: string) => void = () => {}): string {
  if (!existsSync(path)) {
    let c = '';
    for (let i = 0; i < 20; i++) c += String.fromCharCode(65 + randomInt(26));
    writeFileSync(path, c, { mode: 0o400 });
    return c;
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ErlmeshError('badarg', `cannot read the cookie file ${path}: ${(e as Error).message}`);
  }
  const mode = statSync(path).mode & 0o077;
  if (mode !== 0) warn(`Cookie file ${path} is accessible by others (mode ${(statSync(path).mode & 0o777).toString(8)}); it should be 0400`);
  const cookie = text.trim();
  if (!cookie) throw new ErlmeshError('badarg', `the cookie file ${path} is empty`);
  return cookie;
}
