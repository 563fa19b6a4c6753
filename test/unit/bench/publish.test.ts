import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rewriteBlock } from '../../../bench/publish';

test('rewriteBlock replaces only what lies between its markers', () => {
  const text = 'before\n<!-- bench:begin -->\nold table\n<!-- bench:end -->\nafter\n';
  assert.equal(rewriteBlock(text, 'bench', 'new table'), 'before\n<!-- bench:begin -->\nnew table\n<!-- bench:end -->\nafter\n');
  // Another block's markers are left alone.
  assert.equal(rewriteBlock(`${text}<!-- bench-cpu:begin -->\nx\n<!-- bench-cpu:end -->\n`, 'bench-cpu', 'y').includes('old table'), true);
});

test('rewriteBlock refuses a file without its markers instead of appending somewhere', () => {
  assert.throws(() => rewriteBlock('no markers here', 'bench', 'x'), /markers <!-- bench:begin --> … <!-- bench:end --> not found/);
});
