import { describe, expect } from 'vitest';
import { it } from '../../fixtures.js';
import { runInProcess } from '../../../src/core/process/run.js';
import type { ProcessContext } from '../../../src/core/process/context.js';
import type { Pid } from '../../../src/core/terms/pid.js';

describe('process/run.ts runInProcess', () => {
  it('settles with what the body returns, in a process that then exits normal', async ({ cluster: c }) => {
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

  it('rejects with what the body throws', async ({ cluster: c }) => {
    const [a] = await c.startNodes('a');
    await expect(runInProcess((b) => a.spawn(b), () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  });
});

describe('node.run', () => {
  it('runs the body in a throwaway local process that exits normal, and settles with its result', async ({ cluster: c }) => {
    const [a] = await c.startNodes('a');
    let pid: Pid | undefined;
    const v = await a.run((self) => {
      pid = self.pid;
      self.send(self.pid, 'x');
      return self.receive((m) => m === 'x', 100);
    });
    expect(v).toBe('x');
    expect(pid!.node).toBe(a.name);
    expect(await a.exitReason(pid!)).toBe('normal');
  });

  it('rejects with what the body throws, synchronously or not', async ({ cluster: c }) => {
    const [a] = await c.startNodes('a');
    await expect(
      a.run(() => {
        throw new Error('sync boom');
      }),
    ).rejects.toThrow('sync boom');
    await expect(a.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  });
});
