import * as vscode from 'vscode';

/**
 * Composition root of the VS Code extension. It stays small: views, commands and the webview host plug in
 * here as they land, each disposed with the extension.
 */
export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('BTP Connect', { log: true });
  context.subscriptions.push(log);
  log.info(`BTP Connect ${context.extension.packageJSON.version as string} activated`);
}

export function deactivate(): void {
  // Everything is registered in context.subscriptions and disposed by VS Code.
}
