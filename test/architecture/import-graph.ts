/**
 * The import graph of src/ and the checks the architecture test runs on it. Dependency-free:
 * the TypeScript compiler API parses each file; nothing is type-checked or emitted.
 *
 * Every edge counts: `import`, `import type`, `export … from`, `export type … from`, dynamic
 * `import()` and `import('…')` in type positions. Only relative specifiers are followed
 * (packages are not part of the graph).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import ts from 'typescript';
import { layerViolation } from '../../scripts/layers.mjs';

export interface ImportEdge {
  /** Repository-relative path of the importing file. */
  from: string;
  /** Repository-relative path of the imported file. */
  to: string;
  /** The specifier as written. */
  specifier: string;
  /** 1-based line of the import. */
  line: number;
  typeOnly: boolean;
}

export interface ImportGraph {
  /** Repository-relative paths of every source file, sorted. */
  files: string[];
  edges: ImportEdge[];
}

export interface ParsedImport {
  specifier: string;
  line: number;
  typeOnly: boolean;
}

/** The module specifiers one file imports, with whether each import is type-only. */
export function parseImports(fileName: string, text: string): ParsedImport[] {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found: ParsedImport[] = [];
  const add = (node: ts.Node, spec: ts.Expression | undefined, typeOnly: boolean) => {
    if (!spec || !ts.isStringLiteralLike(spec)) return;
    const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
    found.push({ specifier: spec.text, line, typeOnly });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      add(node, node.moduleSpecifier, importIsTypeOnly(node.importClause));
    } else if (ts.isExportDeclaration(node)) {
      const named = node.exportClause;
      const allTypeSpecifiers =
        named !== undefined && ts.isNamedExports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
      add(node, node.moduleSpecifier, node.isTypeOnly || allTypeSpecifiers);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node, node.moduleReference.expression, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node, node.arguments[0], false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node, node.argument.literal as ts.Expression, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

function importIsTypeOnly(clause: ts.ImportClause | undefined): boolean {
  if (!clause) return false; // `import './x.js'` runs the module
  if (clause.isTypeOnly) return true;
  if (clause.name) return false;
  const b = clause.namedBindings;
  return b !== undefined && ts.isNamedImports(b) && b.elements.length > 0 && b.elements.every((e) => e.isTypeOnly);
}

/**
 * The file a relative specifier names, among `known` (repository-relative paths), or
 * undefined. `./x.js` is `./x.ts` (or `./x.d.ts`), as NodeNext resolution has it.
 */
export function resolveSpecifier(from: string, specifier: string, known: ReadonlySet<string>): string | undefined {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return undefined;
  const base = posix.normalize(posix.join(posix.dirname(from), specifier));
  const stem = base.replace(/\.(?:js|mjs|cjs|ts|mts|cts)$/, '');
  const candidates = [base, `${stem}.ts`, `${stem}.d.ts`, `${stem}.mts`, `${stem}/index.ts`];
  return candidates.find((c) => known.has(c));
}

/** Builds the graph from in-memory sources (repository-relative path → text). */
export function graphOf(sources: ReadonlyMap<string, string>): ImportGraph {
  const files = [...sources.keys()].sort();
  const known = new Set(files);
  const edges: ImportEdge[] = [];
  for (const from of files) {
    for (const imp of parseImports(from, sources.get(from)!)) {
      const to = resolveSpecifier(from, imp.specifier, known);
      if (to !== undefined) edges.push({ from, to, ...imp });
    }
  }
  return { files, edges };
}

/** Every .ts file under `dir` (repository-relative to `root`). */
export function sourceFiles(root: string, dir: string): string[] {
  const out: string[] = [];
  const walk = (abs: string) => {
    for (const name of readdirSync(abs)) {
      const p = join(abs, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(?:ts|mts|cts)$/.test(name)) out.push(relative(root, p).split('\\').join('/'));
    }
  };
  if (existsSync(join(root, dir))) walk(join(root, dir));
  return out.sort();
}

/** Every folder under `dir` (repository-relative to `root`). */
export function folders(root: string, dir: string): string[] {
  const out: string[] = [];
  const walk = (abs: string) => {
    for (const name of readdirSync(abs)) {
      const p = join(abs, name);
      if (statSync(p).isDirectory()) {
        out.push(relative(root, p).split('\\').join('/'));
        walk(p);
      }
    }
  };
  walk(join(root, dir));
  return out.sort();
}

/** Reads src/ (or `dir`) of the repository at `root` from disk. */
export function readSources(root: string, dir = 'src'): Map<string, string> {
  return new Map(sourceFiles(root, dir).map((f) => [f, readFileSync(join(root, f), 'utf8')]));
}

/**
 * The import cycles of the graph: its strongly connected components with more than one file
 * (or one file importing itself), each sorted, the list sorted by first file. Tarjan's
 * algorithm, iterative.
 */
export function findCycles(graph: ImportGraph): string[][] {
  const next = new Map<string, string[]>(graph.files.map((f) => [f, []]));
  for (const e of graph.edges) next.get(e.from)?.push(e.to);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const sccs: string[][] = [];
  let counter = 0;
  for (const start of graph.files) {
    if (index.has(start)) continue;
    const work: { v: string; i: number }[] = [{ v: start, i: 0 }];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const top = work[work.length - 1]!;
      const succ = next.get(top.v) ?? [];
      if (top.i < succ.length) {
        const w = succ[top.i++]!;
        if (!index.has(w)) {
          index.set(w, counter);
          low.set(w, counter++);
          stack.push(w);
          onStack.add(w);
          work.push({ v: w, i: 0 });
        } else if (onStack.has(w)) {
          low.set(top.v, Math.min(low.get(top.v)!, index.get(w)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.v, Math.min(low.get(parent.v)!, low.get(top.v)!));
      if (low.get(top.v) === index.get(top.v)) {
        const scc: string[] = [];
        for (;;) {
          const w = stack.pop()!;
          onStack.delete(w);
          scc.push(w);
          if (w === top.v) break;
        }
        const selfLoop = scc.length === 1 && succ.includes(top.v);
        if (scc.length > 1 || selfLoop) sccs.push(scc.sort());
      }
    }
  }
  return sccs.sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/** One concrete loop through a cycle (its first file back to itself), for failure messages. */
export function loopThrough(graph: ImportGraph, cycle: readonly string[]): ImportEdge[] {
  const inCycle = new Set(cycle);
  const start = cycle[0]!;
  const prev = new Map<string, ImportEdge>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const e of graph.edges) {
      if (e.from !== v || !inCycle.has(e.to)) continue;
      if (e.to === start) {
        const path = [e];
        for (let at = v; at !== start; at = prev.get(at)!.from) path.unshift(prev.get(at)!);
        return path;
      }
      if (!prev.has(e.to)) {
        prev.set(e.to, e);
        queue.push(e.to);
      }
    }
  }
  return [];
}

export function describeLoop(loop: readonly ImportEdge[]): string {
  return loop.map((e) => `    ${e.from}:${e.line} ${e.typeOnly ? 'import type' : 'import'} '${e.specifier}'`).join('\n');
}

/** Edges that break the layer table (scripts/layers.mjs), with the rule each breaks. */
export function layerViolations(graph: ImportGraph): { edge: ImportEdge; rule: string }[] {
  const out: { edge: ImportEdge; rule: string }[] = [];
  for (const edge of graph.edges) {
    const rule = layerViolation(edge.from, edge.to, edge.typeOnly);
    if (rule !== undefined) out.push({ edge, rule });
  }
  return out;
}

/** Line counts of the files over `max` lines, largest first. */
export function oversized(sources: ReadonlyMap<string, string>, max: number): { file: string; lines: number }[] {
  const out: { file: string; lines: number }[] = [];
  for (const [file, text] of sources) {
    const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
    if (lines > max) out.push({ file, lines });
  }
  return out.sort((a, b) => b.lines - a.lines);
}

/** Build-output folder names that may not appear anywhere in src/. */
export const OUTPUT_FOLDER_NAMES = ['dist', 'build', 'out'];

export function outputFolders(all: readonly string[]): string[] {
  return all.filter((f) => OUTPUT_FOLDER_NAMES.includes(posix.basename(f)));
}

export const edgeKey = (from: string, to: string) => `${from} -> ${to}`;
