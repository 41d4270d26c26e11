/**
 * The erlmesh package on disk: its root directory and version (from src/ or from dist/src/).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's root directory (holds package.json and bin/), from src/ or from dist/src/. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name === 'erlmesh') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the erlmesh package root');
    dir = up;
  }
}

let version: string | undefined;

/** The package's version ('unknown' when package.json cannot be read). */
export function packageVersion(): string {
  try {
    version ??= (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    version = 'unknown';
  }
  return version;
}
