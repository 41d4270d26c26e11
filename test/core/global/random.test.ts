/**
 * Seeded randomized partitions and heals: 5 nodes, random register / re-register / unregister /
 * kill / partition / heal steps (mulberry32). After every heal (reconnect + sync on every node)
 * all nodes must agree on registeredNames() and whereisName() for each name, and no name may
 * stand for a dead pid. The seed is in the test name and in every assertion message.
 *
 * A second set of seeds runs awaited operations on a stable cluster and checks each answer and
 * the resulting tables against a sequential model.
 *
 * GLOBAL_SEEDS=200 GLOBAL_FIRST_SEED=1 GLOBAL_STEPS=30 npx vitest run test/core/global/random.test.ts
 */
import { describe, expect } from 'vitest';
import { it } from '../../fixtures.js';
import { eventually } from '../../support/cluster.js';
import type { Pid } from '../../../src/core/index.js';
import type { Resolve } from '../../../src/core/global/global.js';
import { connectAll, expectAgreement, idle, isAlive, mesh, syncAll } from '../../support/global-mesh.js';
import { mulberry32 } from '../../../src/core/testing/random.js';

const SEEDS = Number(globalThis.process?.env?.GLOBAL_SEEDS ?? 30);
const FIRST_SEED = Number(globalThis.process?.env?.GLOBAL_FIRST_SEED ?? 1);
const STEPS = Number(globalThis.process?.env?.GLOBAL_STEPS ?? 30);
const NAMES = ['n0', 'n1', 'n2', 'n3', 'n4', 'n5'];

