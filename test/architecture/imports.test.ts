/**
 * The architecture of src/, checked on every `vitest run` (issue 11):
 *  - no import cycle (type imports count);
 *  - no source file over 400 lines;
 *  - no folder in src/ named like build output (dist, build, out);
 *  - src/core follows the layer table of scripts/layers.mjs (also the `erlmesh/layers` lint
 *    rule); src/core imports no platform folder; src/browser never imports src/server.
 *
 * The first block tests the checker itself on tiny in-memory graphs, so that the real checks
 * cannot pass vacuously.
 */
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { CORE_FOLDERS, layerViolation } from '../../scripts/layers.mjs';
import {
  describeLoop,
  edgeKey,
  findCycles,
  folders,
  graphOf,
  layerViolations,
  loopThrough,
  outputFolders,
  oversized,
  parseImports,
  readSources,
  type ImportGraph,
} from './import-graph.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const MAX_LINES = 400;

const graph = (files: Record<string, string>): ImportGraph => graphOf(new Map(Object.entries(files)));

describe('the checker itself', () => {
  it('sees every kind of import, and which are type-only', () => {
    const code = [
      "import { a } from './a.js';",
      "import type { B } from './b.js';",
      "import { type C, type D } from './c.js';",
      "import { type E, f } from './e.js';",
      "import './side-effect.js';",
      "export { g } from './g.js';",
      "export type { H } from './h.js';",
      "export * from './star.js';",
      "export const lazy = () => import('./lazy.js');",
      "export type Q = import('./q.js').Q;",
      "import ws from 'ws';",
    ].join('\n');
    const found = parseImports('src/core/x/x.ts', code).map((i) => `${i.line} ${i.specifier} ${i.typeOnly ? 'type' : 'value'}`);
    expect(found).toEqual([
      '1 ./a.js value',
      '2 ./b.js type',
      '3 ./c.js type',
      '4 ./e.js value',
      '5 ./side-effect.js value',
      '6 ./g.js value',
      '7 ./h.js type',
      '8 ./star.js value',
      '9 ./lazy.js value',
      '10 ./q.js type',
      '11 ws value',
    ]);
  });

  it('resolves `.js` specifiers to the .ts files, and ignores packages', () => {
    const g = graph({
      'src/core/a/a.ts': "import { b } from '../b/b.js';\nimport ws from 'ws';\nimport { i } from '../b/index.js';",
      'src/core/b/b.ts': 'export const b = 1;',
      'src/core/b/index.ts': 'export const i = 1;',
    });
    expect(g.edges.map((e) => edgeKey(e.from, e.to))).toEqual([
      'src/core/a/a.ts -> src/core/b/b.ts',
      'src/core/a/a.ts -> src/core/b/index.ts',
    ]);
  });

  it('finds a cycle that runs through a type import', () => {
    const g = graph({
      'src/a.ts': "import { b } from './b.js';",
      'src/b.ts': "import type { C } from './c.js';",
      'src/c.ts': "export type C = 1;\nimport { a } from './a.js';",
      'src/d.ts': "import { a } from './a.js';",
    });
    const cycles = findCycles(g);
    expect(cycles).toEqual([['src/a.ts', 'src/b.ts', 'src/c.ts']]);
    const loop = loopThrough(g, cycles[0]!);
    expect(loop.map((e) => e.from)).toEqual(['src/a.ts', 'src/b.ts', 'src/c.ts']);
    expect(describeLoop(loop)).toContain("src/b.ts:1 import type './c.js'");
  });

  it('finds a file that imports itself, two separate cycles, and none in a tree', () => {
    expect(findCycles(graph({ 'src/a.ts': "export * from './a.js';" }))).toEqual([['src/a.ts']]);
    const two = graph({
      'src/a.ts': "import './b.js';",
      'src/b.ts': "import './a.js';\nimport './c.js';",
      'src/c.ts': "import './d.js';",
      'src/d.ts': "import type { C } from './c.js';",
    });
    expect(findCycles(two)).toEqual([['src/a.ts', 'src/b.ts'], ['src/c.ts', 'src/d.ts']]);
    const tree = graph({ 'src/a.ts': "import './b.js';\nimport './c.js';", 'src/b.ts': "import './c.js';", 'src/c.ts': '' });
    expect(findCycles(tree)).toEqual([]);
  });

  it('flags an import between siblings, and an import of a higher layer', () => {
    const g = graph({
      'src/core/rpc/rpc.ts': "import { Global } from '../global/global.js';",
      'src/core/global/global.ts': "import type { Pg } from '../pg/pg.js';",
      'src/core/pg/pg.ts': '',
      'src/core/process/context.ts': "import type { Node } from '../node/node.js';",
      'src/core/node/node.ts': "import { Rpc } from '../rpc/rpc.js';\nimport { ctx } from '../process/context.js';",
    });
    expect(layerViolations(g).map((v) => `${edgeKey(v.edge.from, v.edge.to)}: ${v.rule}`)).toEqual([
      'src/core/global/global.ts -> src/core/pg/pg.ts: global/ and pg/ are siblings in the layer table and may not import each other',
      'src/core/process/context.ts -> src/core/node/node.ts: process/ is below node/ in the layer table and may not import it',
      'src/core/rpc/rpc.ts -> src/core/global/global.ts: rpc/ and global/ are siblings in the layer table and may not import each other',
    ]);
  });

  it.each([
    ['src/core/node/node.ts', 'src/core/process/context.ts', false, undefined],
    ['src/core/process/context.ts', 'src/core/process/mailbox.ts', false, undefined],
    ['src/core/process/context.ts', 'src/core/interfaces/self.ts', true, undefined],
    ['src/core/base/errors.ts', 'src/core/interfaces/log.ts', true, undefined],
    ['src/core/process/context.ts', 'src/core/interfaces/self.ts', false, /types only/],
    ['src/core/interfaces/self.ts', 'src/core/terms/pid.ts', true, undefined],
    ['src/core/interfaces/self.ts', 'src/core/terms/pid.ts', false, /types only/],
    ['src/core/interfaces/self.ts', 'src/core/interfaces/log.ts', false, /types only/],
    ['src/core/interfaces/self.ts', 'src/core/process/context.ts', true, /interfaces\/ may import only base, terms, interfaces/],
    ['src/core/testing/memory-network.ts', 'src/core/net/transport.ts', false, undefined],
    ['src/core/testing/memory-network.ts', 'src/core/process/mailbox.ts', false, /testing\/ may import only/],
    ['src/core/book/kvs.ts', 'src/core/testing/random.ts', false, /below testing/],
    ['src/core/rpc/rpc.ts', 'src/core/behaviours/gen-server.ts', false, undefined],
    ['src/core/behaviours/gen-server.ts', 'src/core/rpc/rpc.ts', true, /below rpc/],
    ['src/core/net/handshake.ts', 'src/core/index.ts', false, /entry point/],
    ['src/core/index.ts', 'src/core/testing/random.ts', false, undefined],
    ['src/core/newfolder/x.ts', 'src/core/base/errors.ts', false, /not in the layer table/],
    ['src/core/net/x.ts', 'src/server/index.ts', true, /src\/core is platform-free/],
    ['src/core/net/x.ts', 'src/browser/crypto.ts', false, /src\/core is platform-free/],
    ['src/core/net/x.ts', 'src/playwright/index.ts', false, /src\/core is platform-free/],
    ['src/browser/demo/x.ts', 'src/server/cli/demo-config.ts', true, /src\/browser may not import src\/server/],
    ['src/browser/demo/x.ts', 'src/core/node/node.ts', false, undefined],
    ['src/server/start-node.ts', 'src/core/node/node.ts', false, undefined],
    ['src/playwright/cluster.ts', 'src/server/index.ts', false, undefined],
  ] as const)('layer rule: %s imports %s (type-only: %s)', (from, to, typeOnly, expected) => {
    const rule = layerViolation(from, to, typeOnly);
    if (expected === undefined) expect(rule).toBeUndefined();
    else expect(rule).toMatch(expected);
  });

  it('counts lines, and names build-output folders', () => {
    const sources = new Map([
      ['src/a.ts', 'x\n'.repeat(401)],
      ['src/b.ts', 'x\n'.repeat(400)],
      ['src/c.ts', `${'x\n'.repeat(400)}x`],
    ]);
    expect(oversized(sources, 400)).toEqual([
      { file: 'src/a.ts', lines: 401 },
      { file: 'src/c.ts', lines: 401 },
    ]);
    expect(outputFolders(['src/core/net', 'src/core/dist', 'src/build', 'src/x/out', 'src/outbox'])).toEqual([
      'src/core/dist',
      'src/build',
      'src/x/out',
    ]);
  });
});

