/**
 * The busy waiter's probe of the machine's runnable threads (src/server/runnable-threads.ts):
 * the parse of /proc/loadavg's text, a probe on a file, no probe where there is none, and
 * the real one on Linux (which counts at least the thread that reads it).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openRunnableThreads, parseRunnable } from '../../src/server/runnable-threads.js';

const dir = mkdtempSync(join(tmpdir(), 'erlmesh-runnable-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const bytes = (s: string): Uint8Array => Buffer.from(s, 'latin1');

describe('runnable threads', () => {
  it('parses the running count of /proc/loadavg', () => {
    expect(parseRunnable(bytes('0.00 0.00 0.08 2/84 17616\n'))).toBe(2);
    expect(parseRunnable(bytes('12.50 9.01 7.77 137/2048 99\n'))).toBe(137);
    // Only the first `length` bytes count (a reused buffer holds an older, longer text).
    expect(parseRunnable(bytes('0.00 0.00 0.08 3/84 1\n 17/99'), 22)).toBe(3);
  });

  it('answers -1 for text of another form', () => {
    for (const bad of ['', '0.00 0.00 0.08', '0.00 0.00 0.08 x/84 1', '0.00 0.00 0.08 2 84', '0.00 0.00 0.08 /84 1']) {
      expect(parseRunnable(bytes(bad)), bad).toBe(-1);
    }
  });

  it('reads a file of that form again on every read, and has no probe for a missing or malformed one', () => {
    const file = join(dir, 'loadavg');
    writeFileSync(file, '0.10 0.20 0.30 5/300 4242\n');
    const probe = openRunnableThreads(file)!;
    expect(probe.read()).toBe(5);
    expect(probe.cpus).toBe(cpus().length);
    writeFileSync(file, '0.10 0.20 0.30 11/300 4242\n');
    expect(probe.read()).toBe(11);
    expect(openRunnableThreads(join(dir, 'none'))).toBeUndefined();
    const bad = join(dir, 'bad');
    writeFileSync(bad, 'not a load average\n');
    expect(openRunnableThreads(bad)).toBeUndefined();
    expect(openRunnableThreads(dir)).toBeUndefined(); // a directory: not readable as a file
  });

  it.runIf(process.platform === 'linux')("counts at least its reader on Linux's /proc/loadavg", () => {
    const probe = openRunnableThreads();
    expect(probe).toBeDefined();
    expect(probe!.read()).toBeGreaterThanOrEqual(1);
  });
});
