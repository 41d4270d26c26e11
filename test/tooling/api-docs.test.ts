/**
 * The API reference is the JSDoc (typedoc renders it: `npm run docs`), so every name an entry
 * point of package.json exports must carry JSDoc with an `@example`. Read with the TypeScript
 * compiler API (public-api.ts). There is no allowlist: an export without an example fails.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { publicExports, type PublicExport } from './public-api.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const key = (e: PublicExport) => `${e.declaredIn}:${e.name}`;

let exports: PublicExport[];
beforeAll(() => {
  // Re-exports of a dependency (Playwright's `expect`) are documented there. node_modules may
  // be a symlink (a git worktree's), so the path need not start with it.
  exports = publicExports(repoRoot).filter((e) => !e.declaredIn.split('/').includes('node_modules'));
}, 120_000);

describe('API docs', () => {
  it('reads every entry point of package.json', () => {
    const entries = new Set(exports.map((e) => e.entry.split(' ')[0]));
    expect([...entries].sort()).toEqual(['erlmesh', 'erlmesh/browser', 'erlmesh/playwright', 'erlmesh/server', 'erlmesh/testing']);
    expect(exports.some((e) => e.entry.startsWith('erlmesh ') && e.name === 'startNode' && e.hasExample)).toBe(true);
  });

  it('every public export has JSDoc with an @example', () => {
    const missing = [...new Set(exports.filter((e) => !e.hasExample).map(key))].sort();
    expect(missing).toEqual([]);
  });

  it("erlmesh's platform-free ServerNodeExtras names exactly the server-node's own options", () => {
    const files = ['src/universal/index.ts', 'src/server/start-node.ts', 'src/core/node/options.ts'].map((f) => join(repoRoot, f));
    const program = ts.createProgram(files, { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, noEmit: true, types: ['node'], typeRoots: [join(repoRoot, 'node_modules/@types')] });
    const checker = program.getTypeChecker();
    const props = (file: string, name: string) => {
      const sf = program.getSourceFile(file)!;
      const sym = checker.getExportsOfModule(checker.getSymbolAtLocation(sf)!).find((s) => s.name === name)!;
      return checker.getDeclaredTypeOfSymbol(sym).getProperties().map((p) => p.name);
    };
    const core = new Set(props(files[2]!, 'NodeOptions'));
    const serverOwn = props(files[1]!, 'ServerNodeOptions').filter((p) => !core.has(p)).sort();
    expect(props(files[0]!, 'ServerNodeExtras').sort()).toEqual(serverOwn);
  });
});
