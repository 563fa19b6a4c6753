import assert from 'node:assert/strict';
import { get } from 'node:http';
import * as vscode from 'vscode';
import { parseCredentials } from '../../../src/core/bindings/parseCredentials';
import type { DestinationBinding } from '../../../src/core/bindings/types';
import { DestinationServiceClient } from '../../../src/core/destinationService/client';
import { HttpAgents } from '../../../src/core/http/agents';
import type { DestinationNode, LevelNode, TreeNode } from '../../../src/extension/tree/destinationsModel';
import { extensionApi, when } from './api';

// The embedded sandbox, the Destinations tree and forwards, through the extension's real commands.

describe('sandbox, tree and forwards in the extension host', () => {
  after(async () => {
    await vscode.commands.executeCommand('btpConnect.stopSandbox');
  });

  it('starts the sandbox from its command and shows connection → levels → destinations', async () => {
    const api = await extensionApi();
    await vscode.commands.executeCommand('btpConnect.startSandbox');
    assert.ok(api.ctx.sandbox.running, 'the sandbox runs');
    const provider = api.ctx.destinations;
    const roots = await provider.getChildren();
    const sandbox = roots.find((node) => node.kind === 'connection' && node.connection === 'sandbox');
    assert.ok(sandbox);
    // The levels first; the connection's Fragments and Certificates nodes follow them.
    const levels = (await provider.getChildren(sandbox)).filter((node): node is LevelNode => node.kind === 'level');
    assert.deepEqual(
      levels.map((level) => level.level),
      ['subaccount', 'instance'],
    );
    const subaccount = await provider.getChildren(levels[0]);
    const names = subaccount.filter((node): node is DestinationNode => node.kind === 'destination').map((node) => node.name);
    assert.ok(names.includes('onprem-erp-basic') && names.includes('internet-basic'), names.join(', '));
    const item = provider.getTreeItem(subaccount.find((node) => node.kind === 'destination' && node.name === 'onprem-erp-basic') as TreeNode);
    assert.equal(item.contextValue, 'destination:idle:http');
    assert.match(String(item.description), /^http:\/\/erp\.virtual:8000/);
  });

  it('reveals a destination by name (getParent works all the way up)', async () => {
    const api = await extensionApi();
    await vscode.commands.executeCommand('btpConnect.revealDestination', 'sandbox', 'instance-api');
    const selected = api.ctx.destinationsView.selection[0];
    assert.equal(selected?.kind === 'destination' ? selected.name : undefined, 'instance-api');
  });

  it('forwards an OnPremise destination from the tree, reaches on-premise data, refreshes only that item, and stops', async () => {
    const api = await extensionApi();
    const node = api.ctx.destinations.findDestination('sandbox', 'onprem-erp-basic');
    assert.ok(node);
    const fired: (TreeNode | undefined)[] = [];
    const subscription = api.ctx.destinations.onDidChangeTreeData((changed) => fired.push(changed));
    await vscode.commands.executeCommand('btpConnect.startForward', node);
    const forward = api.ctx.registry.forwardOf('sandbox', 'onprem-erp-basic');
    assert.ok(forward, 'the forward runs');
    assert.equal(forward.state, 'ready');
    assert.ok(
      fired.some((changed) => changed?.id === node.id),
      'the destination item was refreshed on its own',
    );
    assert.ok(!fired.includes(undefined), 'the whole tree was not refreshed');
    subscription.dispose();

    const expectToken = process.env.BTP_CONNECT_EXPECT_LOCAL_TOKEN === '1';
    assert.equal(forward.tokenRequired, expectToken, 'the local token follows the machine (an SSH session in the shared-machine pass)');
    if (expectToken) {
      // fetch() turns a 407 into a network error (Fetch spec), so the status is read with node:http.
      const refused = await new Promise<number>((resolve, reject) =>
        get(`${forward.localAddress}/sap/opu/odata/sap/API_BUSINESS_PARTNER/A_BusinessPartner`, (res) => resolve(res.resume().statusCode ?? 0)).on(
          'error',
          reject,
        ),
      );
      assert.equal(refused, 407, 'without the token the forward refuses');
    }
    const response = await fetch(`${api.ctx.registry.urlForApps(forward)}/sap/opu/odata/sap/API_BUSINESS_PARTNER/A_BusinessPartner`);
    assert.equal(response.status, 200);
    assert.ok(((await response.json()) as { d: { results: unknown[] } }).d.results.length > 0);
    await when(
      api.ctx.registry.onDidChangeForward,
      () => (api.ctx.registry.forwardOf('sandbox', 'onprem-erp-basic')?.counters.requests ?? 0) >= 1,
      'the request counter',
    );
    const item = api.ctx.destinations.getTreeItem(node);
    assert.equal(item.contextValue, 'destination:forwarded:http');
    assert.match(String(item.description), new RegExp(`^→ :${forward.port} `));

    await vscode.commands.executeCommand('btpConnect.stopForward', node);
    assert.equal(api.ctx.registry.forwardOf('sandbox', 'onprem-erp-basic'), undefined);
    await assert.rejects(fetch(`${forward.localAddress}/`), 'the port is closed');
  });

  it('filters the tree and clears the filter', async () => {
    const api = await extensionApi();
    api.ctx.destinations.setFilter('ldap');
    const sandbox = (await api.ctx.destinations.getChildren()).find((node) => node.kind === 'connection' && node.connection === 'sandbox');
    const [subaccount] = (await api.ctx.destinations.getChildren(sandbox)) as LevelNode[];
    const filtered = await api.ctx.destinations.getChildren(subaccount);
    assert.deepEqual(
      filtered.map((node) => (node.kind === 'destination' ? node.name : node.kind)),
      ['onprem-ldap'],
    );
    await vscode.commands.executeCommand('btpConnect.clearFilter');
    assert.ok((await api.ctx.destinations.getChildren(subaccount)).length > 10);
  });
});

