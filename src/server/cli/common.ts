/**
 * Pieces shared by the CLI commands: the cookie, fatal errors, and signal-driven shutdown.
 */
import { InvalidArgumentError } from 'commander';
import { readOrCreateCookie } from '../cookie.js';

/** Environment variable holding the cookie (how `erlmesh node` hands it to a relay daemon). */
export const COOKIE_ENV = 'ERLMESH_COOKIE';

/** `--cookie`, else $ERLMESH_COOKIE, else ~/.erlang.cookie (created as Erlang does when missing). */
export function resolveCookie(flag: string | undefined): string {
  if (flag !== undefined && flag !== '') return flag;
  const env = process.env[COOKIE_ENV];
  if (env) return env;
  return readOrCreateCookie(undefined, (text) => process.stderr.write(`erlmesh: ${text}\n`));
}

/** Print `message` on stderr and exit with status 1. */
export function fatal(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

/** The message of any thrown value. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Run `cleanup` (bounded by `timeoutMs`, errors ignored), then exit with `code`. */
export async function exitAfter(cleanup: () => Promise<unknown>, code: number, timeoutMs = 3_000): Promise<never> {
  const timer = new Promise((resolve) => setTimeout(resolve, timeoutMs).unref());
  await Promise.race([cleanup().catch(() => {}), timer]);
  process.exit(code);
}

/** On the first SIGINT or SIGTERM run `cleanup` and exit 0 (a second signal exits at once). */
export function onTerminate(cleanup: () => Promise<unknown>): void {
  let stopping = false;
  const handler = () => {
    if (stopping) process.exit(1);
    stopping = true;
    void exitAfter(cleanup, 0);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

/** `ws://host:port` from `host:port`; URLs with a scheme are kept. */
export function normalizeRelayUrl(url: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `ws://${url}`;
}

/**
 * `--relay`, repeated or comma-separated, collected in order: the failover list
 * (relay-urls.ts). An empty entry (`--relay a,,b`) is an error.
 */
export function collectRelays(value: string, previous: string[] | undefined): string[] {
  const more = value.split(',').map((u) => u.trim());
  if (more.some((u) => u === '')) throw new InvalidArgumentError('an empty relay URL in the list');
  return [...(previous ?? []), ...more];
}

/** Parse a TCP port option (0 allowed: pick a free one). */
export function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('not a TCP port (0..65535)');
  return n;
}

export { packageRoot } from '../package-info.js';
