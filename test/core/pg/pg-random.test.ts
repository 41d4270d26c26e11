/**
 * pg under churn: seeded random join / leave / process kill / scope-server kill / partition /
 * heal steps on 5 nodes (mulberry32 PRNG; a failure names its seed and the steps so far).
 *
 * After every heal (and at the end) all nodes are reconnected, and then, within a bounded real
 * time, every node must have the same view of every group, equal to the model — the multiset
 * union of what was joined and not left on each node by processes still alive — so no dead pid
 * is a member; `getLocalMembers` must match the node's own part; and the events of a
 * `monitorScope` listener on each node, applied to its snapshot, must give that node's view.
 */
import { describe } from 'vitest';
import { it } from '../../fixtures.js';
import { TestCluster } from '../../support/cluster.js';
import type { Node, Pid } from '../../../src/core/index.js';
import { mulberry32 } from '../../../src/core/testing/random.js';

const SEEDS = 30;
const NODES = 5;
const STEPS = 30;
const GROUPS = ['g0', 'g1', 'g2'];

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

/** Remove one occurrence of `x` from `xs`; false if absent. */
function removeOne<T>(xs: T[], x: T): boolean {
  const i = xs.indexOf(x);
  if (i < 0) return false;
  xs.splice(i, 1);
  return true;
}

const multiset = (xs: string[]): string => [...xs].sort().join(' ');

/** What each node should hold: alive test processes and their group entries (pid keys). */
interface NodeModel {
  node: Node;
  procs: Pid[];
  entries: Map<string, string[]>;
  /** The view rebuilt from monitorScope listener events. */
  mirror: Map<string, string[]>;
}

