/**
 * Bad arguments get a named error or a clear CLI message with exit status 1, never a bare
 * TypeError or a start with a nonsense setting (issue 17.7): relay URLs that are not
 * WebSocket URLs, an empty cookie.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ErlmeshError } from '../../src/core/index.js';
import { startNode } from '../../src/server/index.js';

const BIN = fileURLToPath(new URL('../../bin/erlmesh.js', import.meta.url));
const home = mkdtempSync(join(tmpdir(), 'erlmesh-badargs-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

function cli(args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], {
    env: { ...process.env, HOME: home, ERLMESH_FROM_SOURCE: '1', ERLMESH_RELAY_PORT: '1' },
    encoding: 'utf8',
    timeout: 20_000,
  });
}

describe('relay URLs', () => {
  for (const [relay, hint] of [
    ['not a url', /ws:\/\/ or wss:\/\/ URL with a host/],
    ['http://127.0.0.1:4367', /use ws:\/\/127\.0\.0\.1:4367 instead/],
    ['https://relay.example/erlmesh', /use wss:\/\/relay\.example\/erlmesh instead/],
    ['ws://', /with a host/],
    ['', /got ""/],
  ] as const) {
    it(`startNode({ relay: ${JSON.stringify(relay)} }) is badarg, saying what to use`, async () => {
      const err = await startNode({ sname: 'a', cookie: 'c', relay }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ErlmeshError);
      expect((err as ErlmeshError).code).toBe('badarg');
      expect((err as Error).message).toMatch(hint);
    });
  }

  for (const [relay, hint] of [
    [[], /the relay URL list is empty/],
    [['ws://127.0.0.1:9/erlmesh', 'http://127.0.0.1:4367'], /use ws:\/\/127\.0\.0\.1:4367 instead/],
    [['ws://127.0.0.1:9/erlmesh', 'ws://127.0.0.1:9'], /names ws:\/\/127\.0\.0\.1:9\/erlmesh twice/],
  ] as const) {
    it(`startNode({ relay: ${JSON.stringify(relay)} }) (a failover list) is badarg`, async () => {
      const err = await startNode({ sname: 'a', cookie: 'c', relay }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ErlmeshError);
      expect((err as ErlmeshError).code).toBe('badarg');
      expect((err as Error).message).toMatch(hint);
    });
  }

  it('erlmesh node --relay a,,b and --relay a --relay http://… exit 1, starting nothing', () => {
    const empty = cli(['node', '--sname', 'a', '--cookie', 'c', '--relay', 'ws://127.0.0.1:9,,ws://127.0.0.1:10', '--noshell']);
    expect(empty.status).toBe(1);
    expect(empty.stderr).toMatch(/an empty relay URL in the list/);
    const bad = cli(['node', '--sname', 'a', '--cookie', 'c', '--relay', 'ws://127.0.0.1:9', '--relay', 'http://127.0.0.1:10', '--noshell']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/use ws:\/\/127\.0\.0\.1:10 instead/);
  });

  it('erlmesh node --relay http://… exits 1 with the hint, starting nothing', () => {
    const r = cli(['node', '--sname', 'a', '--cookie', 'c', '--relay', 'http://127.0.0.1:9', '--noshell']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/use ws:\/\/127\.0\.0\.1:9 instead/);
  });
});

describe('an empty cookie', () => {
  for (const command of [['relay', '--port', '0'], ['node', '--sname', 'a', '--relay', 'ws://127.0.0.1:9/erlmesh', '--noshell'], ['names'], ['ticket', '--role', 'r', '--prefix', 'p']]) {
    it(`erlmesh ${command[0]} --cookie "" exits 1 before starting`, () => {
      const r = cli([...command, '--cookie', '']);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/the cookie must not be empty/);
    });
  }
});
