/**
 * The README's walkthrough script, run as a user would (`npx tsx examples/kvs-walkthrough.ts`).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('README kvs walkthrough', () => {
  it('stores on gandalf from bilbo and reads it back on both nodes', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'examples/kvs-walkthrough.ts'], { timeout: 60_000 });
    const lines = stdout.trim().split('\n');
    expect(lines).toEqual([
      "(bilbo@localhost)> rpc.call('gandalf@localhost', 'kvs', 'start', [])",
      'true',
      "(bilbo@localhost)> rpc.call('gandalf@localhost', 'kvs', 'store', ['weather', 'fine'])",
      'true',
      "(bilbo@localhost)> rpc.call('gandalf@localhost', 'kvs', 'lookup', ['weather'])",
      "['ok', 'fine']",
      '(bilbo@localhost)> nodes()',
      "['gandalf@localhost']",
      "(gandalf@localhost)> kvs.lookup('weather')",
      "['ok', 'fine']",
    ]);
  });
});
