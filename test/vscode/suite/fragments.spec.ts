import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { DestinationServiceClient } from '../../../src/core/destinationService/client';
import type { CheckResult } from '../../../src/core/diagnosis/types';
import { ErrorCode, isBtpError } from '../../../src/core/errors';
import type { DestinationNode, LevelNode, TreeNode } from '../../../src/extension/tree/destinationsModel';
import type { FragmentNode, FragmentsNode } from '../../../src/extension/tree/fragmentNodes';
import { extensionApi } from './api';

// Destination fragments in the extension host: the Fragments node of a connection, a forward and a check of a
// destination with a fragment merged in, and the editor creating, changing and deleting a fragment in the sandbox.

async function sandboxRoot(): Promise<TreeNode> {
  const api = await extensionApi();
  const root = (await api.ctx.destinations.getChildren()).find((node) => node.kind === 'connection' && node.connection === 'sandbox');
  assert.ok(root, 'the sandbox connection is in the tree');
  return root;
}

async function fragmentsNode(): Promise<FragmentsNode> {
  const api = await extensionApi();
  const node = (await api.ctx.destinations.getChildren(await sandboxRoot())).find((child): child is FragmentsNode => child.kind === 'fragments');
  assert.ok(node, 'the connection has a Fragments node');
  return node;
}

async function fragments(): Promise<FragmentNode[]> {
  const api = await extensionApi();
  return (await api.ctx.destinations.getChildren(await fragmentsNode())).filter((node): node is FragmentNode => node.kind === 'fragment');
}

async function destinationNode(name: string): Promise<DestinationNode> {
  const api = await extensionApi();
  const [subaccount] = (await api.ctx.destinations.getChildren(await sandboxRoot())) as LevelNode[];
  const node = (await api.ctx.destinations.getChildren(subaccount)).find(
    (candidate): candidate is DestinationNode => candidate.kind === 'destination' && candidate.name === name,
  );
  assert.ok(node, name);
  return node;
}

async function sandboxClient(): Promise<DestinationServiceClient> {
  // The test bundle has its own copy of the class: instanceof cannot see the extension's.
  const client = (await (await extensionApi()).ctx.registry.get('sandbox')).client;
  assert.ok('getFragment' in client, 'the sandbox connection has a Destination service client');
  return client as unknown as DestinationServiceClient;
}

/** Replaces a `vscode.window` function for the duration of `run`. */
async function stubbing<T>(name: 'showQuickPick' | 'showWarningMessage', stub: (...args: never[]) => unknown, run: () => PromiseLike<T>): Promise<T> {
  const window = vscode.window as unknown as Record<string, unknown>;
  const original = window[name];
  window[name] = stub;
  try {
    return await run();
  } finally {
    window[name] = original;
  }
}

