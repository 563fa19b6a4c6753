import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { request } from 'undici';
import { parseCredentials } from '../../../src/core/bindings/parseCredentials';
import type { ConnectivityBinding, DestinationBinding } from '../../../src/core/bindings/types';
import type { ConnectionNode } from '../../../src/extension/tree/destinationsModel';
import { signInInBrowser } from '../../support/loginBrowser';
import type { BtpConnectApi } from '../../../src/extension/extension';
import { extensionApi, storedSecret, when } from './api';

// Sign In / Sign Out on a connection through the extension's commands: the browser is played by the test (the
// sandbox's login page over plain HTTP), the rest is real — PKCE, the loopback callback, tokens in the secret
// store, and forwards that then carry the user to the on-premise system. Users sign in with the client of an
// xsuaa key of the app (the sandbox connection has the demo app's; a saved connection asks for one).

interface WhoAmI {
  user: string | null;
}

/**
 * The harness opens the workbench at http://127.0.0.1:<port>, so code-server forwards the sign-in listener as
 * http://127.0.0.1:<port>/proxy/<listener port>/…, and XSUAA (like the sandbox) registers http:// redirect URIs only
 * for localhost. A user who reaches the workbench at http://localhost:<port> gets the same forward on localhost:
 * that is what this plays, through code-server's real port forwarding. Returns the undo.
 */
function asLocalhostWorkbench(api: BtpConnectApi): () => void {
  const original = api.ctx.asExternalUri;
  api.ctx.asExternalUri = async (uri) => {
    const forwarded = await original(uri);
    return forwarded.with({ authority: forwarded.authority.replace(/^127\.0\.0\.1(?=:)/, 'localhost') });
  };
  return () => (api.ctx.asExternalUri = original);
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
    const restoreWorkbench = asLocalhostWorkbench(api);
    restoreOpenExternal = () => {
      api.ctx.openExternal = original;
      restoreWorkbench();
    };

    const provider = api.ctx.destinations;
    const node = (await provider.getChildren()).find(
      (candidate): candidate is ConnectionNode => candidate.kind === 'connection' && candidate.connection === 'sandbox',
    );
    assert.ok(node);
    const forward = await (await api.ctx.registry.get('sandbox')).startForward({ destination: 'onprem-erp-principal' });
    // With the local token where the second pass requires one.
    const base = api.ctx.registry.urlForApps(forward);
    const before = await request(`${base}/whoami`);
    assert.equal(before.statusCode, 401);
    assert.equal(((await before.body.json()) as { error: { code: string } }).error.code, 'BTP_SIGN_IN_REQUIRED');

    await vscode.commands.executeCommand('btpConnect.signIn', node);
    await browser;
    assert.equal(opened.length, 1);
    assert.match(opened[0] ?? '', /\/oauth\/authorize\?.*code_challenge_method=S256/);
    assert.equal(new URL(opened[0] ?? '').searchParams.get('client_id'), sandbox.keys.xsuaa.clientid, 'the demo app signs in, not the Destination service');
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
    for (const field of ['access_token', 'refresh_token'])
      assert.equal(await storedSecret(api, `connection/sandbox/user/${field}`), undefined, `no ${field} left in the ${api.ctx.secretStorage}`);
    assert.equal(provider.getTreeItem(node).contextValue, 'connection:sandbox');
    const after = await request(`${base}/whoami`);
    assert.equal(after.statusCode, 401);
    await after.body.dump();
  });

  it('a saved connection without a sign-in key offers to choose an XSUAA key, then signs in with its client', async () => {
    const api = await extensionApi();
    await vscode.commands.executeCommand('btpConnect.startSandbox');
    const sandbox = api.ctx.sandbox.running;
    assert.ok(sandbox, 'the sandbox runs');
    const dir = mkdtempSync(join(tmpdir(), 'btp-sign-in-key-'));
    const keyFile = join(dir, 'xsuaa.json');
    writeFileSync(keyFile, JSON.stringify(sandbox.keys.xsuaa));
    await api.ctx.registry.add('needs-key', {
      destination: parseCredentials(sandbox.keys.destination, { expected: 'destination' }) as DestinationBinding,
      connectivity: parseCredentials(sandbox.keys.connectivity, { expected: 'connectivity' }) as ConnectivityBinding,
    });
    const window = vscode.window as unknown as Record<string, unknown>;
    const saved = ['showQuickPick', 'showOpenDialog'].map((name) => [name, window[name]] as const);
    const titles: string[] = [];
    const picks = ['Choose an XSUAA service key for sign-in', 'Service key file'];
    window.showQuickPick = async (items: readonly vscode.QuickPickItem[] | Thenable<readonly vscode.QuickPickItem[]>, options?: vscode.QuickPickOptions) => {
      titles.push(options?.title ?? '');
      const wanted = picks.shift();
      return wanted === undefined ? undefined : (await items).find((item) => item.label.includes(wanted));
    };
    window.showOpenDialog = async () => [vscode.Uri.file(keyFile)];
    const original = api.ctx.openExternal;
    const restoreWorkbench = asLocalhostWorkbench(api);
    let browser: Promise<unknown> = Promise.resolve();
    let clientId: string | null = null;
    api.ctx.openExternal = async (uri) => {
      clientId = new URL(uri.toString(true)).searchParams.get('client_id');
      browser = signInInBrowser(sandbox, uri.toString(true), 'alice');
      return true;
    };
    try {
      await api.ctx.destinations.reloadConnections();
      const node = (await api.ctx.destinations.getChildren()).find(
        (candidate): candidate is ConnectionNode => candidate.kind === 'connection' && candidate.connection === 'needs-key',
      );
      assert.ok(node);
      await vscode.commands.executeCommand('btpConnect.signIn', node);
      await browser;
      assert.match(titles[0] ?? '', /needs-key: the connection has no sign-in key yet/);
      assert.equal(clientId, sandbox.keys.xsuaa.clientid);
      await when(api.ctx.registry.onDidChangeUser, () => api.ctx.registry.signedInUser('needs-key')?.userName === 'alice', 'alice signed in');
      assert.equal((await api.ctx.registry.store.load('needs-key')).login?.clientId, sandbox.keys.xsuaa.clientid, 'the key is saved with the connection');
      const forward = await (await api.ctx.registry.get('needs-key')).startForward({ destination: 'onprem-erp-principal' });
      const seen = (await (await request(`${api.ctx.registry.urlForApps(forward)}/whoami`)).body.json()) as WhoAmI;
      assert.equal(seen.user, 'alice');
    } finally {
      api.ctx.openExternal = original;
      restoreWorkbench();
      for (const [name, value] of saved) window[name] = value;
      await api.ctx.registry.remove('needs-key');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
