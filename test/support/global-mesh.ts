/**
 * Helpers for the global tests: meshes, idle processes that record their messages, and the
 * "every node agrees" check.
 */
import { expect } from 'vitest';
import { eventually, type TestCluster } from './cluster.js';
import type { Node } from '../../src/core/node/node.js';
import type { Pid } from '../../src/core/terms/pid.js';

/** Start nodes and connect them into a full mesh (every node sees every other). */
export async function mesh(c: TestCluster, ...names: string[]): Promise<Node[]> {
  const nodes: Node[] = [];
  for (const n of names) nodes.push(await c.node(n));
  await connectAll(nodes);
  return nodes;
}

/** Ping every pair that is not connected yet, then wait until every node sees all the others. */
export async function connectAll(nodes: Node[]): Promise<void> {
  for (const x of nodes) {
    for (const y of nodes) {
      // A ping may join a connection attempt started before a heal, which then fails: retry.
      if (x !== y && !x.nodes().includes(y.name)) await eventually(async () => (await x.ping(y.name)) === 'pong');
    }
  }
  await eventually(() => nodes.every((x) => x.nodes().length === nodes.length - 1));
}

/** A process that keeps every message it gets (the one of in-process.ts). */
export { recorder } from './in-process.js';

/** A process that waits forever (the idler of in-process.ts). */
export { idler as idle } from './in-process.js';

/** sync() on every node. */
export async function syncAll(nodes: Node[]): Promise<void> {
  const r = await Promise.all(nodes.map((n) => n.global.sync()));
  expect(r.every((x) => x === 'ok')).toBe(true);
}

/** Each node's view: name → pid key (or undefined). */
export function view(n: Node, names: string[]): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const name of names) out[name] = n.global.whereisName(name)?.key;
  return out;
}

/** Every node has the same registeredNames() and whereisName() for each; returns the names. */
export function expectAgreement(nodes: Node[], label = ''): string[] {
  const first = nodes[0]!;
  const names = first.global.registeredNames();
  for (const n of nodes) {
    expect(n.global.registeredNames(), `${label} registeredNames on ${n.name}`).toEqual(names);
    expect(view(n, names), `${label} whereisName on ${n.name}`).toEqual(view(first, names));
  }
  return names;
}

/** Is `pid` (of one of `nodes`) a live process? */
export function isAlive(nodes: Node[], pid: Pid): boolean {
  const n = nodes.find((x) => x.name === pid.node);
  return n !== undefined && n.isAlive() && n.isProcessAlive(pid);
}
