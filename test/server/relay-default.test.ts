/**
 * The relay's default port lives beside epmd's, and every failure to reach a relay says why
 * (issue 12, points 1 and 2): epmd or another program on the relay's port is named, an
 * explicit --relay that does not answer starts no daemon, `erlmesh names` lists who is
 * registered, `erlmesh relay --stop` stops a daemon the CLI started.
 *
 * Nothing here binds 4367 or 4369: the default port is moved to a free port with
 * $ERLMESH_RELAY_PORT, and epmd (real or fake) listens on a free port. Every process and
 * server a test starts is stopped in afterEach.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ErlmeshError } from '../../src/core/base/errors.js';
import { describeClose } from '../../src/core/relay-client/protocol.js';
import { adminProof, RELAY_ADMIN_PATH, RELAY_INFO_PATH } from '../../src/server/relay/http-api.js';
import { DEFAULT_RELAY_PORT, defaultRelayPort, RELAY_PORT_ENV } from '../../src/server/relay/options.js';
import { startRelay, type Relay } from '../../src/server/relay/index.js';
import { probeRelay } from '../../src/server/relay-probe.js';
import { DEFAULT_RELAY, startNode } from '../../src/server/start-node.js';
import { ErlmeshProcess, freePort, killAll, SHORT_HOST } from '../support/os-processes.js';

const EPMD = '/usr/bin/epmd';
const cleanups: (() => unknown)[] = [];
let tmp: string;
let home: string;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'erlmesh-relay-default-'));
});

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
  await killAll();
});

/** `erlmesh …` with a sandboxed HOME and TMPDIR, the default relay port moved to `port`. */
function cli(args: string[], port: number, env: Record<string, string> = {}): ErlmeshProcess {
  home ??= mkdtempSync(join(tmp, 'home-'));
  const p = new ErlmeshProcess(args, { HOME: home, TMPDIR: tmp, ERLMESH_COOKIE: 'c', [RELAY_PORT_ENV]: String(port), ...env });
  return p;
}

async function exitCode(p: ErlmeshProcess, ms = 15_000): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no exit within ${ms} ms\nstdout: ${p.stdout}\nstderr: ${p.stderr}`)), ms);
  });
  try {
    return await Promise.race([p.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Kill a detached daemon a test started (it is not a child of the test's processes' tracker). */
function killLater(pid: number): void {
  cleanups.push(() => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  });
}

/** A TCP server on a free loopback port, closed after the test. */
async function listener(onSocket: (s: Socket, port: number) => void): Promise<number> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
    onSocket(s, port);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  cleanups.push(() => {
    for (const s of sockets) s.destroy();
    return new Promise((resolve) => server.close(resolve));
  });
  return port;
}

/** Something that answers as epmd does: a NAMES_REQ (length 1, 'n') gets the port and the names; anything else is dropped. */
function fakeEpmd(): Promise<number> {
  return listener((s, port) => {
    s.once('data', (d: Buffer) => {
      if (d.length >= 3 && d.readUInt16BE(0) === 1 && d[2] === 0x6e) {
        const head = Buffer.alloc(4);
        head.writeUInt32BE(port);
        s.end(Buffer.concat([head, Buffer.from('name rabbit at port 25672\n')]));
      } else {
        s.destroy();
      }
    });
  });
}

/** A real epmd on a free port (ERL_EPMD_PORT), stopped after the test. */
async function realEpmd(): Promise<number> {
  const port = await freePort();
  const child: ChildProcess = spawn(EPMD, ['-port', String(port)], { stdio: 'ignore', env: { ...process.env, ERL_EPMD_PORT: String(port) } });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  cleanups.push(async () => {
    child.kill('SIGKILL');
    await exited;
  });
  for (let i = 0; i < 100 && (await probeRelay(`ws://127.0.0.1:${port}`, 500)).kind !== 'epmd'; i++) await new Promise((r) => setTimeout(r, 50));
  return port;
}

