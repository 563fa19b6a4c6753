import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { parseCredentials } from '../../../src/core/bindings/parseCredentials';
import type { DestinationBinding } from '../../../src/core/bindings/types';
import { KeychainSecretStore } from '../../../src/core/secrets/keychainStore';
import { extensionApi } from './api';

// A saved connection made in VS Code: secrets in the OS keychain (the CLI's store), nothing secret in files.

describe('saved connections', () => {
  it('saves a subaccount connection with its secret in the keychain, lists its destinations, and removes both', async () => {
    const api = await extensionApi();
    const sandbox = api.ctx.sandbox.running ?? (await api.ctx.sandbox.start());
    const destination = parseCredentials(sandbox.keys.destination, { expected: 'destination' }) as DestinationBinding;
    await api.ctx.registry.add('from-vscode', { destination });
    const secret = String(sandbox.keys.destination.clientsecret);
    const configDir = process.env.BTP_CONNECT_CONFIG_DIR ?? '';
    const file = join(configDir, 'connections.json');
    assert.ok(existsSync(file), `${file} exists`);
    assert.equal(readFileSync(file, 'utf8').includes(secret), false, 'no secret in connections.json');
    if (api.ctx.secretStorage === 'OS keychain') {
      assert.equal(await new KeychainSecretStore().get('connection/from-vscode/destination/clientsecret'), secret, 'the CLI finds the same keychain entry');
    }
    const connection = await api.ctx.registry.get('from-vscode');
    assert.ok((await connection.client.list('instance')).some((destination) => destination.Name === 'instance-api'));
    await api.ctx.destinations.reloadConnections();
    assert.ok(api.ctx.destinations.model.roots().some((root) => root.connection === 'from-vscode'));

    await api.ctx.registry.remove('from-vscode');
    if (api.ctx.secretStorage === 'OS keychain') assert.equal(await new KeychainSecretStore().get('connection/from-vscode/destination/clientsecret'), undefined);
    assert.equal(readFileSync(file, 'utf8').includes('from-vscode'), false);
    await vscode.commands.executeCommand('btpConnect.stopSandbox');
  });
});
