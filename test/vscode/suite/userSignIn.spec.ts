import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { request } from 'undici';
import type { ConnectionNode } from '../../../src/extension/tree/destinationsModel';
import { signInInBrowser } from '../../support/loginBrowser';
import { extensionApi, storedSecret, when } from './api';

// Sign In / Sign Out on a connection through the extension's commands: the browser is played by the test (the
// sandbox's login page over plain HTTP), the rest is real — PKCE, the loopback callback, tokens in the secret
// store, and forwards that then carry the user to the on-premise system.

interface WhoAmI {
  user: string | null;
}

describe('user sign-in in the extension host', () => {
  let restoreOpenExternal: (() => void) | undefined;

  after(async () => {
    restoreOpenExternal?.();
    await vscode.commands.executeCommand('btpConnect.stopSandbox');
  });

  it('signs in from the connection, forwards act for the user, and signing out takes it back', async () => {
    const api = await extensionApi();
    await vscode.commands.executeCommand('btpConnect.startSandbox');
    const sandbox = api.ctx.sandbox.running;
    assert.ok(sandbox, 'the sandbox runs');
    const original = api.ctx.openExternal;
    const opened: string[] = [];
    let browser: Promise<unknown> = Promise.resolve();
    api.ctx.openExternal = async (uri) => {
      opened.push(uri.toString(true));
      browser = signInInBrowser(sandbox, uri.toString(true), 'bob');
      return true;
    };
    restoreOpenExternal = () => (api.ctx.openExternal = original);

    const provider = api.ctx.destinations;
    const node = (await provider.getChildren()).find((candidate): candidate is ConnectionNode => candidate.kind === 'connection' && candidate.connection === 'sandbox');
    assert.ok(node);
    const forward = await (await api.ctx.registry.get('sandbox')).startForward({ destination: 'onprem-erp-principal' });
    // With the local token where the second pass requires one.
    const base = api.ctx.registry.urlForApps(forward);
    const before = await request(`${base}/whoami`);
    assert.equal(before.statusCode, 502);
    assert.equal(((await before.body.json()) as { error: { code: string } }).error.code, 'BTP_SIGN_IN_REQUIRED');

    await vscode.commands.executeCommand('btpConnect.signIn', node);
    await browser;
    assert.equal(opened.length, 1);
    assert.match(opened[0] ?? '', /\/oauth\/authorize\?.*code_challenge_method=S256/);
    await when(api.ctx.registry.onDidChangeUser, () => api.ctx.registry.signedInUser('sandbox')?.userName === 'bob', 'bob signed in');
    const item = provider.getTreeItem(node);
    assert.equal(item.contextValue, 'connection:sandbox:user');
    assert.match(String(item.description), /as bob/);
    const seen = (await (await request(`${base}/whoami`)).body.json()) as WhoAmI;
    assert.equal(seen.user, 'bob');
    // Bob's tokens lie in the store this pass expects (the keychain, or SecretStorage in the fallback pass)...
    const stored = await storedSecret(api, 'connection/sandbox/user/access_token');
    assert.ok(stored, `the access token is in the ${api.ctx.secretStorage}`);
    assert.equal((JSON.parse(Buffer.from(stored.split('.')[1] ?? '', 'base64url').toString('utf8')) as { user_name?: string }).user_name, 'bob');

    await vscode.commands.executeCommand('btpConnect.signOut', node);
    assert.equal(api.ctx.registry.signedInUser('sandbox'), undefined);
    // ...and only until signing out (AC-34).
    for (const field of ['access_token', 'refresh_token']) assert.equal(await storedSecret(api, `connection/sandbox/user/${field}`), undefined, `no ${field} left in the ${api.ctx.secretStorage}`);
    assert.equal(provider.getTreeItem(node).contextValue, 'connection:sandbox');
    const after = await request(`${base}/whoami`);
    assert.equal(after.statusCode, 502);
    await after.body.dump();
  });
});
