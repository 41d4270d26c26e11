/**
 * The README's in-memory example (the `kvs.mjs` block): its code, and the output its
 * comments promise (`console.log(x);  // out` prints `out`). The packed-tarball test runs it
 * against the installed package, readme-example.test.ts against the sources.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ReadmeExample {
  code: string;
  /** One line per `console.log(…)` line: the text after its `//`. */
  expected: string[];
}

export function readmeExample(repoRoot: string): ReadmeExample {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const m = /Save\s+this as `kvs\.mjs`[\s\S]*?```js\n([\s\S]*?)```/.exec(readme);
  if (!m) throw new Error('README.md: no ```js block after "Save this as `kvs.mjs`"');
  const code = m[1]!;
  const expected = code
    .split('\n')
    .filter((l) => l.startsWith('console.log('))
    .map((l) => {
      const c = l.indexOf('//');
      if (c < 0) throw new Error(`README example: no // comment with the output on: ${l}`);
      return l.slice(c + 2).trim();
    });
  if (expected.length === 0) throw new Error('README example: no console.log lines');
  return { code, expected };
}