/** Reject if `p` does not settle within `ms` of real time. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e as Error);
      },
    );
  });
}

describe('global under random partitions and heals', () => {
  for (let seed = FIRST_SEED; seed < FIRST_SEED + SEEDS; seed++) {
    it(`seed ${seed}: after every heal + sync all nodes agree and no name stands for a dead pid`, async ({ cluster: c }) => {
      const rnd = mulberry32(seed);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
      const nodes = await mesh(c, 'a', 'b', 'c', 'd', 'e');
      const pids: Pid[] = [];
      const pending: Array<Promise<unknown>> = [];
      const trace: string[] = [];
      const at = (): string => `seed ${seed}, after: ${trace.join('; ')}`;
      const livePids = (): Pid[] => pids.filter((p) => isAlive(nodes, p));
      const pidFor = (): Pid => {
        const live = livePids();
        if (live.length > 0 && rnd() < 0.6) return pick(live);
        const p = idle(pick(nodes));
        pids.push(p);
        return p;
      };
      const resolver = (): Resolve => {
        const r = rnd();
        if (r < 0.4) return 'random_exit';
        if (r < 0.6) return 'random_notify';
        if (r < 0.8) return 'notify_all';
        return r < 0.9 ? (_n, p1) => p1 : () => undefined;
      };
      const call = (what: string, p: Promise<unknown>): void => {
        trace.push(what);
        // The calls run on while the next steps happen; they are collected now and then.
        pending.push(p);
      };

      /** The groups of every partition in force (they accumulate until a heal). */
      const cuts: Array<[string[], string[]]> = [];
      const separated = (x: string, y: string): boolean =>
        cuts.some(([g1, g2]) => (g1.includes(x) && g2.includes(y)) || (g1.includes(y) && g2.includes(x)));
      /** Every node has seen the nodedowns of the cuts in force. */
      const cutsSeen = (): Promise<void> =>
        eventually(() => nodes.every((x) => !x.nodes().some((y) => separated(x.name, y))));

      /** Heal; reconnect only one random pair: the mesh re-forms (connect_all) while the next steps run. */
      const heal = async (): Promise<void> => {
        await cutsSeen(); // the reconnects after the heal are then new connections
        trace.push('heal');
        c.net.heal();
        cuts.length = 0;
        const x = pick(nodes);
        const y = pick(nodes.filter((z) => z !== x));
        trace.push(`ping ${x.name} ${y.name}`);
        void x.ping(y.name);
      };

      /** Full mesh, every call answered, sync on every node; then all agree, and no dead pids. */
      const check = async (): Promise<void> => {
        if (cuts.length > 0) await heal();
        trace.push('check');
        await connectAll(nodes).catch((e: Error) => {
          throw new Error(`${e.message}; ${at()}`);
        });
        await within(Promise.all(pending.splice(0)), 3000, `pending calls (${at()})`);
        await within(syncAll(nodes), 3000, `sync (${at()})`).catch((e: Error) => {
          throw new Error(`${e.message}\n${nodes.map((x) => JSON.stringify(x.global._debugState())).join('\n')}`);
        });
        const names = expectAgreement(nodes, at());
        for (const name of names) {
          const pid = nodes[0]!.global.whereisName(name)!;
          expect(isAlive(nodes, pid), `${at()}: ${name} stands for a dead pid`).toBe(true);
        }
      };

      if (rnd() < 0.3) {
        trace.push('latency 1');
        c.net.setLatency(1);
      }
      for (let step = 0; step < STEPS; step++) {
        const r = rnd();
        const n = pick(nodes);
        const name = pick(NAMES);
        if (r < 0.3) {
          const p = pidFor();
          call(`${n.name} register ${name} ${p.toString()}`, n.global.registerName(name, p, resolver()));
        } else if (r < 0.4) {
          const p = pidFor();
          call(`${n.name} reregister ${name} ${p.toString()}`, n.global.reRegisterName(name, p, resolver()));
        } else if (r < 0.5) {
          call(`${n.name} unregister ${name}`, n.global.unregisterName(name));
        } else if (r < 0.6) {
          const live = livePids();
          if (live.length > 0) {
            const p = pick(live);
            trace.push(`kill ${p.toString()}`);
            nodes.find((x) => x.name === p.node)!.exit(p, 'kill');
          }
        } else if (r < 0.75) {
          const side = nodes.filter(() => rnd() < 0.5).map((x) => x.name);
          const other = nodes.map((x) => x.name).filter((x) => !side.includes(x));
          if (side.length > 0 && other.length > 0) {
            trace.push(`partition [${side.join(',')}] [${other.join(',')}]`);
            c.net.partition(side, other);
            cuts.push([side, other]);
            // sometimes the next steps race with the nodedowns
            if (rnd() < 0.5) await cutsSeen();
          }
        } else if (r < 0.85) {
          if (cuts.length > 0) await heal();
        } else if (r < 0.92) {
          await check();
        }
        if (rnd() < 0.4) {
          // let the calls made so far be answered before the next step
          await within(Promise.all(pending.splice(0)), 3000, `calls (${at()})`);
        } else if (rnd() < 0.5) {
          await new Promise((res) => setTimeout(res, 1));
        }
      }
      await check();
      // the processes still alive keep working names: a final registration round
      const p = idle(nodes[4]!);
      expect(await nodes[2]!.global.registerName('final', p), at()).toBe('yes');
      await syncAll(nodes);
      for (const x of nodes) expect(x.global.whereisName('final')?.equals(p), at()).toBe(true);
      await eventually(() => true);
    });
  }

  for (let seed = FIRST_SEED; seed < FIRST_SEED + Math.ceil(SEEDS / 3); seed++) {
    it(`seed ${seed}: on a stable cluster, awaited calls answer as a sequential model says`, async ({ cluster: c }) => {
      const rnd = mulberry32(seed * 7919);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
      const nodes = await mesh(c, 'a', 'b', 'c', 'd');
      const pids: Pid[] = [];
      const model = new Map<string, Pid>();
      const trace: string[] = [];
      const at = (): string => `seed ${seed}, after: ${trace.join('; ')}`;
      const namesOf = (p: Pid): string[] => [...model].filter(([, q]) => q.equals(p)).map(([n]) => n);
      for (let step = 0; step < STEPS; step++) {
        const r = rnd();
        const n = pick(nodes);
        const name = pick(NAMES);
        let p: Pid;
        if (pids.length > 0 && rnd() < 0.7) p = pick(pids);
        else pids.push((p = idle(pick(nodes))));
        const alive = isAlive(nodes, p);
        if (r < 0.45) {
          trace.push(`${n.name} register ${name} ${p.toString()}`);
          const expected = model.has(name) ? 'no' : !alive ? 'yes' : namesOf(p).length > 0 ? 'no' : 'yes';
          if (expected === 'yes' && alive) model.set(name, p);
          expect(await n.global.registerName(name, p), at()).toBe(expected);
        } else if (r < 0.6) {
          trace.push(`${n.name} reregister ${name} ${p.toString()}`);
          if (alive) model.set(name, p);
          else model.delete(name);
          expect(await n.global.reRegisterName(name, p), at()).toBe('yes');
        } else if (r < 0.8) {
          trace.push(`${n.name} unregister ${name}`);
          model.delete(name);
          expect(await n.global.unregisterName(name), at()).toBe('ok');
        } else if (alive) {
          trace.push(`kill ${p.toString()}`);
          for (const x of namesOf(p)) model.delete(x);
          nodes.find((x) => x.name === p.node)!.exit(p, 'kill');
          await eventually(() => !isAlive(nodes, p) && nodes.every((x) => x.global.registeredNames().every((y) => !x.global.whereisName(y)!.equals(p))));
        }
        if (rnd() < 0.3) {
          await syncAll(nodes);
          const names = expectAgreement(nodes, at());
          expect(names, at()).toEqual([...model.keys()].sort());
          for (const x of names) expect(nodes[0]!.global.whereisName(x)?.equals(model.get(x)!), at()).toBe(true);
        }
      }
    });
  }
});
