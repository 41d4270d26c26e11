/**
 * tsconfig.core.json really keeps DOM and Node out of src/core, and the stand-in globals in
 * src/core/platform-globals.d.ts are sound: what compiles against them also compiles
 * against the real DOM + Node types (tsconfig.json), and they do not clash with those.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const platformGlobals = join(repoRoot, 'src/core/platform-globals.d.ts');

function parseConfig(name: string): ts.ParsedCommandLine {
  const parsed = ts.getParsedCommandLineOfConfigFile(join(repoRoot, name), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  if (!parsed) throw new Error(`cannot parse ${name}`);
  expect(parsed.errors).toEqual([]);
  return parsed;
}

/** Type errors of `files` compiled with `options` (rootDir/outDir dropped: files live in tmp). */
function typeErrors(options: ts.CompilerOptions, files: string[]): string[] {
  const { rootDir: _rootDir, outDir: _outDir, ...rest } = options;
  const program = ts.createProgram(files, { ...rest, noEmit: true });
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.category === ts.DiagnosticCategory.Error)
    .map((d) => {
      const where = d.file ? `${d.file.fileName.replace(/^.*[\\/]/, '')}: ` : '';
      return where + ts.flattenDiagnosticMessageText(d.messageText, '\n');
    });
}

/** Uses every global platform-globals.d.ts declares, the way core code should. */
const PORTABLE = `
export async function probe(key: Uint8Array<ArrayBuffer>, rawKey: ArrayBuffer): Promise<number> {
  const t = setTimeout(() => {}, 10);
  clearTimeout(t as ReturnType<typeof setTimeout>);
  setTimeout(() => {});
  queueMicrotask(() => {
    console.log('a', 1); console.info('b'); console.warn('c'); console.error(new Error('d')); console.debug({});
  });
  const start: number = performance.now();
  const bytes = new TextEncoder().encode('hello');
  const text: string = new TextDecoder().decode(bytes) + new TextDecoder('utf-8', { fatal: true }).decode(rawKey);
  const b64: string = btoa(atob('aGVsbG8='));
  const k = await crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
  const k2 = await crypto.subtle.importKey('raw', rawKey, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac: ArrayBuffer = await crypto.subtle.sign('HMAC', k, bytes);
  await crypto.subtle.sign('HMAC', k2, new Uint8Array(mac));
  const digest: ArrayBuffer = await crypto.subtle.digest('SHA-256', bytes);
  const nonce: Uint8Array<ArrayBuffer> = crypto.getRandomValues(new Uint8Array(16));
  return start + text.length + b64.length + digest.byteLength + nonce.length;
}
`;

/** Platform-specific code that must NOT compile under tsconfig.core.json, and why. */
const NON_PORTABLE: Record<string, { code: string; error: RegExp }> = {
  'document (DOM)': { code: 'export const t = document.title;', error: /Cannot find name 'document'/ },
  'window (DOM)': { code: 'export const w = window;', error: /Cannot find name 'window'/ },
  'WebSocket (DOM)': { code: "export const ws = new WebSocket('ws://x');", error: /Cannot find name 'WebSocket'/ },
  'fetch (DOM)': { code: "export const p = fetch('/x');", error: /Cannot find name 'fetch'/ },
  'localStorage (DOM)': { code: "export const v = localStorage.getItem('k');", error: /Cannot find name 'localStorage'/ },
  'Buffer (Node)': { code: "export const b = Buffer.from('x');", error: /Cannot find name 'Buffer'/ },
  'process (Node)': { code: 'export const e = process.env;', error: /Cannot find name 'process'/ },
  'setImmediate (Node)': { code: 'setImmediate(() => {});', error: /Cannot find name 'setImmediate'/ },
  'NodeJS.Timeout (Node)': { code: 'export let t: NodeJS.Timeout | undefined;', error: /Cannot find namespace 'NodeJS'/ },
  'timer handle methods (Node-only unref)': {
    code: 'setTimeout(() => {}, 1).unref();',
    error: /of type 'unknown'/,
  },
  'timer handle as number (DOM-only)': {
    code: 'export const n: number = setTimeout(() => {}, 1);',
    error: /'unknown' is not assignable to type 'number'/,
  },
  'crypto.randomUUID (outside the declared subset)': {
    code: 'export const u = crypto.randomUUID();',
    error: /Property 'randomUUID' does not exist on type 'Crypto'/,
  },
  'CryptoKey internals (opaque)': {
    code: `export async function f(k: Uint8Array<ArrayBuffer>) {
      const key = await crypto.subtle.importKey('raw', k, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
      return key.algorithm;
    }`,
    error: /Property 'algorithm' does not exist on type 'CryptoKey'/,
  },
  // Rejected by lib.dom too (BufferSource is ArrayBuffer-backed), so rejected here.
  'crypto with a possibly SharedArrayBuffer-backed view': {
    code: `export function f(v: Uint8Array) {
      return crypto.subtle.digest('SHA-256', v);
    }`,
    error: /not assignable to parameter of type 'ArrayBuffer \| ArrayBufferView<ArrayBuffer>'/,
  },
};

let dir: string;
let core: ts.ParsedCommandLine;
let full: ts.ParsedCommandLine;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'erlmesh-core-typecheck-'));
  core = parseConfig('tsconfig.core.json');
  full = parseConfig('tsconfig.json');
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function probeFile(name: string, code: string): string {
  const file = join(dir, `${name.replace(/[^a-z0-9]+/gi, '_')}.ts`);
  writeFileSync(file, code);
  return file;
}

describe('tsconfig.core.json', () => {
  it('loads neither lib.dom nor @types/node for src/core, but does load platform-globals.d.ts', () => {
    const program = ts.createProgram(core.fileNames, core.options);
    const names = program.getSourceFiles().map((f) => f.fileName);
    expect(names).toContain(platformGlobals.replace(/\\/g, '/'));
    expect(names.filter((n) => /lib\.dom|lib\.webworker|@types\/node\//.test(n))).toEqual([]);
    expect(names.filter((n) => n.includes('/src/') && !n.includes('/src/core/'))).toEqual([]);
  });

  it('accepts portable code using every declared global', () => {
    expect(typeErrors(core.options, [platformGlobals, probeFile('portable_core', PORTABLE)])).toEqual([]);
  });

  it.each(Object.entries(NON_PORTABLE))('rejects %s', (name, { code, error }) => {
    const errors = typeErrors(core.options, [platformGlobals, probeFile(`bad_${name}`, code)]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(error);
  });
});

describe('platform-globals.d.ts against the real DOM + Node types (tsconfig.json)', () => {
  it('is a subset: the portable code compiles without it', () => {
    expect(typeErrors(full.options, [probeFile('portable_full', PORTABLE)])).toEqual([]);
  });

  it('does not clash with lib.dom + @types/node when loaded together', () => {
    const options = { ...full.options, skipLibCheck: false };
    const errors = typeErrors(options, [platformGlobals, probeFile('portable_both', PORTABLE)]);
    expect(errors.filter((e) => !e.includes('node_modules'))).toEqual([]);
  });

  it('is excluded from tsconfig.json (the full check uses only the real platform types)', () => {
    expect(full.fileNames).not.toContain(platformGlobals.replace(/\\/g, '/'));
    expect(core.fileNames).toContain(platformGlobals.replace(/\\/g, '/'));
  });
});
