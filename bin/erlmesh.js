#!/usr/bin/env node
// The `erlmesh` command: `erlmesh relay`, `erlmesh node`, `erlmesh demo`.
// Runs the compiled CLI when the package is built (dist/), else the TypeScript sources
// through tsx (a development checkout). ERLMESH_FROM_SOURCE=1 forces the sources, so tests
// never run a stale build.
import { existsSync } from 'node:fs';

const built = new URL('../dist/src/server/cli/main.js', import.meta.url);
if (process.env.ERLMESH_FROM_SOURCE !== '1' && existsSync(built)) {
  await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/server/cli/main.ts', import.meta.url).href);
}