describe('destination fragments in the extension host', () => {
  before(async () => {
    await vscode.commands.executeCommand('btpConnect.startSandbox');
  });
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('btpConnect.stopSandbox');
  });

  it('lists the fragments of both levels under the connection, after its levels and before its certificates', async () => {
    const api = await extensionApi();
    const children = await api.ctx.destinations.getChildren(await sandboxRoot());
    assert.deepEqual(
      children.map((node) => node.kind),
      ['level', 'level', 'fragments', 'certificates'],
    );
    const listed = (await fragments()).map((node) => `${node.name}@${node.level}`);
    for (const expected of ['oauth-override@subaccount', 'slow-backend@subaccount', 'slow-backend@instance'])
      assert.ok(listed.includes(expected), listed.join(', '));
    const override = (await fragments()).find((node) => node.name === 'oauth-override');
    assert.ok(override);
    const item = api.ctx.destinations.getTreeItem(override);
    assert.equal(item.contextValue, 'fragment');
    assert.match(String(item.description), /^subaccount · .*URL.*Authentication/);
    assert.equal(api.ctx.destinations.getParent(override)?.kind, 'fragments');
    assert.equal(api.ctx.destinations.getTreeItem(await fragmentsNode()).contextValue, 'fragments');
  });

  it('forwards a destination with a fragment: its URL and authentication come from the fragment', async () => {
    const api = await extensionApi();
    await vscode.commands.executeCommand('btpConnect.startForward', await destinationNode('internet-basic'), 'oauth-override');
    const forward = api.ctx.registry.forwardOf('sandbox', 'internet-basic', 'oauth-override');
    assert.ok(forward, 'the forward with the fragment runs');
    assert.equal(forward.fragment, 'oauth-override');
    assert.equal(api.ctx.registry.forwardOf('sandbox', 'internet-basic'), undefined, 'it is not the plain forward of the destination');
    const echoed = (await (await fetch(`${api.ctx.registry.urlForApps(forward)}/via-fragment`)).json()) as { path: string; headers: Record<string, string> };
    assert.equal(echoed.path, '/oauth-override/via-fragment');
    assert.match(echoed.headers.authorization ?? '', /^Bearer /);
    await (await api.ctx.registry.get('sandbox')).forwards.stop(forward.id);
  });

  it('from a fragment item, forwards the destination picked for it', async () => {
    const api = await extensionApi();
    const slow = (await fragments()).find((node) => node.name === 'slow-backend' && node.level === 'subaccount');
    assert.ok(slow);
    let offered: string[] = [];
    await stubbing(
      'showQuickPick',
      async (items: readonly (vscode.QuickPickItem & { node: DestinationNode })[]) => {
        offered = items.map((item) => item.label);
        return items.find((item) => item.label === 'internet-noauth');
      },
      () => vscode.commands.executeCommand('btpConnect.startForward', slow),
    );
    assert.ok(offered.includes('internet-noauth'), offered.join(', '));
    const forward = api.ctx.registry.forwardOf('sandbox', 'internet-noauth', 'slow-backend');
    assert.ok(forward, 'the forward runs with the fragment of the item');
    const echoed = (await (await fetch(`${api.ctx.registry.urlForApps(forward)}/x`)).json()) as { headers: Record<string, string> };
    assert.equal(echoed.headers['x-fragment'], 'slow-backend');
    await (await api.ctx.registry.get('sandbox')).forwards.stop(forward.id);
  });

  it('checks a destination with a fragment merged in', async () => {
    const merged = await vscode.commands.executeCommand<CheckResult>(
      'btpConnect.checkConnection',
      await destinationNode('internet-basic'),
      undefined,
      'oauth-override',
    );
    assert.equal(merged.firstFailure, undefined, JSON.stringify(merged.firstFailure));
    assert.match(merged.target ?? '', /\/oauth-override$/);
    const missing = await vscode.commands.executeCommand<CheckResult>(
      'btpConnect.checkConnection',
      await destinationNode('internet-basic'),
      undefined,
      'no-such-fragment',
    );
    assert.equal(missing.firstFailure?.hop, 'destinationLookup');
  });

  it('creates a fragment in the editor, refuses an invalid one, edits and deletes it', async () => {
    const api = await extensionApi();
    const client = await sandboxClient();
    // New Fragment… on the Fragments node asks for the level.
    const parent = await fragmentsNode();
    await stubbing(
      'showQuickPick',
      async (items: readonly (vscode.QuickPickItem & { level: string })[]) => items.find((item) => item.level === 'subaccount'),
      () => vscode.commands.executeCommand('btpConnect.newFragment', parent),
    );
    const created = [...api.ctx.editors.documents.values()].find((document) => document.isFragment && document.draft.isNew);
    assert.ok(created, 'the editor opened on a new fragment');
    assert.match(created.uri.path, /^\/sandbox\/subaccount\/fragments\/New Fragment\.btp-destination$/);
    const state = created.state();
    assert.equal(state.entity, 'fragment');
    assert.deepEqual(state.properties, {}, 'a new fragment starts empty: it only overrides what it sets');

    // The save check is the validator's: an ftp:// URL is refused and nothing reaches the service.
    created.draft.edit(1, { FragmentName: 'vscode-fragment', URL: 'ftp://files.example' }, []);
    await assert.rejects(created.save(), (error) => isBtpError(error, ErrorCode.InvalidInput) && /URL/.test(error.message));
    await assert.rejects(client.getFragment('subaccount', 'vscode-fragment'), (error) => isBtpError(error, ErrorCode.NotFound));

    created.draft.edit(2, { URL: 'https://other.example/api', 'URL.headers.X-Team': 'blue' }, []);
    assert.ok(await vscode.workspace.save(created.uri), 'saved through the workbench');
    assert.equal((await client.getFragment('subaccount', 'vscode-fragment')).value.URL, 'https://other.example/api');
    assert.ok(
      (await fragments()).some((node) => node.name === 'vscode-fragment'),
      'the tree lists the saved fragment',
    );

    // Edit Fragment on its item: the saved version, changed, saved with its ETag.
    const item = (await fragments()).find((node) => node.name === 'vscode-fragment');
    await vscode.commands.executeCommand('btpConnect.editFragment', item);
    const document = [...api.ctx.editors.documents.values()].find((open) => open.uri.path === '/sandbox/subaccount/fragments/vscode-fragment.btp-destination');
    assert.ok(document, 'the editor opened on the saved fragment');
    assert.equal(document.state().savedName, 'vscode-fragment');
    assert.equal(document.state().properties['URL.headers.X-Team'], 'blue');
    document.draft.edit(10, { 'URL.headers.X-Team': 'green' }, []);
    await document.save();
    assert.equal((await client.getFragment('subaccount', 'vscode-fragment')).value['URL.headers.X-Team'], 'green');

    // Delete Fragment… asks first, then removes it from the service and the tree.
    const deleteItem = (await fragments()).find((node) => node.name === 'vscode-fragment');
    let asked = '';
    await stubbing(
      'showWarningMessage',
      async (message: string) => {
        asked = message;
        return 'Delete';
      },
      () => vscode.commands.executeCommand('btpConnect.deleteFragment', deleteItem),
    );
    assert.match(asked, /Delete the fragment "vscode-fragment" from the subaccount level of sandbox\?/);
    await assert.rejects(client.getFragment('subaccount', 'vscode-fragment'), (error) => isBtpError(error, ErrorCode.NotFound));
    assert.ok(!(await fragments()).some((node) => node.name === 'vscode-fragment'), 'the tree no longer lists it');
  });
});