async function runSeed(seed: number, c: TestCluster): Promise<void> {
  const rnd = mulberry32(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const log: string[] = [];
  const nodes: Node[] = [];
  for (let i = 0; i < NODES; i++) nodes.push(await c.node(`n${i}`));
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const models: NodeModel[] = nodes.map((node) => {
    const m: NodeModel = { node, procs: [], entries: new Map(), mirror: new Map() };
    const sub = node.pg.monitorScope(([, kind, g, pids]) => {
      const list = m.mirror.get(g) ?? [];
      for (const p of pids) {
        if (kind === 'join') list.push(p.key);
        else if (!removeOne(list, p.key)) throw new Error(`leave event for a non-member ${p.key} in ${g} on ${node.name}`);
      }
      if (list.length) m.mirror.set(g, list);
      else m.mirror.delete(g);
    });
    for (const [g, pids] of sub.groups) m.mirror.set(g, pids.map((p) => p.key));
    return m;
  });

  const reconnect = async (): Promise<void> => {
    c.net.heal();
    for (const x of nodes) for (const y of nodes) if (x !== y && (await x.ping(y.name)) !== 'pong') throw new Error(`${x.name} cannot reach ${y.name}`);
  };

  /** The first disagreement with the model, or undefined. */
  const mismatch = (): string | undefined => {
    const expected = new Map<string, string[]>();
    for (const m of models) for (const [g, ks] of m.entries) expected.set(g, [...(expected.get(g) ?? []), ...ks]);
    for (const [g, ks] of [...expected]) if (ks.length === 0) expected.delete(g);
    for (const m of models) {
      const n = m.node;
      const groups = [...n.pg.whichGroups()].sort().join(' ');
      if (groups !== [...expected.keys()].sort().join(' ')) return `${n.name} whichGroups [${groups}], expected [${[...expected.keys()].sort().join(' ')}]`;
      for (const g of GROUPS) {
        const members = n.pg.getMembers(g);
        const got = multiset(members.map((p) => p.key));
        const want = multiset(expected.get(g) ?? []);
        if (got !== want) return `${n.name} getMembers(${g}) = [${got}], expected [${want}]`;
        const local = multiset(n.pg.getLocalMembers(g).map((p) => p.key));
        const wantLocal = multiset(m.entries.get(g) ?? []);
        if (local !== wantLocal) return `${n.name} getLocalMembers(${g}) = [${local}], expected [${wantLocal}]`;
        const mirrored = multiset(m.mirror.get(g) ?? []);
        if (mirrored !== got) return `${n.name} events give ${g} = [${mirrored}], getMembers [${got}]`;
        for (const p of members) if (!byName.get(p.node)!.isProcessAlive(p)) return `${n.name}: dead ${p.key} is a member of ${g}`;
      }
    }
    return undefined;
  };

  const converge = async (): Promise<void> => {
    await reconnect();
    const end = Date.now() + 3000;
    for (let why = mismatch(); why !== undefined; why = mismatch()) {
      if (Date.now() > end) throw new Error(`no convergence within 3 s: ${why}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  };

  try {
    await reconnect();
    let partitioned = false;
    for (let step = 0; step < STEPS; step++) {
      const m = pick(models);
      const n = m.node;
      const r = rnd();
      if (r < 0.35) {
        let p: Pid;
        if (m.procs.length === 0 || rnd() < 0.3) {
          p = n.spawn(async (self) => {
            await self.receive(() => false);
          });
          m.procs.push(p);
        } else p = pick(m.procs);
        const g = pick(GROUPS);
        const times = rnd() < 0.25 ? 2 : 1;
        log.push(`${step}: ${n.name} join ${g} ${p.key} x${times}`);
        const res = n.pg.join(g, times === 2 ? [p, p] : p);
        if (res !== 'ok') throw new Error(`join returned ${String(res)}`);
        const list = m.entries.get(g) ?? [];
        for (let i = 0; i < times; i++) list.push(p.key);
        m.entries.set(g, list);
      } else if (r < 0.55) {
        if (m.procs.length === 0) continue;
        const p = pick(m.procs);
        const g = pick(GROUPS);
        const list = m.entries.get(g) ?? [];
        const want = list.includes(p.key) ? 'ok' : 'not_joined';
        log.push(`${step}: ${n.name} leave ${g} ${p.key} (expect ${want})`);
        const res = n.pg.leave(g, p);
        if (res !== want) throw new Error(`leave returned ${res}, expected ${want}`);
        removeOne(list, p.key);
      } else if (r < 0.7) {
        if (m.procs.length === 0) continue;
        const p = pick(m.procs);
        log.push(`${step}: ${n.name} kill ${p.key}`);
        n.exit(p, 'kill');
        removeOne(m.procs, p);
        for (const list of m.entries.values()) while (removeOne(list, p.key));
      } else if (r < 0.75) {
        log.push(`${step}: ${n.name} kill its pg server`);
        n.exit(n.whereis('pg')!, 'kill');
      } else if (r < 0.88) {
        const side = nodes.filter(() => rnd() < 0.5);
        if (side.length === 0 || side.length === nodes.length) continue;
        const other = nodes.filter((x) => !side.includes(x));
        log.push(`${step}: partition [${side.map((x) => x.name)}] | [${other.map((x) => x.name)}]`);
        c.net.partition(
          side.map((x) => x.name),
          other.map((x) => x.name),
        );
        partitioned = true;
      } else {
        log.push(`${step}: heal${partitioned ? '' : ' (nothing cut)'}`);
        partitioned = false;
        await converge();
      }
      if (rnd() < 0.5) await tick();
    }
    log.push('end: heal');
    await converge();
  } catch (e) {
    throw new Error(`seed ${seed}: ${e instanceof Error ? e.message : String(e)}\nsteps:\n  ${log.join('\n  ')}`);
  }
}

describe('pg: seeded random partitions and heals', () => {
  for (let seed = 1; seed <= SEEDS; seed++) {
    it(`S26: seed ${seed}: after every heal all ${NODES} nodes agree on every group, with no dead members`, async ({ clusters }) => {
      const c = clusters({ seed });
      await runSeed(seed, c);
    });
  }
});
