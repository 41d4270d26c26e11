import { describe, it, expect, afterEach } from 'vitest';
import { TestCluster } from '../../support/cluster.js';
import { runInProcess } from '../../../src/core/process/run.js';
import type { ProcessContext } from '../../../src/core/process/context.js';
import type { Pid } from '../../../src/core/terms/pid.js';

describe('process/run.ts runInProcess', () => {
  let c: TestCluster;
  afterEach(async () => c?.stop());

  it('settles with what the body returns, in a process that then exits normal', async () => {
    c = new TestCluster();
    const [a] = await c.startNodes('a');
    let pid: Pid | undefined;
    const v = await runInProcess(
      (b) => a.spawn(b),
      async (self: ProcessContext) => {
        pid = self.pid;
        self.send(self.pid, 'x');
        return self.receive((m) => m === 'x', 100);
      },
    );
    expect(v).toBe('x');
    expect(await a.exitReason(pid!)).toBe('normal');
  });

  it('rejects with what the body throws', async () => {
    c = new TestCluster();
    const [a] = await c.startNodes('a');
    await expect(runInProcess((b) => a.spawn(b), () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  });
});
