import * as vscode from 'vscode';
import type { ConnectionRegistry } from '../connections/connectionRegistry';
import { CommandId } from '../base/commandIds';

/** Active forwards and their health at a glance; a click shows the Forwards view. */
export class ForwardsStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('btpConnect.forwards', vscode.StatusBarAlignment.Left, 50);
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly registry: ConnectionRegistry,
    /** Where secrets live (read when shown: the keychain probe may still be deciding at activation). */
    private readonly secrets: { readonly description: string },
  ) {
    this.item.name = vscode.l10n.t('BTP Connect forwards');
    this.item.command = CommandId.focusForwards;
    this.subscription = registry.onDidChangeForward(() => this.update());
    this.update();
  }

  update(): void {
    const forwards = this.registry.forwards();
    if (forwards.length === 0) {
      this.item.hide();
      return;
    }
    const unhealthy = forwards.filter((entry) => entry.info.state !== 'ready');
    this.item.text = `$(radio-tower) ${forwards.length}${unhealthy.length ? ` $(warning) ${unhealthy.length}` : ''}`;
    this.item.backgroundColor = unhealthy.length ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.appendMarkdown(`**BTP Connect** — ${forwards.length} forward${forwards.length === 1 ? '' : 's'}\n\n`);
    for (const { info } of forwards) tooltip.appendMarkdown(`- \`${info.localAddress}\` → ${info.destination}: ${info.state}\n`);
    tooltip.appendMarkdown(`\nSecrets: ${this.secrets.description}`);
    this.item.tooltip = tooltip;
    this.item.show();
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}
