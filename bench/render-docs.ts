/**
 * Regenerate docs/benchmarks.md from bench/results/latest.json without running the bench
 * (after a change to the page's text in bench/lib/report.ts):
 *
 *   npx tsx bench/render-docs.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './lib/children.js';
import { markdownDoc, type Results } from './lib/report.js';

const res = JSON.parse(readFileSync(join(REPO, 'bench/results/latest.json'), 'utf8')) as Results;
writeFileSync(join(REPO, 'docs/benchmarks.md'), markdownDoc(res));
console.log('wrote docs/benchmarks.md');
