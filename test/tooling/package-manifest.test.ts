/**
 * What package.json promises is true of the repository: the license file it names exists,
 * users can find the project (repository/homepage/bugs), every runtime dependency is imported
 * by something the package ships, the build emits no maps into sources it does not ship,
 * and the README tells CommonJS users how to load an ESM-only package.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  license: string;
  files: string[];
  dependencies: Record<string, string>;
  repository?: { url?: string } | string;
  homepage?: string;
  bugs?: { url?: string } | string;
};

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** Strip comments, roughly: `//…` lines and `/* … *\/` blocks (enough to not count a mention). */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}

describe('package.json', () => {
  it('names a LICENSE that exists and is MIT', () => {
    expect(pkg.license).toBe('MIT');
    expect(pkg.files).toContain('LICENSE');
    const license = readFileSync(join(repoRoot, 'LICENSE'), 'utf8');
    expect(license).toMatch(/^MIT License/);
    expect(license).toContain('Copyright (c) 2026 the erlmesh authors');
  });

  it('ships a CHANGELOG and says where the project lives', () => {
    expect(pkg.files).toContain('CHANGELOG.md');
    expect(readFileSync(join(repoRoot, 'CHANGELOG.md'), 'utf8')).toMatch(/^# Changelog/);
    const url = (v: { url?: string } | string | undefined) => (typeof v === 'string' ? v : v?.url);
    expect(url(pkg.repository)).toMatch(/github\.com\/erlmesh\/erlmesh/);
    expect(pkg.homepage).toMatch(/^https:\/\/github\.com\/erlmesh\/erlmesh/);
    expect(url(pkg.bugs)).toBe('https://github.com/erlmesh/erlmesh/issues');
  });

  it('has no runtime dependency that nothing shipped imports', () => {
    const shipped = [...filesUnder(join(repoRoot, 'src')), ...filesUnder(join(repoRoot, 'bin'))].filter(
      (f) => /\.(ts|js|mjs)$/.test(f) && !/\.test\.ts$/.test(f),
    );
    const sources = shipped.map((f) => code(readFileSync(f, 'utf8')));
    const unused = Object.keys(pkg.dependencies).filter((dep) => {
      const spec = new RegExp(`(from\\s+|import\\s*\\(\\s*|import\\s+)['"]${dep.replace(/[/.]/g, '\\$&')}(/[^'"]*)?['"]`);
      return !sources.some((s) => spec.test(s));
    });
    expect(unused).toEqual([]);
  });

  it('builds no source maps or declaration maps into sources the package does not ship', () => {
    const build = readFileSync(join(repoRoot, 'tsconfig.build.json'), 'utf8');
    const shipsSrc = pkg.files.some((f) => f === 'src' || f.startsWith('src/'));
    if (!shipsSrc) {
      expect(build).not.toMatch(/"sourceMap":\s*true/);
      expect(build).not.toMatch(/"declarationMap":\s*true/);
      // tsconfig.build.json extends tsconfig.json, whose sourceMap: true must be overridden.
      expect(build).toMatch(/"sourceMap":\s*false/);
    }
  });
});

describe('README', () => {
  it('says the package is ESM-only and how CommonJS loads it', () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    expect(readme).toMatch(/ES module package only/);
    expect(readme).toMatch(/await import\('erlmesh\/server'\)/);
    expect(readme).toContain('ERR_REQUIRE_ESM');
  });

  it('links only to files that exist in the repository', () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const links = [...readme.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)].map((m) => m[1]!).filter((l) => !/^[a-z]+:/.test(l));
    const missing = links.filter((l) => !existsSync(join(repoRoot, l)) || relative(repoRoot, join(repoRoot, l)).startsWith('..'));
    expect(missing).toEqual([]);
  });
});

describe('docs', () => {
  it('docs/semantics.md says what matches Erlang and what differs on purpose', () => {
    const semantics = readFileSync(join(repoRoot, 'docs/semantics.md'), 'utf8');
    expect(semantics).toMatch(/\*\*What matches\.\*\*/);
    expect(semantics).toMatch(/\*\*What differs on purpose\*\*/);
  });

  it('has a script that builds the API reference from the JSDoc', () => {
    const scripts = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.docs).toMatch(/typedoc/);
    const config = JSON.parse(readFileSync(join(repoRoot, 'typedoc.json'), 'utf8')) as { entryPoints: string[] };
    expect(config.entryPoints).toContain('src/universal/index.ts');
  });
});
