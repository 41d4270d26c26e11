/**
 * The src/core platform ban (eslint.config.js) really fires — and only where it should.
 * Uses the ESLint Node API against the repository's own config.
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
