/**
 * The public surface of the package, read with the TypeScript compiler API: every name each
 * entry point of package.json's `exports` map gives a user, with the JSDoc of the declaration
 * behind it. Used by the docs test (every export documented with an `@example`).
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

export interface PublicExport {
  /** The entry point, as a user imports it: 'erlmesh', 'erlmesh/server', … */
  entry: string;
  name: string;
  /** Where it is declared, repository-relative (a dependency's: a path through node_modules/). */
  declaredIn: string;
  hasDoc: boolean;
  hasExample: boolean;
}

/** The source file behind each entry point: dist/src/x/y.d.ts → src/x/y.ts. */
export function entrySources(repoRoot: string): Map<string, string> {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { name: string; exports: Record<string, unknown> };
  const out = new Map<string, string>();
  const typesOf = (target: unknown): string[] => {
    if (typeof target === 'string') return target.endsWith('.d.ts') ? [target] : [];
    if (target && typeof target === 'object') {
      return Object.entries(target).flatMap(([k, v]) => (k === 'types' && typeof v === 'string' ? [v] : typesOf(v)));
    }
    return [];
  };
  for (const [key, target] of Object.entries(pkg.exports)) {
    const entry = key === '.' ? pkg.name : `${pkg.name}/${key.slice(2)}`;
    for (const dts of typesOf(target)) {
      const src = dts.replace(/^\.\/dist\//, '').replace(/\.d\.ts$/, '.ts');
      out.set(`${entry} (${src})`, join(repoRoot, src));
    }
  }
  return out;
}

function hasExampleTag(decl: ts.Declaration): { doc: boolean; example: boolean } {
  const nodes = ts.getJSDocCommentsAndTags(decl);
  const docs = nodes.filter((n): n is ts.JSDoc => ts.isJSDoc(n));
  const tags = docs.flatMap((d) => [...(d.tags ?? [])]);
  const doc = docs.some((d) => (typeof d.comment === 'string' ? d.comment.trim() !== '' : (d.comment?.length ?? 0) > 0));
  return { doc, example: tags.some((t) => t.tagName.text === 'example') };
}

/** Every export of every entry point, with whether its declaration has JSDoc and an `@example`. */
export function publicExports(repoRoot: string): PublicExport[] {
  const entries = entrySources(repoRoot);
  const program = ts.createProgram([...entries.values()], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: ['node'],
    typeRoots: [join(repoRoot, 'node_modules/@types')],
  });
  const checker = program.getTypeChecker();
  const out: PublicExport[] = [];
  for (const [entry, file] of entries) {
    const sf = program.getSourceFile(file);
    if (!sf) throw new Error(`entry point source missing: ${file}`);
    const moduleSymbol = checker.getSymbolAtLocation(sf);
    if (!moduleSymbol) continue;
    for (const exp of checker.getExportsOfModule(moduleSymbol)) {
      const target = exp.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exp) : exp;
      const decls = target.declarations ?? [];
      const found = decls.map(hasExampleTag);
      out.push({
        entry,
        name: exp.name,
        declaredIn: decls[0] ? relative(repoRoot, decls[0].getSourceFile().fileName) : '?',
        hasDoc: found.some((f) => f.doc),
        hasExample: found.some((f) => f.example),
      });
    }
  }
  return out;
}
