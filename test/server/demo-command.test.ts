/**
 * `erlmesh demo` as an operator sees it (a real process, a tab-like ticket node joining through
 * its relay): the happy path prints the three start-up lines and nothing per tab; `--verbose`
 * adds the relay's join and leave lines. Every wait is bounded; nothing is timed.
 */
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startNode } from '../../src/server/index.js';
import { ErlmeshProcess, freePort, killAll, sandboxHome, SHORT_HOST } from '../support/os-processes.js';

let home: string | undefined;
afterEach(async () => {
  await killAll();
  if (home) rmSync(home, { recursive: true, force: true });
  home = undefined;
});

/** Run the demo, let one tab-like node (a ticket from the page's endpoint) join, rpc demo@ and leave; then stop the demo. */
async function demoWithOneTab(extra: string[] = [], beforeStop?: (demo: ErlmeshProcess, tab: string) => Promise<unknown>): Promise<{ stdout: string; stderr: string; tab: string }> {
  home = sandboxHome();
  const port = await freePort();
  const demo = new ErlmeshProcess(['demo', '--port', String(port), '--cookie', 'c', ...extra], { HOME: home });
  await demo.waitFor(/node demo@\S+ \(kvs started\)/, 60_000);
  const base = `http://127.0.0.1:${port}`;
  // The page names its tab after the server's host (tab-…@<host>, like demo@<host>), whatever address it is served from.
  expect(await (await fetch(`${base}/erlmesh/config.json`)).json()).toMatchObject({ host: SHORT_HOST, mode: 'short', server: `demo@${SHORT_HOST}` });
  const tab = await startNode({
    sname: 'tab-quiet',
    ticket: () => fetch(`${base}/erlmesh/ticket`).then((r) => r.text()),
    relay: `ws://127.0.0.1:${port}`,
    startRelay: false,
    output: false,
    logger: false,
  });
  try {
    expect(await tab.rpc.call(`demo@${SHORT_HOST}`, 'kvs', 'store', ['k', 1])).toBe(true);
  } finally {
    await tab.stop();
  }
  await beforeStop?.(demo, tab.name);
  demo.kill('SIGTERM');
  expect(await demo.exited).toBe(0);
  return { stdout: demo.stdout, stderr: demo.stderr, tab: tab.name };
}

describe('erlmesh demo output', () => {
  it('by default: the start-up lines, and no relay JSON line for a tab joining or leaving', async () => {
    const { stdout, stderr, tab } = await demoWithOneTab();
    expect(stdout).toMatch(/erlmesh demo: open http:\/\/127\.0\.0\.1:\d+\/\nerlmesh demo: relay ws:\S+\nerlmesh demo: node demo@\S+ \(kvs started\)\n$/);
    expect(stderr).not.toContain(tab);
    expect(stderr).not.toMatch(/"event":"(registered|left|listening)"/);
    expect(stderr).not.toMatch(/warn|error/i);
  });

  it('with --verbose: the relay says when each tab joins and leaves', async () => {
    const left = (demo: ErlmeshProcess, tab: string) => demo.waitFor(new RegExp(`"event":"left","name":"${tab}"`), 15_000, 'stderr');
    const { stderr, tab } = await demoWithOneTab(['--verbose'], left);
    const lines = stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { event: string; name?: string; level: string });
    expect(lines.filter((l) => l.name === tab).map((l) => [l.level, l.event])).toEqual([
      ['info', 'registered'],
      ['info', 'left'],
    ]);
  });
});