describe('the default relay port', () => {
  it('is not epmd’s 4369, and $ERLMESH_RELAY_PORT moves it', () => {
    expect(new URL(DEFAULT_RELAY).port).toBe(String(DEFAULT_RELAY_PORT));
    expect(DEFAULT_RELAY_PORT).not.toBe(4369);
    const saved = process.env[RELAY_PORT_ENV];
    try {
      delete process.env[RELAY_PORT_ENV];
      expect(defaultRelayPort()).toBe(DEFAULT_RELAY_PORT);
      process.env[RELAY_PORT_ENV] = '45678';
      expect(defaultRelayPort()).toBe(45678);
      process.env[RELAY_PORT_ENV] = 'epmd';
      expect(() => defaultRelayPort()).toThrow(/ERLMESH_RELAY_PORT/);
    } finally {
      if (saved === undefined) delete process.env[RELAY_PORT_ENV];
      else process.env[RELAY_PORT_ENV] = saved;
    }
  });

  it('a 1006 close says what it means', () => {
    expect(describeClose(1006, '')).toMatch(/^1006: the connection closed abnormally — nothing answered, or it is not an erlmesh relay$/);
    expect(describeClose(4409, 'name_taken')).toBe('4409: the name is taken (name_taken)');
  });
});

describe('startNode when something else holds the relay port', () => {
  it.each([
    ['a fake epmd', fakeEpmd],
    ['a real epmd', realEpmd],
  ] as const)('names epmd (%s): relay_port_in_use, and starts no relay', async (_what, epmd) => {
    if (epmd === realEpmd && !existsSync(EPMD)) return;
    const port = await epmd();
    const e = await startNode({ sname: 'gandalf', cookie: 'c', relay: `ws://127.0.0.1:${port}`, logger: false, direct: false }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ErlmeshError);
    expect((e as ErlmeshError).code).toBe('relay_port_in_use');
    expect((e as ErlmeshError).message).toContain(`port ${port} on 127.0.0.1 is held by epmd, the Erlang port mapper daemon, not by an erlmesh relay`);
    expect((await probeRelay(`ws://127.0.0.1:${port}`)).kind).toBe('epmd');
  });

  it('names "something that is not an erlmesh relay" for an HTTP server, and for a silent listener', async () => {
    const web = await listener((s) => s.once('data', () => s.end('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nhi')));
    const e = (await startNode({ sname: 'gandalf', cookie: 'c', relay: `ws://127.0.0.1:${web}`, logger: false, direct: false }).catch((x: unknown) => x)) as ErlmeshError;
    expect(e.code).toBe('relay_port_in_use');
    expect(e.message).toContain(`port ${web} on 127.0.0.1 is held by something that is not an erlmesh relay (an HTTP server that is not an erlmesh relay answers`);
    // (A node would wait for its connect timeout first; the probe alone says the same.)
    const silent = await listener(() => {});
    const found = await probeRelay(`ws://127.0.0.1:${silent}`, 300);
    expect(found).toMatchObject({ kind: 'other', detail: expect.stringContaining('accepts connections but does not answer as an erlmesh relay') });
  });

  it('says "nothing listens" with startRelay: false, and starts a relay otherwise', async () => {
    const port = await freePort();
    const e = (await startNode({ sname: 'a', cookie: 'c', relay: `ws://127.0.0.1:${port}`, startRelay: false, logger: false, direct: false }).catch((x: unknown) => x)) as ErlmeshError;
    expect(e.code).toBe('relay_unreachable');
    expect(e.message).toBe(`cannot reach the relay at ws://127.0.0.1:${port}/erlmesh: connection refused: nothing listens there`);
    const node = await startNode({ sname: 'a', cookie: 'c', relay: `ws://127.0.0.1:${port}`, logger: false, direct: false });
    cleanups.push(() => node.stop());
    expect(node.relay?.port).toBe(port);
    expect(await probeRelay(`ws://127.0.0.1:${port}`)).toMatchObject({ kind: 'relay', info: { erlmesh: 'relay', protocol: 1 } });
  });
});

