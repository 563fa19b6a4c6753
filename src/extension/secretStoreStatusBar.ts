import * as vscode from 'vscode';
import type { SecretStore } from '../core/secrets/secretStore';
import { CommandId } from './base/commandIds';
import { SecretStorageStore } from './secretStores';

/**
 * Says in the status bar when secrets are in VS Code's SecretStorage instead of the OS keychain (the universal
 * package has no keychain module; a Linux desktop may lack a Secret Service): the CLI cannot see them then, and the
 * tooltip says why and what fixes it. Nothing is shown while the keychain is in use.
 */
export class SecretStoreStatusBar implements vscode.Disposable {
  private item: vscode.StatusBarItem | undefined;
  private disposed = false;

  /** `chosen`: the store once the keychain probe has decided (it runs after activation). */
  constructor(chosen: Promise<SecretStore>) {
    chosen.then(
      (secrets) => this.show(secrets),
      () => undefined,
    );
  }

  private show(secrets: SecretStore): void {
    if (this.disposed || !(secrets instanceof SecretStorageStore)) return;
    this.item = vscode.window.createStatusBarItem('btpConnect.secretStore', vscode.StatusBarAlignment.Left, 48);
    this.item.name = 'BTP Connect secret storage';
    this.item.text = '$(key) SecretStorage';
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.appendMarkdown(
      '**BTP Connect** keeps secrets in VS Code SecretStorage: the OS keychain is not reachable, so the `btp-connect` CLI does not see connections made here.\n\n',
    );
    // The reason carries its own fix: install the package for this platform, or start a Secret Service.
    if (secrets.reason) tooltip.appendText(`${secrets.reason}\n\n`);
    tooltip.appendMarkdown('Click for the log.');
    this.item.tooltip = tooltip;
    this.item.command = CommandId.showLog;
    this.item.show();
  }

  dispose(): void {
    this.disposed = true;
    this.item?.dispose();
  }
}