describe('src/', () => {
  let sources: Map<string, string>;
  let g: ImportGraph;

  beforeAll(() => {
    sources = readSources(repoRoot, 'src');
    g = graphOf(sources);
  });

  it('is read: files and imports were found (the checks below are not vacuous)', () => {
    expect(sources.size).toBeGreaterThan(50);
    expect(g.edges.length).toBeGreaterThan(200);
    expect(g.edges.some((e) => e.typeOnly)).toBe(true);
  });

  it('has no import cycle (type imports count)', () => {
    const report = findCycles(g).map(
      (c) => `import cycle of ${c.length} files:\n  ${c.join('\n  ')}\n  for example:\n${describeLoop(loopThrough(g, c))}`,
    );
    expect(report, 'no import cycle (type imports count)').toEqual([]);
  });

  it(`has no source file over ${MAX_LINES} lines`, () => {
    const report = oversized(sources, MAX_LINES).map((o) => `${o.file}: ${o.lines} lines (at most ${MAX_LINES}): split it along the things it does`);
    expect(report, `no source file over ${MAX_LINES} lines`).toEqual([]);
  });

  it('has no folder named dist, build or out', () => {
    const report = outputFolders(folders(repoRoot, 'src')).map((f) => `${f}/: build output's name for source code; name what it holds`);
    expect(report, 'no folder in src/ named dist/build/out').toEqual([]);
  });

  it('follows the layer table (scripts/layers.mjs)', () => {
    const report = layerViolations(g).map(
      ({ edge, rule }) =>
        `${edge.from}:${edge.line} ${edge.typeOnly ? 'import type' : 'import'} '${edge.specifier}' (${edge.to}): ${rule}`,
    );
    expect(report, 'layer order').toEqual([]);
  });

  it('names every folder of src/core in the layer table', () => {
    const coreFolders = folders(repoRoot, 'src/core').filter((f) => f.split('/').length === 3);
    const missing = coreFolders.map((f) => f.split('/')[2]!).filter((f) => !CORE_FOLDERS.includes(f));
    expect(missing, 'src/core folders missing from LAYERS in scripts/layers.mjs').toEqual([]);
  });
});
