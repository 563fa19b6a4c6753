import * as vscode from 'vscode';
import { ErrorCode } from '../../core/errors';
import { ALL_DESTINATIONS } from '../../core/forward/router';
import { CommandId } from '../base/commandIds';
import type { ConnectionRegistry } from './connectionRegistry';
import { DisposableStore } from '../../core/lifecycle/disposableStore';

/**
 * A forward that failed because nobody is signed in (PrincipalPropagation) offers "Sign In", once per connection
 * until somebody signs in: a burst of failing requests must not become a burst of notifications.
 */
export class SignInPrompt implements vscode.Disposable {
  private readonly asked = new Set<string>();
  private readonly subscriptions: DisposableStore;

  constructor(registry: ConnectionRegistry) {
    this.subscriptions = DisposableStore.of(
      registry.onDidChangeForward(({ connection, info }) => {
        if (info.lastError?.code !== ErrorCode.SignInRequired || this.asked.has(connection)) return;
        this.asked.add(connection);
        const what = info.destination === ALL_DESTINATIONS ? 'A destination' : `"${info.destination}"`;
        void vscode.window
          .showWarningMessage(vscode.l10n.t('{0} needs a signed-in user of {1} (principal propagation).', what, connection), vscode.l10n.t('Sign In'))
          .then((choice) => {
            if (choice) void vscode.commands.executeCommand(CommandId.signIn, { kind: 'connection', connection });
          });
      }),
      registry.onDidChangeUser((connection) => this.asked.delete(connection)),
    );
  }

  dispose(): void {
    this.subscriptions.dispose();
  }
}
