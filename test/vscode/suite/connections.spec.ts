import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { parseCredentials } from '../../../src/core/bindings/parseCredentials';
import type { DestinationBinding } from '../../../src/core/bindings/types';
import { extensionApi, storedSecret } from './api';

// A saved connection made in VS Code: secrets in the OS keychain (the CLI's store) or, where none is reachable, in VS
// Code's SecretStorage; nothing secret in files; removing the connection removes its secrets (AC-34), in both passes.

describe('saved connections', () => {
  it('saves a subaccount connection with its secret in the keychain (or SecretStorage), lists its destinations, and removes both', async () => {
    const api = await extensionApi();
    const sandbox = api.ctx.sandbox.running ?? (await api.ctx.sandbox.start());
    const destination = parseCredentials(sandbox.keys.destination, { expected: 'destination' }) as DestinationBinding;
    await api.ctx.registry.add('from-vscode', { destination });
    const secret = String(sandbox.keys.destination.clientsecret);
    const configDir = process.env.BTP_CONNECT_CONFIG_DIR ?? '';
    const file = join(configDir, 'connections.json');
    assert.ok(existsSync(file), `${file} exists`);
    assert.equal(readFileSync(file, 'utf8').includes(secret), false, 'no secret in connections.json');
    // In the keychain pass this is the entry the CLI reads too (AC-33).
    assert.equal(await storedSecret(api, 'connection/from-vscode/destination/clientsecret'), secret, `the client secret is in the ${api.ctx.secretStorage}`);
    const connection = await api.ctx.registry.get('from-vscode');
    assert.ok((await connection.client.list('instance')).some((destination) => destination.Name === 'instance-api'));
    // Issue 18: its Destination-service token is kept beside the secret (written after the token came), for the
    // next window or CLI command; removing the connection removes it too.
    const kept = await eventually(() => storedSecret(api, 'connection/from-vscode/kept-tokens'));
    assert.match(kept, /"destination":\{"issuedTo":/);
    assert.equal(kept.includes(secret), false, 'no client secret among the kept tokens');
    await api.ctx.destinations.reloadConnections();
    assert.ok(api.ctx.destinations.model.roots().some((root) => root.connection === 'from-vscode'));

    await api.ctx.registry.remove('from-vscode');
    assert.equal(
      await storedSecret(api, 'connection/from-vscode/destination/clientsecret'),
      undefined,
      `the client secret is gone from the ${api.ctx.secretStorage}`,
    );
    assert.equal(await storedSecret(api, 'connection/from-vscode/kept-tokens'), undefined, 'the kept tokens are gone');
    assert.equal(readFileSync(file, 'utf8').includes('from-vscode'), false);
    await vscode.commands.executeCommand('btpConnect.stopSandbox');
  });
});

/** Reads until `read` yields a value: a write that follows a request, not awaited by it (generous bound, not a timing). */
async function eventually(read: () => Promise<string | undefined>): Promise<string> {
  const until = Date.now() + 30_000;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > until) assert.fail('the value never appeared');
    // Each read is a keychain (D-Bus) or SecretStorage call: a short pause between them, not a timing.
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
