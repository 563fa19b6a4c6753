import * as vscode from 'vscode';
import type { XsuaaBinding } from '../../core/bindings/types';
import { SIGN_IN_REDIRECT_URI_PATTERN } from '../../core/oauth/signInClient';
import { askForServiceKey } from '../connections/connectFlows';
import type { Ctx } from '../context/ctx';
import type { TreeNode } from '../tree/destinationsModel';
import { pickConnection } from '../context/pickers';

/** Sign in to a connection as a user (browser, authorization code with PKCE) and sign out. */

async function userSessionOf(ctx: Ctx, node: TreeNode | undefined, title: string) {
  const connection = node?.kind === 'connection' ? node : await pickConnection(ctx, title);
  if (!connection) return undefined;
  const live = await ctx.registry.get(connection.connection);
  if (!live.user) {
    void vscode.window.showInformationMessage(
      vscode.l10n.t('{0} has no Destination service of its own to sign in to: users sign in to subaccount connections and the sandbox.', connection.connection),
    );
    return undefined;
  }
  return { name: connection.connection, session: live.user };
}

/**
 * A connection without a sign-in key gets one first: the Destination service key's client cannot sign users in
 * (XSUAA redirects only to a client's registered redirect URIs), so the user picks an xsuaa key of their own app.
 * Resolves to false when the user cancels.
 */
async function ensureLoginKey(ctx: Ctx, name: string, canSignIn: boolean): Promise<boolean> {
  if (canSignIn) return true;
  const choice = await vscode.window.showQuickPick(
    [
      {
        label: vscode.l10n.t('$(key) Choose an XSUAA service key for sign-in…'),
        detail: vscode.l10n.t(
          'A key of your app\'s xsuaa instance; its xs-security.json needs "redirect-uris": ["{0}"]. The Destination service key cannot sign users in.',
          SIGN_IN_REDIRECT_URI_PATTERN,
        ),
      },
    ],
    { title: vscode.l10n.t('Sign in to {0}: the connection has no sign-in key yet', name), ignoreFocusOut: true },
  );
  if (!choice) return false;
  const login = (await askForServiceKey('xsuaa')) as XsuaaBinding | undefined;
  if (!login) return false;
  await ctx.registry.setLogin(name, login);
  return true;
}

export async function signIn(ctx: Ctx, node?: TreeNode): Promise<void> {
  const target = await userSessionOf(ctx, node, vscode.l10n.t('Sign in to which connection?'));
  if (!target) return;
  if (!(await ensureLoginKey(ctx, target.name, target.session.canSignIn))) return;
  const user = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Signing in to {0} in your browser…', target.name), cancellable: true },
    (_progress, cancellation) => {
      const abort = new AbortController();
      cancellation.onCancellationRequested(() => abort.abort());
      return target.session.signIn({
        openBrowser: async (url) => {
          await ctx.openExternal(vscode.Uri.parse(url, true));
        },
        // Remote and web hosts: the browser reaches the loopback listener through VS Code's port forwarding, so the
        // app's redirect-uris must list that address too (README); desktop VS Code leaves localhost as it is.
        externalRedirectUri: async (uri) => (await ctx.asExternalUri(vscode.Uri.parse(uri, true))).toString(true),
        signal: abort.signal,
      });
    },
  );
  void vscode.window.showInformationMessage(vscode.l10n.t('Signed in to {0} as {1}: forwards of this connection now act for you.', target.name, user.userName));
}

export async function signOut(ctx: Ctx, node?: TreeNode): Promise<void> {
  const target = await userSessionOf(ctx, node, vscode.l10n.t('Sign out of which connection?'));
  if (!target) return;
  const user = await target.session.signOut();
  void vscode.window.showInformationMessage(
    user ? vscode.l10n.t('{0} signed out of {1}.', user.userName, target.name) : vscode.l10n.t('Nobody was signed in to {0}.', target.name),
  );
}
