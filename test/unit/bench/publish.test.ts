import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cpuBlock, publishedPath, readmeBlock, rewriteBlock, type BenchResult } from '../../../bench/publish';

test('the READMEs show exactly what the committed bench/results/published.json renders to (no figure by hand)', () => {
  const result = JSON.parse(readFileSync(publishedPath, 'utf8')) as BenchResult;
  const root = join(__dirname, '..', '..', '..');
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  assert.equal(rewriteBlock(readme, 'bench', readmeBlock(result)), readme, 'README.md: run `node --import tsx bench/publish.ts`');
  const benchReadme = readFileSync(join(root, 'bench', 'README.md'), 'utf8');
  assert.equal(rewriteBlock(benchReadme, 'bench-cpu', cpuBlock(result)), benchReadme, 'bench/README.md: run `node --import tsx bench/publish.ts`');
});

test('rewriteBlock replaces only what lies between its markers', () => {
  const text = 'before\n<!-- bench:begin -->\nold table\n<!-- bench:end -->\nafter\n';
  assert.equal(rewriteBlock(text, 'bench', 'new table'), 'before\n<!-- bench:begin -->\nnew table\n<!-- bench:end -->\nafter\n');
  // Another block's markers are left alone.
  assert.equal(rewriteBlock(`${text}<!-- bench-cpu:begin -->\nx\n<!-- bench-cpu:end -->\n`, 'bench-cpu', 'y').includes('old table'), true);
});

test('rewriteBlock refuses a file without its markers instead of appending somewhere', () => {
  assert.throws(() => rewriteBlock('no markers here', 'bench', 'x'), /markers <!-- bench:begin --> … <!-- bench:end --> not found/);
});
