/**
 * Where `erlmesh demo` finds its page (src/server/cli/demo-page.ts): the built page only,
 * never the unbuilt sources in public/ (whose .ts script 404s: "Loading…" forever). A checkout
 * without a build gets the page built first; without a way to build it, a message says how.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DemoPageMissing, demoPageRoot, findVite, NOT_BUILT_HINT } from '../../src/server/cli/demo-page.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** A package root holding `files` (path → content). */
function root(files: Record<string, string>): string {
  dir = mkdtempSync(join(tmpdir(), 'erlmesh-demo-page-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

const SOURCES = { 'public/index.html': '<script type="module" src="../src/browser/demo/main.ts"></script>' };
const BUILT = { 'dist/public/index.html': '<script type="module" src="/assets/index.js"></script>' };

describe('the demo page', () => {
  it('is the built page when there is one (the installed package ships dist/public), and nothing is built', () => {
    const r = root({ ...SOURCES, ...BUILT });
    const built: string[] = [];
    expect(demoPageRoot(r, { vite: () => 'vite.js', build: (at) => (built.push(at), true) })).toBe(join(r, 'dist', 'public'));
    expect(built).toEqual([]);
  });

  it('in a checkout without a build, is built first (and said so), then served from dist/public', () => {
    const r = root(SOURCES);
    const said: string[] = [];
    const calls: Array<[string, string]> = [];
    const page = demoPageRoot(r, {
      vite: () => '/checkout/node_modules/vite/bin/vite.js',
      build: (at, vite) => {
        calls.push([at, vite]);
        mkdirSync(join(at, 'dist', 'public'), { recursive: true });
        writeFileSync(join(at, 'dist', 'public', 'index.html'), 'built');
        return true;
      },
      say: (t) => said.push(t),
    });
    expect(page).toBe(join(r, 'dist', 'public'));
    expect(calls).toEqual([[r, '/checkout/node_modules/vite/bin/vite.js']]);
    expect(said.join('\n')).toContain('building the demo page');
  });

  it('is never the unbuilt sources: without a Vite to build them, it refuses and says how', () => {
    const r = root(SOURCES);
    expect(findVite(r)).toBeUndefined(); // no vite.config.ts, no node_modules here
    expect(() => demoPageRoot(r)).toThrow(DemoPageMissing);
    expect(() => demoPageRoot(r)).toThrow(NOT_BUILT_HINT);
    expect(NOT_BUILT_HINT).toContain('npx vite build');
    expect(NOT_BUILT_HINT).toContain('npm start');
  });

  it('refuses when the build fails or leaves no page', () => {
    const r = root(SOURCES);
    expect(() => demoPageRoot(r, { vite: () => 'vite.js', build: () => false })).toThrow(/building the demo page failed.*npx vite build/);
    expect(() => demoPageRoot(r, { vite: () => 'vite.js', build: () => true })).toThrow(/building the demo page failed/);
  });

  it('refuses without any page, built or not', () => {
    expect(() => demoPageRoot(root({}), { vite: () => 'vite.js', build: () => true })).toThrow(NOT_BUILT_HINT);
  });

  it("finds this checkout's Vite (what `npx erlmesh demo` builds with here)", () => {
    expect(findVite(process.cwd())).toMatch(/vite[/\\]bin[/\\]vite\.js$/);
  });
});
