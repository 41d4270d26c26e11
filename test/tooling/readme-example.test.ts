/**
 * The README's in-memory example, run against the sources: 'erlmesh' as Node resolves it
 * (src/server/root.ts) and 'erlmesh/testing'. It must print what its comments say. (The
 * packed-tarball test runs the same block against the installed package.)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readmeExample } from './readme-example.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(repoRoot, 'node_modules', '.erlmesh-readme-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('README in-memory example', () => {
  it('prints what its comments say, from the sources', () => {
    const { code, expected } = readmeExample(repoRoot);
    const src = (p: string) => pathToFileURL(join(repoRoot, p)).href;
    const mapped = code
      .replace(/from 'erlmesh'/g, `from '${src('src/server/root.ts')}'`)
      .replace(/from 'erlmesh\/testing'/g, `from '${src('src/core/testing/index.ts')}'`);
    expect(mapped).not.toMatch(/from 'erlmesh/);
    const file = join(dir, 'kvs.mts');
    writeFileSync(file, mapped);
    const out = execFileSync(process.execPath, ['--import', 'tsx', file], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });
    expect(out.trimEnd().split('\n')).toEqual(expected);
  }, 90_000);
});
