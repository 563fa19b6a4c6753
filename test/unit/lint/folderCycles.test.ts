import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  it('src/extension: base/ (config, notify, command ids) imports no other folder, context/ (Ctx, pickers) sits above the views, only the root composes', () => {
    const graph: Graph = folderGraph(root, 'src/extension');
    assert.ok(graph.has('src/extension/base') && graph.has('src/extension/context') && graph.has('src/extension/commands'), [...graph.keys()].join(', '));
    assert.deepEqual([...(graph.get('src/extension/base') ?? [])], [], 'base/ is the leaf');
    assert.deepEqual(folderCycles(graph), []);
  });

  it('src/protocol and the webview (model, view, the apps) have no ring either, nor has src as a whole', () => {
    const webview: Graph = folderGraph(root, 'webview/src');
    assert.ok(webview.has('webview/src/model') && webview.has('webview/src/view'), [...webview.keys()].join(', '));
    assert.deepEqual(folderCycles(webview), []);
    assert.deepEqual(folderCycles(folderGraph(root, 'src/protocol')), []);
    const all: Graph = folderGraph(root, 'src');
    assert.ok(all.size > 40, `only ${all.size} folders seen`);
    assert.deepEqual(folderCycles(all), []);
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

  it('a cycle written in files is found: a root file imported by its subfolder, and two sibling folders through a type import', () => {
    const base = mkdtempSync(join(tmpdir(), 'folder-cycles-'));
    try {
      const write = (path: string, text: string) => {
        mkdirSync(join(base, path, '..'), { recursive: true });
        writeFileSync(join(base, path), text);
      };
      write('src/x/main.ts', "import { run } from './commands/run';\nexport const ctx = run;\n");
      write('src/x/commands/run.ts', "import type { Ctx } from '../ctx';\nexport const run = 1;\n");
      write('src/x/ctx.ts', 'export type Ctx = number;\n');
      write('src/x/tree/view.ts', "import type { Pick } from '../pick/pick';\nexport type View = Pick;\n");
      write('src/x/pick/pick.ts', "import type { View } from '../tree/view';\nexport type Pick = View | 1;\n");
      const graph: Graph = folderGraph(base, 'src/x');
      assert.deepEqual(folderCycles(graph), [
        ['src/x', 'src/x/commands', 'src/x'],
        ['src/x/pick', 'src/x/tree', 'src/x/pick'],
      ]);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});
