/**
 * The src/core platform ban and the `erlmesh/layers` rule (eslint.config.js) really fire —
 * and only where they should. Uses the ESLint Node API against the repository's own config.
 */
import { fileURLToPath } from 'node:url';
import { ESLint, type Linter } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

const CORE_PROBE = 'src/core/__probe__.ts';
const SERVER_PROBE = 'src/server/__probe__.ts';
const BROWSER_PROBE = 'src/browser/__probe__.ts';

const PLATFORM_RULES = new Set([
  'no-restricted-imports',
  'no-restricted-globals',
  'no-restricted-syntax',
]);

let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: repoRoot });
});

async function lint(code: string, filePath: string): Promise<Linter.LintMessage[]> {
  const [result, ...rest] = await eslint.lintText(code, { filePath, warnIgnored: true });
  expect(rest).toHaveLength(0);
  expect(result).toBeDefined();
  const messages = result!.messages;
  // A parse error or an "ignored file" warning would make every assertion below vacuous.
  expect(messages.filter((m) => m.fatal || m.ruleId === null)).toEqual([]);
  return messages;
}

function platformErrors(messages: Linter.LintMessage[]): Linter.LintMessage[] {
  return messages.filter((m) => m.ruleId !== null && PLATFORM_RULES.has(m.ruleId));
}

/** Each snippet uses exactly one platform thing; it must be reported exactly once. */
const violations: { name: string; code: string; rule: string }[] = [
  { name: "import WebSocket from 'ws'", code: "import WebSocket from 'ws';\nexport const W = WebSocket;\n", rule: 'no-restricted-imports' },
  { name: "import from 'isomorphic-ws'", code: "import WS from 'isomorphic-ws';\nexport const W = WS;\n", rule: 'no-restricted-imports' },
  { name: "import { readFile } from 'node:fs'", code: "import { readFile } from 'node:fs';\nexport const r = readFile;\n", rule: 'no-restricted-imports' },
  { name: "import from 'node:fs/promises'", code: "import { readFile } from 'node:fs/promises';\nexport const r = readFile;\n", rule: 'no-restricted-imports' },
  { name: "import fs from 'fs'", code: "import fs from 'fs';\nexport const f = fs;\n", rule: 'no-restricted-imports' },
  { name: "import from 'fs/promises'", code: "import * as fsp from 'fs/promises';\nexport const f = fsp;\n", rule: 'no-restricted-imports' },
  { name: "import { EventEmitter } from 'events'", code: "import { EventEmitter } from 'events';\nexport const E = EventEmitter;\n", rule: 'no-restricted-imports' },
  { name: "import type from 'node:http'", code: "import type { Server } from 'node:http';\nexport type S = Server;\n", rule: 'no-restricted-imports' },
  { name: "export * from 'node:crypto'", code: "export * from 'node:crypto';\n", rule: 'no-restricted-imports' },
  { name: "dynamic import('node:fs')", code: "export const m = () => import('node:fs');\n", rule: 'no-restricted-syntax' },
  { name: "dynamic import('ws')", code: "export const m = () => import('ws');\n", rule: 'no-restricted-syntax' },
  { name: 'window.alert(1)', code: 'window.alert(1);\n', rule: 'no-restricted-globals' },
  { name: "new WebSocket('x')", code: "export const ws = new WebSocket('x');\n", rule: 'no-restricted-globals' },
  { name: 'process.exit(1)', code: 'process.exit(1);\n', rule: 'no-restricted-globals' },
  { name: 'document.title', code: 'export const t = document.title;\n', rule: 'no-restricted-globals' },
  { name: "Buffer.from('x')", code: "export const b = Buffer.from('x');\n", rule: 'no-restricted-globals' },
  { name: "fetch('/x')", code: "export const p = fetch('/x');\n", rule: 'no-restricted-globals' },
  { name: 'setImmediate(f)', code: 'setImmediate(() => {});\n', rule: 'no-restricted-globals' },
  { name: 'global self.postMessage', code: 'self.postMessage(1);\n', rule: 'no-restricted-globals' },
  { name: "require('fs')", code: "export const fs = require('fs');\n", rule: 'no-restricted-globals' },
];

