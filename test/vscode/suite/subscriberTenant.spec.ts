import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { ErrorCode, isBtpError } from '../../../src/core/errors';
import type { ConnectionNode, DestinationNode, LevelNode } from '../../../src/extension/tree/destinationsModel';
import { extensionApi } from './api';

// Act for Subscriber Tenant… on the sandbox connection: the tree then lists the subscriber subaccount's
// destinations and shows the tenant on the connection, a forward reaches the subscriber's destination, and the
// provider's destinations are not found until the connection acts for the provider again.

const subscriberBasic = `Basic ${Buffer.from('subscriber-user:subscriber-password-1').toString('base64')}`;

async function sandboxRoot(): Promise<ConnectionNode> {
  const api = await extensionApi();
  const roots = await api.ctx.destinations.getChildren();
  const root = roots.find((node): node is ConnectionNode => node.kind === 'connection' && node.connection === 'sandbox');
  assert.ok(root, 'the sandbox connection is in the tree');
  return root;
}

async function subaccountNames(): Promise<string[]> {
  const api = await extensionApi();
  const levels = (await api.ctx.destinations.getChildren(await sandboxRoot())) as LevelNode[];
  const subaccount = levels.find((level) => level.level === 'subaccount');
  assert.ok(subaccount);
  return (await api.ctx.destinations.getChildren(subaccount)).filter((node): node is DestinationNode => node.kind === 'destination').map((node) => node.name);
}

