import * as vscode from 'vscode';
import { isBtpError } from '../../core/errors';
import { DestinationServiceClient } from '../../core/destinationService/client';
import { errorHeadings } from '../../words/errorWords';
import { isSecretProperty } from '../../core/destinations/model';
import type { DestinationRecord } from '../../core/destinationService/types';
import type { Logger } from '../../core/log';
import type { ConnectionRegistry } from '../connections/connectionRegistry';
import type { ConnectionNode } from './destinationsModel';
import type { FragmentNode, FragmentsModel, FragmentsNode } from './fragmentNodes';

/** The Fragments node of a connection and its fragment items; loading both levels' fragments for the tree. */

/** A connection's Fragments node; none for the destinations of this machine (no Destination service, no fragments). */
export function fragmentsChildren(model: FragmentsModel, connection: ConnectionNode): FragmentsNode[] {
  return connection.connectionKind === 'local' ? [] : [model.nodeOf(connection.connection)];
}

export async function loadFragments(model: FragmentsModel, registry: ConnectionRegistry, node: FragmentsNode, logger: Logger): Promise<void> {
  try {
    const { client } = await registry.get(node.connection);
    if (!(client instanceof DestinationServiceClient)) {
      model.set(node.connection, { subaccount: [], instance: [] });
      return;
    }
    const [subaccount, instance] = await Promise.all([client.listFragments('subaccount'), client.listFragments('instance')]);
    model.set(node.connection, { subaccount, instance });
  } catch (error) {
    const text = isBtpError(error) ? `${errorHeadings[error.code]}: ${error.message}` : String(error);
    logger.warn(`loading the fragments of ${node.connection} failed: ${text}`);
    model.setError(node.connection, text);
  }
}

export function fragmentsItem(node: FragmentsNode): vscode.TreeItem {
  const item = new vscode.TreeItem(vscode.l10n.t('Fragments'), vscode.TreeItemCollapsibleState.Collapsed);
  item.id = node.id;
  item.iconPath = new vscode.ThemeIcon('layers');
  item.contextValue = 'fragments';
  item.tooltip = vscode.l10n.t('Destination fragments: properties merged into a destination when a forward or a check names the fragment');
  item.accessibilityInformation = { label: vscode.l10n.t('Destination fragments of {0}', node.connection) };
  return item;
}

export function fragmentItem(node: FragmentNode): vscode.TreeItem {
  const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.None);
  item.id = node.id;
  const overrides = overridden(node.record);
  item.description = `${node.level === 'subaccount' ? vscode.l10n.t('subaccount') : vscode.l10n.t('instance')} · ${overrides.join(', ')}`;
  item.iconPath = new vscode.ThemeIcon('layers-active');
  item.contextValue = 'fragment';
  item.tooltip = tooltip(node, overrides);
  item.accessibilityInformation = { label: vscode.l10n.t('{0}, destination fragment at {1} level', node.name, node.level) };
  item.command = { command: 'btpConnect.editFragment', title: vscode.l10n.t('Edit Fragment'), arguments: [node] };
  return item;
}

/** The property names a fragment sets (it overrides them in the destination), its key left out. */
function overridden(record: DestinationRecord): string[] {
  return Object.keys(record).filter((name) => name !== 'FragmentName');
}

/** Names and non-secret values; a secret shows its name only. */
function tooltip(node: FragmentNode, names: readonly string[]): vscode.MarkdownString {
  const markdown = new vscode.MarkdownString(undefined, true);
  markdown.appendMarkdown(`**${escape(node.name)}** (${escape(node.level)})\n\n`);
  for (const name of names) {
    const value = node.record[name] ?? '';
    markdown.appendMarkdown(isSecretProperty(name) ? `${escape(name)}: ${vscode.l10n.t('(secret)')}  \n` : `${escape(name)}: \`${escape(value)}\`  \n`);
  }
  return markdown;
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
