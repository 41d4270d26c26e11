/**
 * The relay daemon: when `erlmesh node` finds nothing listening at the default relay URL it
 * starts `erlmesh relay` detached, the way `erl -sname` starts epmd. The daemon outlives the
 * node (other nodes on this host use it too) until `erlmesh relay --stop`; its output goes to
 * a log file under the temporary directory, and it gets the cookie through the environment
 * (never on its command line, where `ps` would show it).
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeRelay } from '../relay-probe.js';
import { COOKIE_ENV, packageRoot } from './common.js';

export interface RelayDaemon {
  pid: number;
  /** Where its stdout and stderr go. */
  log: string;
}

/** Hosts a daemon may be started for: this machine only. */
export function isLoopbackUrl(url: string): boolean {
  const u = new URL(url);
  const h = u.hostname.replace(/^\[|\]$/g, '');
  return (u.protocol === 'ws:' || u.protocol === 'http:') && (h === '127.0.0.1' || h === 'localhost' || h === '::1');
}

/** The daemon's log file for `port`. */
export function daemonLogPath(port: number): string {
  return join(tmpdir(), `erlmesh-relay-${port}.log`);
}

/**
 * Start `erlmesh relay` for the loopback `url`, detached, and wait (up to `timeoutMs`) until
 * an erlmesh relay answers there (its identity, not just an open port). Rejects when it exits
 * first (with the end of its log) or stays silent.
 */
export async function startRelayDaemon(url: string, cookie: string, timeoutMs = 5_000): Promise<RelayDaemon> {
  const u = new URL(url);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const port = Number(u.port || 80);
  const log = daemonLogPath(port);
  const fd = openSync(log, 'a');
  let exited: number | null | undefined;
  let pid: number | undefined;
  try {
    const child = spawn(process.execPath, [join(packageRoot(), 'bin', 'erlmesh.js'), 'relay', '--port', String(port), '--host', host], {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: { ...process.env, [COOKIE_ENV]: cookie },
    });
    child.on('exit', (code) => (exited = code));
    child.on('error', () => (exited = -1));
    child.unref();
    pid = child.pid;
  } finally {
    closeSync(fd);
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if ((await probeRelay(url, 1_000)).kind === 'relay') return { pid: pid ?? 0, log };
    // Another node may have started a relay on this port at the same time; ours then exits,
    // but theirs answers, hence the probe comes first.
    if (exited !== undefined || Date.now() > deadline) {
      const why = exited !== undefined ? `it exited (status ${exited})` : `it did not answer within ${timeoutMs} ms`;
      throw new Error(`could not start a relay at ${url}: ${why}; see ${log}${tail(log)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

function tail(path: string): string {
  try {
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n').slice(-3);
    return lines.length ? `:\n${lines.join('\n')}` : '';
  } catch {
    return '';
  }
}