describe('subscriber tenants in the extension host', () => {
  after(async () => {
    await vscode.commands.executeCommand('btpConnect.stopSandbox');
  });

  it('switches the sandbox connection to its subscriber: tree, forward and the provider’s destinations', async () => {
    const api = await extensionApi();
    await vscode.commands.executeCommand('btpConnect.startSandbox');
    assert.ok((await subaccountNames()).includes('internet-basic'), 'the provider’s destinations first');
    assert.deepEqual(
      (await api.ctx.registry.knownTenants('sandbox')).map((tenant) => tenant.subdomain),
      ['subscriber'],
      'the picker offers the sandbox’s subscriber',
    );

    await vscode.commands.executeCommand('btpConnect.actForTenant', await sandboxRoot(), 'subscriber');
    const root = await sandboxRoot();
    assert.equal(root.tenant, 'subscriber');
    assert.match(String(api.ctx.destinations.getTreeItem(root).description), /tenant subscriber/);
    const names = await subaccountNames();
    assert.ok(names.includes('subscriber-api'), names.join(', '));
    assert.ok(!names.includes('internet-basic'), 'no provider destination in the subscriber’s tree');

    const node = api.ctx.destinations.findDestination('sandbox', 'subscriber-api');
    assert.ok(node);
    await vscode.commands.executeCommand('btpConnect.startForward', node);
    const forward = api.ctx.registry.forwardOf('sandbox', 'subscriber-api');
    assert.ok(forward, 'the forward runs');
    const response = await fetch(`${api.ctx.registry.urlForApps(forward)}/from-vscode`);
    assert.equal(response.status, 200);
    const echo = (await response.json()) as { path: string; headers: Record<string, string> };
    assert.equal(echo.path, '/subscriber-api/from-vscode');
    assert.equal(echo.headers.authorization, subscriberBasic);
    // A destination only the provider has is not found as the subscriber.
    const live = await api.ctx.registry.get('sandbox');
    await assert.rejects(live.startForward({ destination: 'internet-noauth' }), (error: unknown) => isBtpError(error, ErrorCode.NotFound));

    // Back to the provider: the subscriber's forward stops, the provider's destinations return.
    await vscode.commands.executeCommand('btpConnect.actForTenant', await sandboxRoot(), null);
    assert.equal((await sandboxRoot()).tenant, undefined);
    assert.equal(api.ctx.registry.forwardOf('sandbox', 'subscriber-api'), undefined, 'the subscriber’s forward stopped');
    const providerNames = await subaccountNames();
    assert.ok(providerNames.includes('internet-basic') && !providerNames.includes('subscriber-api'), providerNames.join(', '));
  });

  it('one port acting for the provider reaches the subscriber’s destination with X-Tenant-Subdomain, as the CLI does', async () => {
    const api = await extensionApi();
    await vscode.commands.executeCommand('btpConnect.startSandbox');
    const live = await api.ctx.registry.get('sandbox');
    const info = await live.startForward({ destination: '*' });
    try {
      const base = live.forwards.urlForApps(info);
      const asSubscriber = await fetch(`${base}/subscriber-api/one-port`, { headers: { 'X-Tenant-Subdomain': 'subscriber' } });
      assert.equal(asSubscriber.status, 200, 'the subscriber’s destination through the provider’s one port');
      const echo = (await asSubscriber.json()) as { path: string; headers: Record<string, string> };
      assert.equal(echo.path, '/subscriber-api/one-port');
      assert.equal(echo.headers.authorization, subscriberBasic);
      // Without the header the same name is looked up as the provider, who has no such destination.
      const asProvider = await fetch(`${base}/subscriber-api/one-port`);
      assert.equal(asProvider.status, 404);
    } finally {
      await live.stopForward(info.id, { graceMs: 0 });
    }
  });
  it('an editor opened for the provider never reads or writes the subscriber’s destination of the same name', async () => {
    const api = await extensionApi();
    await vscode.commands.executeCommand('btpConnect.startSandbox');
    const twin = { Name: 'tenant-twin', Type: 'HTTP', URL: 'https://provider.example', ProxyType: 'Internet', Authentication: 'NoAuthentication' };
    await (await api.ctx.registry.get('sandbox')).client.create('subaccount', twin);
    api.ctx.destinations.refreshLevel('sandbox', 'subaccount');
    assert.ok((await subaccountNames()).includes('tenant-twin'));
    const providerNode = api.ctx.destinations.findDestination('sandbox', 'tenant-twin');
    assert.ok(providerNode);
    await vscode.commands.executeCommand('btpConnect.editDestination', providerNode);
    const providerEditor = [...api.ctx.editors.documents.values()].find((open) => open.uri.path === '/sandbox/subaccount/tenant-twin.btp-destination');
    assert.ok(providerEditor, 'the editor opened on the provider’s destination');
    assert.equal(providerEditor.uri.query, '', 'the provider’s editor has no tenant');

    await vscode.commands.executeCommand('btpConnect.actForTenant', await sandboxRoot(), 'subscriber');
    const subscriber = await api.ctx.registry.get('sandbox');
    await subscriber.client.create('subaccount', { ...twin, URL: 'https://subscriber.example' });
    api.ctx.destinations.refreshLevel('sandbox', 'subaccount');
    assert.ok((await subaccountNames()).includes('tenant-twin'));
    const subscriberNode = api.ctx.destinations.findDestination('sandbox', 'tenant-twin');
    assert.ok(subscriberNode);
    await vscode.commands.executeCommand('btpConnect.editDestination', subscriberNode);
    const subscriberEditor = [...api.ctx.editors.documents.values()].find(
      (open) => open.uri.path === '/sandbox/subaccount/tenant-twin.btp-destination' && open !== providerEditor,
    );
    assert.ok(subscriberEditor, 'the same name as the subscriber opens another editor, not the provider’s tab');
    assert.equal(new URLSearchParams(subscriberEditor.uri.query).get('tenant'), 'subscriber');
    assert.equal(subscriberEditor.state().properties.URL, 'https://subscriber.example');

    // The provider's editor, saved while the connection acts for the subscriber: refused, nothing written anywhere.
    providerEditor.draft.edit(1, { Description: 'edited for the provider' }, []);
    await assert.rejects(
      providerEditor.save(),
      (error: unknown) => isBtpError(error, ErrorCode.TenantChanged) && /acts for tenant "subscriber"/.test(error.message),
    );
    assert.equal((await subscriber.client.get('subaccount', 'tenant-twin')).value.Description, undefined, 'the subscriber’s twin is untouched');

    // Acting for the provider again, the same editor saves into the provider's destination.
    await vscode.commands.executeCommand('btpConnect.actForTenant', await sandboxRoot(), null);
    await providerEditor.save();
    const provider = await api.ctx.registry.get('sandbox');
    assert.equal((await provider.client.get('subaccount', 'tenant-twin')).value.Description, 'edited for the provider');
    await assert.rejects(subscriberEditor.revert(), (error: unknown) => isBtpError(error, ErrorCode.TenantChanged));
    await provider.client.delete('subaccount', 'tenant-twin');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
