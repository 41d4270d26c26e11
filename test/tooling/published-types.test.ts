/**
 * The .d.ts files the package ships (tsconfig.build.json, with stripInternal) are whole: a
 * program that imports every entry point typechecks against them with skipLibCheck off, and
 * what is marked @internal is not in them. stripInternal drops a declaration that another
 * published declaration may still name; this catches it before a user's tsc does.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

function errorsOf(program: ts.Program, diagnostics: readonly ts.Diagnostic[]): string[] {
  void program;
  return diagnostics
    .filter((d) => d.category === ts.DiagnosticCategory.Error)
    .map((d) => `${d.file ? d.file.fileName.replace(/^.*\/dts\//, '') + ': ' : ''}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

describe('published types', () => {
  let out: string;
  let emitErrors: string[];

  beforeAll(() => {
    // Inside the repository, so that the consumer resolves peer types (@playwright/test) as an
    // installed package's would.
    out = mkdtempSync(join(repoRoot, 'node_modules', '.erlmesh-dts-'));
    const parsed = ts.getParsedCommandLineOfConfigFile(join(repoRoot, 'tsconfig.build.json'), {}, {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    });
    if (!parsed) throw new Error('cannot parse tsconfig.build.json');
    const options: ts.CompilerOptions = {
      ...parsed.options,
      outDir: join(out, 'dts'),
      emitDeclarationOnly: true,
      declarationMap: false,
      sourceMap: false,
    };
    const program = ts.createProgram(parsed.fileNames, options);
    const emitted = program.emit();
    emitErrors = errorsOf(program, [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics]);
  }, 120_000);

  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('builds with stripInternal', () => {
    expect(emitErrors).toEqual([]);
    const build = readFileSync(join(repoRoot, 'tsconfig.build.json'), 'utf8');
    expect(build).toMatch(/"stripInternal":\s*true/);
  });

  it('leave @internal members out (node.runtime, the BIFs)', () => {
    const node = readFileSync(join(out, 'dts/src/core/node/node.d.ts'), 'utf8');
    expect(node).toContain('class Node');
    expect(node).not.toMatch(/\breadonly runtime\b/);
    expect(node).not.toMatch(/\b_remoteSignal\b/);
  });

  it('typecheck a program using every entry point, with skipLibCheck off', () => {
    const dts = join(out, 'dts/src');
    const consumer = join(out, 'consumer.ts');
    writeFileSync(
      consumer,
      `
import { startNode, MemoryNetwork, genServer, type Node, type ProcessContext, type NodeApi } from '${dts}/core/index.js';
import * as server from '${dts}/server/index.js';
import * as browser from '${dts}/browser/index.js';
import * as playwright from '${dts}/playwright/index.js';
export async function probe(): Promise<string> {
  const net = new MemoryNetwork();
  const a: Node = await startNode({ sname: 'a', cookie: 'c', transport: net.transport() });
  const api: NodeApi = a;
  a.spawn(async (self: ProcessContext) => { self.send(self.pid, 1); await self.receive(); return self.node.name; });
  void genServer.call; void server.startNode; void browser.startNode; void playwright;
  return api.name + String(await a.rpc.call(a.name, 'erlang', 'node', []));
}
`,
    );
    const program = ts.createProgram([consumer], {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true,
      noEmit: true,
      skipLibCheck: false,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
      types: ['node'],
      typeRoots: [join(repoRoot, 'node_modules/@types')],
    });
    expect(errorsOf(program, ts.getPreEmitDiagnostics(program))).toEqual([]);
  }, 120_000);
});