describe('a large subaccount', () => {
  after(async () => {
    await vscode.commands.executeCommand('btpConnect.stopSandbox');
  });

  it('lists 2,000 destinations and builds their items quickly', async () => {
    const api = await extensionApi();
    if (!api.ctx.sandbox.running) await api.ctx.sandbox.start();
    const sandbox = api.ctx.sandbox.running;
    assert.ok(sandbox);
    const agents = new HttpAgents({ extraCaPem: sandbox.caPem });
    const service = new DestinationServiceClient({
      binding: parseCredentials(sandbox.keys.destination, { expected: 'destination' }) as DestinationBinding,
      agents,
    });
    const many = Array.from({ length: 2000 }, (_, index) => ({
      Name: `bulk-${String(index).padStart(4, '0')}`,
      Type: 'HTTP',
      URL: `https://bulk${index}.example.com`,
      ProxyType: 'Internet',
      Authentication: 'NoAuthentication',
    }));
    await service.bulk('POST', 'instance', many);
    await agents.close();
    api.ctx.destinations.refresh();
    const root = (await api.ctx.destinations.getChildren()).find((node) => node.kind === 'connection' && node.connection === 'sandbox');
    const instance = ((await api.ctx.destinations.getChildren(root)) as LevelNode[]).find((node) => node.level === 'instance');
    const loadStarted = performance.now();
    const children = await api.ctx.destinations.getChildren(instance);
    const loadMs = performance.now() - loadStarted;
    const itemsStarted = performance.now();
    for (const child of children) api.ctx.destinations.getTreeItem(child);
    const itemsMs = performance.now() - itemsStarted;
    console.log(
      `2,000 destinations: listed in ${loadMs.toFixed(0)} ms (Destination service over HTTP, all pages), ${children.length} tree items built in ${itemsMs.toFixed(0)} ms`,
    );
    assert.ok(children.length >= 2000);
    assert.ok(itemsMs < 500, `${itemsMs} ms to build the items`);
    const cached = performance.now();
    await api.ctx.destinations.getChildren(instance);
    assert.ok(performance.now() - cached < 50, 'a second expansion is served from the model');
  });
});
