import * as vscode from 'vscode';
import { ErrorCode } from '../../core/errors';
import { CommandId } from '../base/commandIds';
import type { ConnectionRegistry } from './connectionRegistry';
import { ForwardErrorOffer } from './forwardErrorOffer';

/** A forward that failed because nobody is signed in (PrincipalPropagation) offers "Sign In", until somebody signs in. */
export class SignInPrompt extends ForwardErrorOffer {
  constructor(registry: ConnectionRegistry) {
    super(registry, {
      code: ErrorCode.SignInRequired,
      reset: registry.onDidChangeUser,
      message: (what, connection) => vscode.l10n.t('{0} needs a signed-in user of {1} (principal propagation).', what, connection),
      action: vscode.l10n.t('Sign In'),
      run: (connection) => void vscode.commands.executeCommand(CommandId.signIn, { kind: 'connection', connection }),
    });
  }
}
