import * as vscode from 'vscode';
import type { ConnectionRegistry } from '../connections/connectionRegistry';
import { CommandId } from '../base/commandIds';
import { tunnelStatusText } from './tunnelStatusText';

/** One status bar item per open connection with a tunnel: its state at a glance; a click sets it up again. */
export class TunnelStatusBar implements vscode.Disposable {
  private readonly items = new Map<string, vscode.StatusBarItem>();
  private readonly subscription: { dispose(): void };
  private updating: Promise<void> = Promise.resolve();

  constructor(private readonly registry: ConnectionRegistry) {
    this.subscription = registry.onDidChangeTunnel(() => this.update());
  }

  /** Updates run one after another: a burst of state changes must not interleave two reads of the registry. */
  update(): Promise<void> {
    this.updating = this.updating.then(() => this.render()).catch(() => undefined);
    return this.updating;
  }

  private async render(): Promise<void> {
    const entries = await this.registry.tunnels();
    const names = new Set(entries.map((entry) => entry.connection));
    for (const [name, item] of this.items) {
      if (names.has(name)) continue;
      item.dispose();
      this.items.delete(name);
    }
    for (const entry of entries) {
      let item = this.items.get(entry.connection);
      if (!item) {
        item = vscode.window.createStatusBarItem(`btpConnect.tunnel.${entry.connection}`, vscode.StatusBarAlignment.Left, 49);
        item.name = vscode.l10n.t('BTP Connect tunnel of {0}', entry.connection);
        this.items.set(entry.connection, item);
      }
      const words = tunnelStatusText(entry);
      item.text = words.text;
      item.tooltip = words.tooltip;
      item.backgroundColor = words.warning ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
      item.command = {
        title: vscode.l10n.t('Set Up Tunnel…'),
        command: CommandId.setUpTunnel,
        arguments: [{ kind: 'connection', connection: entry.connection, connectionKind: 'saved' }],
      };
      item.show();
    }
  }

  dispose(): void {
    this.subscription.dispose();
    for (const item of this.items.values()) item.dispose();
    this.items.clear();
  }
}
