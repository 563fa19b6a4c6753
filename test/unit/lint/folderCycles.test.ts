import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
// @ts-expect-error a plain ES module of the lint scripts, without types
import { folderCycles, folderGraph } from '../../../scripts/lint/folderGraph.mjs';

type Graph = Map<string, Set<string>>;
const root = new URL('../../../', import.meta.url).pathname;

describe('folder cycles', () => {
  it('src/core: no folder imports another that imports it back, directly or round a ring', () => {
    const graph: Graph = folderGraph(root, 'src/core');
    assert.ok(graph.size > 15, `only ${graph.size} folders seen`);
    assert.deepEqual(folderCycles(graph), []);
  });

  it('src/sandbox: services (token, destination, connectivity, cloudConnector, onPremise) share base/, http/ and tunnel/; only the root composes them', () => {
    const graph: Graph = folderGraph(root, 'src/sandbox');
    assert.ok(graph.has('src/sandbox/base') && graph.has('src/sandbox/tunnel') && graph.has('src/sandbox/onPremise/gate'), [...graph.keys()].join(', '));
    assert.deepEqual(folderCycles(graph), []);
  });

  it('src/cli: the commands and the app that dispatches to them import the shared CLI files, never each other round', () => {
    const graph: Graph = folderGraph(root, 'src/cli');
    assert.ok(graph.has('src/cli/app') && graph.has('src/cli/commands'), [...graph.keys()].join(', '));
    assert.deepEqual(folderCycles(graph), []);
  });

  it('a ring is found, with its folders in order', () => {
    const graph: Graph = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a'])],
      ['d', new Set(['a'])],
    ]);
    assert.deepEqual(folderCycles(graph), [['a', 'b', 'c', 'a']]);
  });
});
