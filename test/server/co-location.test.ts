/**
 * The busy waiter's co-location probe (src/server/co-location.ts): the parse of
 * /proc/<pid>/stat, the host process ids that direct links exchange, and, on Linux with
 * `taskset`, the real probe against processes pinned to one CPU or to two.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { hostProcessId, openCoLocationProbe, peerPidOnThisHost, statStateAndCpu } from '../../src/server/co-location.js';
import { eventually } from '../support/cluster.js';

const linux = process.platform === 'linux';
const hasTaskset = linux && spawnSync('taskset', ['--version']).status === 0;
const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');
/** A stat line with `state` in field 3 and `cpu` in field 39, the rest zeros. */
const statLine = (comm: string, state: string, cpu: number): string =>
  `4242 (${comm}) ${state} ${Array.from({ length: 35 }, () => '0').join(' ')} ${cpu} 0 0 0\n`;

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

describe('co-location probe: parsing', () => {
  it('reads the state and CPU of a stat line, whatever the command name holds', () => {
    for (const comm of ['node', 'a b', 'x) (y', ')']) {
      const line = bytes(statLine(comm, 'R', 1));
      expect(statStateAndCpu(line, line.length), comm).toEqual({ state: 0x52, cpu: 1 });
    }
    const sleeping = bytes(statLine('node', 'S', 17));
    expect(statStateAndCpu(sleeping, sleeping.length)).toEqual({ state: 0x53, cpu: 17 });
  });

  it('answers undefined for text of another form', () => {
    for (const bad of ['', 'no parenthesis at all', '42 (node) R 1 2 3', '42 (node)']) {
      expect(statStateAndCpu(bytes(bad), bad.length), bad).toBeUndefined();
    }
  });

  it('names a peer by pid only on the same boot and pid namespace, and never this process', () => {
    const mine = `boot-1/pid:[7]/${process.pid}`;
    expect(peerPidOnThisHost('boot-1/pid:[7]/4243', mine)).toBe(4243);
    expect(peerPidOnThisHost('boot-2/pid:[7]/4243', mine)).toBeUndefined(); // another machine
    expect(peerPidOnThisHost('boot-1/pid:[8]/4243', mine)).toBeUndefined(); // another container
    expect(peerPidOnThisHost(mine, mine)).toBeUndefined(); // two nodes in one process
    for (const bad of [undefined, 42, '', 'boot-1/pid:[7]/', 'boot-1/pid:[7]/-3', 'boot-1/pid:[7]/0x10', 'boot-1/pid:[7]/01']) {
      expect(peerPidOnThisHost(bad, mine), String(bad)).toBeUndefined();
    }
    expect(peerPidOnThisHost('boot-1/pid:[7]/4243', undefined)).toBeUndefined(); // no id here
  });
});

describe.runIf(linux)('co-location probe on Linux', () => {
  it("this process's id is its boot, pid namespace and pid", () => {
    const id = hostProcessId()!;
    expect(id).toMatch(/^[0-9a-f-]+\/pid:\[\d+\]\/\d+$/);
    expect(id.endsWith(`/${process.pid}`)).toBe(true);
  });

  it('a sleeping peer, and a pid that names no process, are not held back', async () => {
    const probe = openCoLocationProbe()!;
    const sleeper = spawn('sleep', ['30']);
    children.push(sleeper);
    // Once it sleeps (while it still starts up it may be runnable right here).
    await eventually(() => /\) S /.test(readFileSync(`/proc/${sleeper.pid!}/stat`, 'latin1')));
    expect(probe.heldBack(sleeper.pid!)).toBe(false);
    sleeper.kill('SIGKILL');
    await new Promise((r) => sleeper.once('exit', r));
    expect(probe.heldBack(sleeper.pid!)).toBe(false);
    expect(probe.heldBack(0x7ffffff0)).toBe(false);
  });

  /** A busy child pinned to `cpu`, and one pinned to `probeCpu` that probes it for `ms`: how often it saw it held back. */
  async function probeFrom(probeCpu: number, cpu: number, ms: number): Promise<number> {
    const hog = spawn('taskset', ['-c', String(cpu), process.execPath, '-e', "console.log('go'); const end = Date.now() + 20000; while (Date.now() < end);"], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    children.push(hog);
    await new Promise((r) => hog.stdout!.once('data', r));
    const script = `import('./src/server/co-location.ts').then((m) => { const p = m.openCoLocationProbe(); let held = 0; const end = Date.now() + ${ms}; while (Date.now() < end) if (p.heldBack(${hog.pid})) held++; console.log(held); })`;
    const r = spawnSync('taskset', ['-c', String(probeCpu), process.execPath, '--import', 'tsx', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status, r.stderr).toBe(0);
    return Number(r.stdout.trim());
  }

  it.runIf(hasTaskset)('a busy peer pinned to the same CPU is held back; one on another CPU is not', async () => {
    // taskset execs node in place: the hog's pid is the busy node's.
    expect(await probeFrom(0, 0, 300)).toBeGreaterThan(0);
    if (cpus().length > 1) expect(await probeFrom(0, 1, 300)).toBe(0);
  }, 60_000);
});
