/**
 * The process table (src/core/process/process-table.ts): pid numbers come back after a process exits,
 * with the serial bumped, so an old pid never reaches the process that got its number.
 */
import { describe, expect } from 'vitest';
import { it } from '../../fixtures.js';
import { TestCluster } from '../../support/cluster.js';
import { ProcessTable } from '../../../src/core/process/process-table.js';
import { type Node, type Pid, TIMEOUT } from '../../../src/core/index.js';
import type { Proc } from '../../../src/core/process/proc.js';
import { idle } from '../../support/in-process.js';

describe('ProcessTable', () => {
  const fake = (id: number, serial: number): Proc => ({ pid: { id, serial } }) as unknown as Proc;

  it('hands out numbers from 1, reuses a freed one with the next serial, and counts live entries', () => {
    const t = new ProcessTable();
    const a = t.allocate();
    const b = t.allocate();
    expect([a, b]).toEqual([
      { id: 1, serial: 0 },
      { id: 2, serial: 0 },
    ]);
    const pa = fake(a.id, a.serial);
    t.set(pa);
    t.set(fake(b.id, b.serial));
    expect(t.size).toBe(2);
    t.delete(pa);
    expect(t.get(1)).toBeUndefined();
    expect(t.size).toBe(1);
    expect(t.allocate()).toEqual({ id: 1, serial: 1 });
    expect(t.allocate()).toEqual({ id: 3, serial: 0 });
  });

  it('deleting a process that is not in its slot changes nothing', () => {
    const t = new ProcessTable();
    const a = t.allocate();
    const p = fake(a.id, a.serial);
    t.set(p);
    t.delete(fake(a.id, 7));
    expect(t.get(a.id)).toBe(p);
    expect(t.size).toBe(1);
  });

  it('a "useless pid" number is freed at once: the next process gets it with a greater serial', () => {
    const t = new ProcessTable();
    const u = t.never();
    expect(t.allocate()).toEqual({ id: u.id, serial: u.serial + 1 });
  });

  it('the table grows with the most processes alive at once, not with how many lived', () => {
    const t = new ProcessTable();
    for (let round = 0; round < 100; round++) {
      const ps = Array.from({ length: 10 }, () => {
        const { id, serial } = t.allocate();
        const p = fake(id, serial);
        t.set(p);
        return p;
      });
      for (const p of ps) t.delete(p);
    }
    expect(Math.max(...Array.from({ length: 10 }, () => t.allocate().id))).toBe(10);
  });
});

describe('pid numbers reused on a node', () => {
  async function node(c: TestCluster): Promise<Node> {
    const [n] = await c.startNodes('a');
    return n!;
  }

  it('an old pid never reaches the process that got its number: not alive, sends are lost, monitors say noproc', async ({ cluster: c }) => {
    const n = await node(c);
    const old = n.spawn(idle);
    n.exit(old, 'kill');
    await new Promise((r) => setTimeout(r, 0));
    expect(n.isProcessAlive(old)).toBe(false);
    const got: unknown[] = [];
    const fresh: Pid = n.spawn(async (self) => {
      for (;;) {
        const m = await self.receive(undefined, 50);
        if (m === TIMEOUT) return;
        got.push(m);
      }
    });
    expect(fresh.id).toBe(old.id);
    expect(fresh.serial).toBe(old.serial + 1);
    expect(fresh.equals(old)).toBe(false);
    expect(n.isProcessAlive(fresh)).toBe(true);
    n.send(old, 'for the old one');
    n.send(fresh, 'for the new one');
    const down = await n.run((self) => {
      const ref = self.monitor(old);
      return self.receive((m: unknown[]) => m[0] === 'DOWN' && ref.equals(m[1]), 1_000);
    });
    expect((down as unknown[])[4]).toBe('noproc');
    await n.exitReason(fresh);
    expect(got).toEqual(['for the new one']);
  });
});
