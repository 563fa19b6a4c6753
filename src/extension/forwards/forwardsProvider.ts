import * as vscode from 'vscode';
import { forwardLabel } from '../../core/forward/forwardFragment';
import { type ForwardInfo } from '../../core/forward/forwardManager';
import { ALL_DESTINATIONS } from '../../core/forward/router';
import type { ConnectionRegistry, ForwardEntry } from '../connections/connectionRegistry';

/** The Forwards view: each active forward with its local address, state and counters. */
export class ForwardsProvider implements vscode.TreeDataProvider<ForwardEntry>, vscode.Disposable {
  private readonly changes = new vscode.EventEmitter<ForwardEntry | undefined>();
  private readonly subscription: vscode.Disposable;
  private pending: NodeJS.Timeout | undefined;
  readonly onDidChangeTreeData = this.changes.event;

  constructor(private readonly registry: ConnectionRegistry) {
    // Counters change with every request: redraw at most a few times per second.
    this.subscription = registry.onDidChangeForward(() => {
      this.pending ??= setTimeout(() => {
        this.pending = undefined;
        this.changes.fire(undefined);
      }, 250);
    });
  }

  getTreeItem(entry: ForwardEntry): vscode.TreeItem {
    const info = entry.info;
    const all = info.destination === ALL_DESTINATIONS;
    // A forward with a fragment reads `my-api+my-fragment`, as the CLI writes it.
    const item = new vscode.TreeItem(all ? vscode.l10n.t('All destinations') : forwardLabel(info), vscode.TreeItemCollapsibleState.None);
    item.id = `forward/${info.id}`;
    item.description = vscode.l10n.t(
      '{0} · {1} · {2} req{3}',
      info.localAddress,
      info.state,
      info.counters.requests,
      info.counters.errors ? vscode.l10n.t(' · {0} err', info.counters.errors) : '',
    );
    item.iconPath = stateIcon(info);
    item.contextValue = `forward:${info.kind}:${info.state}`;
    item.tooltip = new vscode.MarkdownString(
      [
        `**${all ? vscode.l10n.t('All destinations') : forwardLabel(info)}** (${entry.connection})`,
        all
          ? vscode.l10n.t('Local: `{0}/<destination>/…` or an `X-Destination-Name` header', info.localAddress)
          : vscode.l10n.t('Local: `{0}` ({1})', info.localAddress, `${info.kind.toUpperCase()}${info.onPremise ? ', OnPremise' : ''}`),
        `State: ${info.state}`,
        `Requests: ${info.counters.requests}, errors: ${info.counters.errors}`,
        ...(info.counters.refused > 0 ? [vscode.l10n.t('Refused at the limit of {0} connections: {1}', info.maxConnections, info.counters.refused)] : []),
        vscode.l10n.t('Bytes in/out: {0} / {1}', info.counters.bytesIn, info.counters.bytesOut),
        ...(info.lastError ? [vscode.l10n.t('Last error: `{0}`', info.lastError.code)] : []),
      ].join('  \n'),
    );
    return item;
  }

  getChildren(entry?: ForwardEntry): ForwardEntry[] {
    if (entry) return [];
    return this.registry.forwards().sort((a, b) => a.info.destination.localeCompare(b.info.destination));
  }

  dispose(): void {
    if (this.pending) clearTimeout(this.pending);
    this.subscription.dispose();
    this.changes.dispose();
  }
}

function stateIcon(info: ForwardInfo): vscode.ThemeIcon {
  switch (info.state) {
    case 'ready':
      return new vscode.ThemeIcon(
        info.counters.errors > 0 ? 'warning' : 'pass',
        new vscode.ThemeColor(info.counters.errors > 0 ? 'list.warningForeground' : 'charts.green'),
      );
    case 'failed':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
    case 'starting':
      return new vscode.ThemeIcon('loading~spin');
    default:
      return new vscode.ThemeIcon('sync~spin');
  }
}
