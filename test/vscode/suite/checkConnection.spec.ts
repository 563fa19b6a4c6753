import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { CheckResult } from '../../../src/core/diagnosis/types';
import type { DestinationNode, LevelNode } from '../../../src/extension/tree/destinationsModel';
import { extensionApi } from './api';

// Check Connection from the tree: the report of every hop, for an OnPremise destination (its root not exposed by the
// Cloud Connector, its OData path working) and for one whose auth token the Destination service cannot get without a user.

async function destinationNode(name: string): Promise<DestinationNode> {
  const api = await extensionApi();
  const provider = api.ctx.destinations;
  const sandbox = (await provider.getChildren()).find((node) => node.kind === 'connection' && node.connection === 'sandbox');
  assert.ok(sandbox);
  const [subaccount] = (await provider.getChildren(sandbox)) as LevelNode[];
  const node = (await provider.getChildren(subaccount)).find((candidate): candidate is DestinationNode => candidate.kind === 'destination' && candidate.name === name);
  assert.ok(node, name);
  return node;
}

describe('Check Connection in the extension host', () => {
  before(async () => {
    await vscode.commands.executeCommand('btpConnect.startSandbox');
  });
  after(async () => {
    await vscode.commands.executeCommand('btpConnect.stopSandbox');
  });

  it('walks every hop of an OnPremise destination: token service, lookup, proxy, Cloud Connector, backend', async () => {
    // The Cloud Connector exposes the OData service, not the system's root: the way works, a warning names what is exposed.
    const root = await vscode.commands.executeCommand<CheckResult>('btpConnect.checkConnection', await destinationNode('onprem-erp-basic'));
    assert.equal(root.firstFailure, undefined, JSON.stringify(root.firstFailure));
    assert.equal(root.warning?.hop, 'cloudConnector');
    assert.equal(root.warning?.code, 'BTP_NOT_EXPOSED');
    assert.ok(root.warning?.exposed?.includes('/sap/opu/odata/ and below'), JSON.stringify(root.warning));
    const result = await vscode.commands.executeCommand<CheckResult>('btpConnect.checkConnection', await destinationNode('onprem-erp-basic'), '/sap/opu/odata/sap/API_BUSINESS_PARTNER/A_BusinessPartner');
    assert.equal(result.firstFailure, undefined, JSON.stringify(result.firstFailure));
    const ok = result.hops.filter((hop) => hop.status === 'ok').map((hop) => hop.hop);
    for (const hop of ['tokenService', 'destinationLookup', 'connectivityProxy', 'cloudConnector', 'backend', 'response']) assert.ok(ok.includes(hop as never), `${hop} in ${ok.join(', ')}`);
    assert.equal(result.proxyType, 'OnPremise');
  });

  it('names the first broken hop with its fix: a user-token destination without a signed-in user', async () => {
    const result = await vscode.commands.executeCommand<CheckResult>('btpConnect.checkConnection', await destinationNode('internet-user-exchange'));
    assert.equal(result.firstFailure?.hop, 'authToken');
    assert.ok(result.firstFailure?.code);
    assert.ok((result.firstFailure?.fix ?? '').length > 10, 'a fix is named');
  });
});