describe('src/core platform ban', () => {
  it('the builtin list is real (a Node builtin without node: prefix is banned)', async () => {
    const errs = platformErrors(await lint("import { Worker } from 'worker_threads';\nexport const W = Worker;\n", CORE_PROBE));
    expect(errs).toHaveLength(1);
  });

  describe.each(violations)('$name', ({ code, rule }) => {
    it('is an error in src/core, with the platform-free message', async () => {
      const errs = platformErrors(await lint(code, CORE_PROBE));
      expect(errs.map((m) => m.ruleId)).toEqual([rule]);
      expect(errs[0]!.severity).toBe(2);
      expect(errs[0]!.message).toMatch(/src\/core is platform-free/);
    });

    it('is allowed in src/server', async () => {
      expect(platformErrors(await lint(code, SERVER_PROBE))).toEqual([]);
    });
  });

  it('also applies in nested core folders and test helpers under src/core', async () => {
    const errs = platformErrors(await lint("import fs from 'node:fs';\nexport const f = fs;\n", 'src/core/testing/deep/__probe__.ts'));
    expect(errs).toHaveLength(1);
  });

  it('allows browser globals in src/browser', async () => {
    const messages = await lint("export const ws = new WebSocket('x');\nwindow.alert(1);\n", BROWSER_PROBE);
    expect(platformErrors(messages)).toEqual([]);
  });

  it('does not flag clean core code that names a parameter or variable `self`', async () => {
    const code = [
      "import { Pid } from './terms/pid.js';",
      '',
      'export interface ProcessContext { self(): Pid; receive(timeoutMs?: number): Promise<unknown>; }',
      '',
      'export async function loop(self: ProcessContext, state: Map<string, unknown>): Promise<void> {',
      '  const me = self.self();',
      '  const msg = await self.receive(1000);',
      "  state.set(me.key, msg);",
      '  const inner = (self: { id: number }) => self.id;',
      '  const fromDestructuring = ({ self }: { self: ProcessContext }) => self;',
      '  void inner; void fromDestructuring;',
      "  const bytes = new TextEncoder().encode('x');",
      "  const digest = await crypto.subtle.digest('SHA-256', bytes);",
      '  const t = setTimeout(() => {}, 10);',
      '  clearTimeout(t as ReturnType<typeof setTimeout>);',
      '  queueMicrotask(() => console.log(performance.now(), digest.byteLength, btoa(atob(\'eA==\'))));',
      '}',
      '',
    ].join('\n');
    const messages = await lint(code, CORE_PROBE);
    expect(messages.filter((m) => m.severity === 2)).toEqual([]);
    expect(platformErrors(messages)).toEqual([]);
  });
});

function layerErrors(messages: Linter.LintMessage[]): Linter.LintMessage[] {
  return messages.filter((m) => m.ruleId === 'erlmesh/layers');
}

/** Probes of the layer table (scripts/layers.mjs): where each sits, what it imports, whether it is reported. */
const layerProbes: { name: string; filePath: string; code: string; message?: RegExp }[] = [
  {
    name: 'process/ importing node/ (a higher layer), even type-only',
    filePath: 'src/core/process/__probe__.ts',
    code: "import type { Node } from '../node/node.js';\nexport type N = Node;\n",
    message: /src\/core\/process\/__probe__\.ts imports '\.\.\/node\/node\.js' \(src\/core\/node\/node\.ts\): process\/ is below node\/ in the layer table/,
  },
  {
    name: "a type query import('…') of a higher layer",
    filePath: 'src/core/terms/__probe__.ts',
    code: "export type N = import('../node/node.js').Node;\n",
    message: /terms\/ is below node\/ in the layer table/,
  },
  {
    name: 'rpc/ importing global/ (siblings)',
    filePath: 'src/core/rpc/__probe__.ts',
    code: "export { Global } from '../global/global.js';\n",
    message: /rpc\/ and global\/ are siblings/,
  },
  {
    name: 'a value import of interfaces/',
    filePath: 'src/core/net/__probe__.ts',
    code: "import { Matcher } from '../interfaces/self.js';\nexport type M = Matcher;\n",
    message: /interfaces\/ holds types only/,
  },
  {
    name: 'testing/ importing process/ via dynamic import()',
    filePath: 'src/core/testing/__probe__.ts',
    code: "export const m = () => import('../process/mailbox.js');\n",
    message: /testing\/ may import only base, terms, interfaces, codec, net/,
  },
  {
    name: 'src/core importing src/server',
    filePath: 'src/core/node/__probe__.ts',
    code: "import type { DemoConfig } from '../../server/cli/demo-config.js';\nexport type D = DemoConfig;\n",
    message: /src\/core is platform-free and may not import src\/server/,
  },
  {
    name: 'src/browser importing src/server',
    filePath: 'src/browser/__probe__.ts',
    code: "import { startNode } from '../server/index.js';\nexport const s = startNode;\n",
    message: /src\/browser may not import src\/server/,
  },
  {
    name: 'node/ importing lower layers and interfaces (type-only)',
    filePath: 'src/core/node/__probe__.ts',
    code: [
      "import { ProcessContext } from '../process/context.js';",
      "import { Rpc } from '../rpc/rpc.js';",
      "import { type Self } from '../interfaces/self.js';",
      "import type { Log } from '../interfaces/log.js';",
      "export type X = [ProcessContext, Rpc, Self, Log];",
      '',
    ].join('\n'),
  },
  {
    name: 'a file importing its own folder, and packages',
    filePath: 'src/core/base/__probe__.ts',
    code: "import { realClock } from './clock.js';\nimport superjson from 'superjson';\nexport const x = [realClock, superjson];\n",
  },
  {
    name: 'src/server importing src/core',
    filePath: 'src/server/__probe__.ts',
    code: "import { startNode } from '../core/node/node.js';\nexport const s = startNode;\n",
  },
];

describe('erlmesh/layers', () => {
  it.each(layerProbes)('$name', async ({ filePath, code, message }) => {
    const errs = layerErrors(await lint(code, filePath));
    if (message === undefined) {
      expect(errs).toEqual([]);
    } else {
      expect(errs).toHaveLength(1);
      expect(errs[0]!.severity).toBe(2);
      expect(errs[0]!.message).toMatch(message);
    }
  });
});
