import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { CheckResult } from '../../../src/core/diagnosis/types';
import { readConfigFile, waitForAcknowledgement, writeConfigFile } from '../../../src/sandbox/cloudConnector/configClient';
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
  const node = (await provider.getChildren(subaccount)).find(
    (candidate): candidate is DestinationNode => candidate.kind === 'destination' && candidate.name === name,
  );
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
    const result = await vscode.commands.executeCommand<CheckResult>(
      'btpConnect.checkConnection',
      await destinationNode('onprem-erp-basic'),
      '/sap/opu/odata/sap/API_BUSINESS_PARTNER/A_BusinessPartner',
    );
    assert.equal(result.firstFailure, undefined, JSON.stringify(result.firstFailure));
    const ok = result.hops.filter((hop) => hop.status === 'ok').map((hop) => hop.hop);
    for (const hop of ['tokenService', 'destinationLookup', 'connectivityProxy', 'cloudConnector', 'backend', 'response'])
      assert.ok(ok.includes(hop as never), `${hop} in ${ok.join(', ')}`);
    assert.equal(result.proxyType, 'OnPremise');
  });

  it('names the first broken hop with its fix: a user-token destination without a signed-in user', async () => {
    const result = await vscode.commands.executeCommand<CheckResult>('btpConnect.checkConnection', await destinationNode('internet-user-exchange'));
    assert.equal(result.firstFailure?.hop, 'authToken');
    assert.ok(result.firstFailure?.code);
    assert.ok((result.firstFailure?.fix ?? '').length > 10, 'a fix is named');
  });

  it('a missing mapping on the sandbox gets a fix button that exposes the system with the values filled in', async () => {
    const api = await extensionApi();
    const directory = api.ctx.sandbox.directory;
    const { file: original } = await readConfigFile(directory);
    // Take db.virtual:5432 away: onprem-tcp-db is then refused by the Cloud Connector (SOCKS5 0x02).
    const without = {
      connectors: original.connectors.map((entry) => ({ ...entry, mappings: entry.mappings.filter((mapping) => mapping.virtualHost !== 'db.virtual') })),
    };
    assert.equal((await waitForAcknowledgement(directory, await writeConfigFile(directory, without))).kind, 'applied');

    const window = vscode.window as unknown as Record<string, unknown>;
    const saved = ['showErrorMessage', 'showInformationMessage', 'showInputBox'].map((name) => [name, window[name]] as const);
    const inputs: string[] = [];
    let greenAgain!: (message: string) => void;
    const rechecked = new Promise<string>((resolve) => (greenAgain = resolve));
    window.showErrorMessage = async (_message: string, ...buttons: string[]) =>
      buttons.includes('Expose in the Sandbox…') ? 'Expose in the Sandbox…' : undefined;
    window.showInputBox = async (options?: vscode.InputBoxOptions) => {
      // The virtual host comes filled in from the check; the internal address is typed.
      const value = options?.value === '127.0.0.1:' ? 'builtin:line' : (options?.value ?? '');
      inputs.push(value);
      return value;
    };
    window.showInformationMessage = async (message: string) => {
      if (/onprem-tcp-db: all \d+ hops work/.test(message)) greenAgain(message);
      return undefined;
    };
    try {
      const broken = await vscode.commands.executeCommand<CheckResult>('btpConnect.checkConnection', await destinationNode('onprem-tcp-db'));
      assert.equal(broken.firstFailure?.code, 'BTP_NOT_EXPOSED');
      await rechecked;
      assert.deepEqual(inputs, ['db.virtual:5432', 'builtin:line']);
      const { file } = await readConfigFile(directory);
      assert.deepEqual(
        file.connectors[0]?.mappings.find((mapping) => mapping.virtualHost === 'db.virtual'),
        { virtualHost: 'db.virtual', virtualPort: 5432, localHost: 'builtin:line', protocol: 'TCP', authenticationMode: 'NONE' },
      );
    } finally {
      for (const [name, original] of saved) window[name] = original;
      assert.equal((await waitForAcknowledgement(directory, await writeConfigFile(directory, original))).kind, 'applied');
    }
  });
});