describe('the relay identity and admin interface', () => {
  async function relay(): Promise<Relay> {
    const r = await startRelay({ port: 0, cookie: 'c', logger: false });
    cleanups.push(() => r.close());
    return r;
  }
  const admin = (r: Relay, body: unknown) =>
    fetch(`http://127.0.0.1:${r.port}${RELAY_ADMIN_PATH}`, { method: 'POST', body: JSON.stringify(body) }).then(async (res) => ({ status: res.status, body: (await res.json()) as Record<string, unknown> }));

  it('answers who it is at GET /erlmesh/info', async () => {
    const r = await relay();
    const res = await fetch(`http://127.0.0.1:${r.port}${RELAY_INFO_PATH}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ erlmesh: 'relay', protocol: 1, version: expect.any(String) });
  });

  it('lists names and stops only for a proof of the cookie over a fresh nonce, each nonce once', async () => {
    const r = await relay();
    const { body: c1 } = await admin(r, { op: 'challenge' });
    const nonce = String(c1.nonce);
    expect((await admin(r, { op: 'names', nonce, proof: adminProof('wrong', nonce, 'names') })).status).toBe(401);
    // The refused attempt used the nonce up.
    expect((await admin(r, { op: 'names', nonce, proof: adminProof('c', nonce, 'names') })).status).toBe(401);
    const { body: c2 } = await admin(r, { op: 'challenge' });
    const ok = await admin(r, { op: 'names', nonce: c2.nonce, proof: adminProof('c', String(c2.nonce), 'names') });
    expect(ok).toEqual({ status: 200, body: { names: [] } });
    // A proof for `names` does not stop it.
    const { body: c3 } = await admin(r, { op: 'challenge' });
    expect((await admin(r, { op: 'stop', nonce: c3.nonce, proof: adminProof('c', String(c3.nonce), 'names') })).status).toBe(401);
    expect((await probeRelay(r.url)).kind).toBe('relay');
  });

  it('answers its counters (relay.stats()) for a proof of the cookie, as names', async () => {
    const r = await relay();
    const { body: c1 } = await admin(r, { op: 'challenge' });
    expect((await admin(r, { op: 'stats', nonce: c1.nonce, proof: adminProof('wrong', String(c1.nonce), 'stats') })).status).toBe(401);
    const { body: c2 } = await admin(r, { op: 'challenge' });
    const ok = await admin(r, { op: 'stats', nonce: c2.nonce, proof: adminProof('c', String(c2.nonce), 'stats') });
    expect(ok.status).toBe(200);
    expect(ok.body.stats).toEqual({ ...r.stats(), sockets: expect.any(Number), pending: expect.any(Number) });
    expect(ok.body.stats).toMatchObject({ registered: 0, framesRouted: 0, refused: 0 });
  });
});

describe('the CLI', () => {
  it('`erlmesh names` lists the nodes registered at the relay; no relay: a polite refusal', async () => {
    const port = await freePort();
    const none = cli(['names'], port);
    expect(await exitCode(none)).toBe(1);
    expect(none.stderr).toContain(`erlmesh: no relay runs at ws://127.0.0.1:${port}/erlmesh (connection refused: nothing listens there)`);

    const relay = cli(['relay'], port);
    await relay.waitFor(`erlmesh relay listening on ws://127.0.0.1:${port}/erlmesh`);
    for (const name of ['frodo', 'sam']) {
      const n = cli(['node', '--sname', name, '--noshell', '--hidden', '--eval', "io.format('ready~n')"], port);
      await n.waitFor('ready');
    }
    const names = cli(['names'], port);
    expect(await exitCode(names)).toBe(0);
    expect(names.stdout).toMatch(new RegExp(`^erlmesh: relay up and running at ws://127\\.0\\.0\\.1:${port}/erlmesh with data:\\n`));
    expect(names.stdout).toContain(`name frodo@${SHORT_HOST} (hidden, direct ws://`);
    expect(names.stdout).toContain(`name sam@${SHORT_HOST} (hidden, direct ws://`);
    const wrong = cli(['names', '--cookie', 'wrong'], port);
    expect(await exitCode(wrong)).toBe(1);
    expect(wrong.stderr).toContain('refused: bad cookie');
  }, 40_000);

  it('`erlmesh node` starts a daemon at the default URL, which outlives it; `erlmesh relay --stop` stops it', async () => {
    const port = await freePort();
    const gandalf = cli(['node', '--sname', 'gandalf', '--noshell', '--eval', "io.format('ready~n')"], port);
    const m = await gandalf.waitFor(/started a relay at (\S+) \(pid (\d+), log ([^)]+)\)/, 15_000, 'stderr');
    const pid = Number(m[2]);
    killLater(pid);
    expect(m[1]).toBe(`ws://127.0.0.1:${port}/erlmesh`);
    expect(m[3]).toBe(join(tmp, `erlmesh-relay-${port}.log`));
    await gandalf.waitFor('ready');
    gandalf.kill('SIGTERM');
    expect(await exitCode(gandalf)).toBe(0);
    expect(alive(pid)).toBe(true);
    // The next node finds the daemon there and starts none.
    const bilbo = cli(['node', '--sname', 'bilbo', '--noshell', '--eval', "io.format('ready~n')"], port);
    await bilbo.waitFor('ready');
    expect(bilbo.stderr).not.toContain('started a relay');

    const stop = cli(['relay', '--stop'], port);
    expect(await exitCode(stop)).toBe(0);
    expect(stop.stdout).toBe(`erlmesh: stopped the relay at ws://127.0.0.1:${port}/erlmesh (pid ${pid})\n`);
    for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
    expect(alive(pid)).toBe(false);
    const again = cli(['relay', '--stop'], port);
    expect(await exitCode(again)).toBe(1);
    expect(again.stderr).toContain(`erlmesh: no relay runs at ws://127.0.0.1:${port}/erlmesh (connection refused: nothing listens there); nothing stopped`);
  }, 40_000);

  it('an explicit --relay that does not answer is an error naming the URL and the cause, and starts no daemon', async () => {
    const port = await freePort();
    const dead = await freePort();
    const n = cli(['node', '--sname', 'gandalf', '--noshell', '--relay', `ws://127.0.0.1:${dead}`], port);
    expect(await exitCode(n)).toBe(1);
    expect(n.stderr).toContain(`cannot reach the relay at ws://127.0.0.1:${dead}/erlmesh: connection refused: nothing listens there`);
    expect(n.stderr).not.toContain('started a relay');
    expect(existsSync(join(tmp, `erlmesh-relay-${dead}.log`))).toBe(false);
    expect((await probeRelay(`ws://127.0.0.1:${dead}`)).kind).toBe('none');
  }, 20_000);

  it('when epmd holds the default port, `erlmesh node` says so and starts no daemon; `erlmesh relay` names epmd', async () => {
    const port = await fakeEpmd();
    const n = cli(['node', '--sname', 'gandalf', '--noshell'], port);
    expect(await exitCode(n)).toBe(1);
    expect(n.stderr).toContain(`port ${port} on 127.0.0.1 is held by epmd, the Erlang port mapper daemon, not by an erlmesh relay`);
    expect(n.stderr).not.toContain('started a relay');
    expect(n.stderr).not.toContain('1006');
    const r = cli(['relay'], port);
    expect(await exitCode(r)).toBe(1);
    expect(r.stderr).toContain(`erlmesh: port ${port} on 127.0.0.1 is already in use by epmd, the Erlang port mapper daemon`);
    const stop = cli(['relay', '--stop'], port);
    expect(await exitCode(stop)).toBe(1);
    expect(stop.stderr).toContain('held by epmd');
    expect(stop.stderr).toContain('nothing stopped');
  }, 30_000);
});
