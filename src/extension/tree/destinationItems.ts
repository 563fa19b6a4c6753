import * as vscode from 'vscode';
import type { DestinationRecord } from '../../core/destinationService/types';
import { isSecretProperty } from '../../core/destinations/model';
import type { ForwardInfo } from '../../core/forward/forwardManager';
import type { SignedInUser } from '../../core/oauth/userSession';
import { targetOf, type ConnectionNode, type DestinationNode, type LevelNode, type MessageNode } from './destinationsModel';

/** TreeItems for the Destinations tree: icons by type and proxy type, URL as description, live forward marker. */

export function connectionItem(node: ConnectionNode, forwards: number, secretStorage: string, user?: SignedInUser): vscode.TreeItem {
  const item = new vscode.TreeItem(node.connection, vscode.TreeItemCollapsibleState.Collapsed);
  item.id = node.id;
  const tenant = node.tenant ? [vscode.l10n.t('tenant {0}', node.tenant)] : [];
  item.description = [node.description, ...tenant, ...(user ? [`as ${user.userName}`] : []), ...(forwards > 0 ? [`${forwards} forwarded`] : [])].join(' · ');
  const kind = node.connectionKind;
  item.iconPath = new vscode.ThemeIcon(kind === 'sandbox' ? 'beaker' : kind === 'local' ? 'device-desktop' : 'cloud');
  // `:user` while somebody is signed in: the menus offer Sign In or Sign Out by it.
  item.contextValue = `connection:${kind}${user ? ':user' : ''}`;
  const signedIn = user ? `\n${vscode.l10n.t('Signed in as {0}', `${user.userName}${user.email ? ` <${user.email}>` : ''}`)}` : '';
  item.tooltip =
    kind === 'sandbox'
      ? `${vscode.l10n.t('The embedded BTP sandbox (local, offline)')}${signedIn}`
      : kind === 'local'
        ? vscode.l10n.t('Destinations imported on this machine (no Destination service)\nSecrets: {0}', secretStorage)
        : `${vscode.l10n.t('Subaccount connection "{0}" ({1})\nSecrets: {2}', node.connection, node.description ?? '', secretStorage)}${signedIn}`;
  const what =
    kind === 'sandbox'
      ? vscode.l10n.t('embedded sandbox')
      : kind === 'local'
        ? vscode.l10n.t('destinations of this machine')
        : vscode.l10n.t('connection to {0}', node.description ?? '');
  item.accessibilityInformation = { label: `${node.connection}, ${what}` };
  return item;
}

export function levelItem(node: LevelNode, local = false): vscode.TreeItem {
  const item = new vscode.TreeItem(
    local ? vscode.l10n.t('Destinations') : node.level === 'subaccount' ? vscode.l10n.t('Subaccount') : vscode.l10n.t('Instance'),
    vscode.TreeItemCollapsibleState.Collapsed,
  );
  item.id = node.id;
  item.iconPath = new vscode.ThemeIcon(node.level === 'subaccount' ? 'organization' : 'package');
  item.contextValue = 'level';
  item.tooltip =
    node.level === 'subaccount' ? vscode.l10n.t('Destinations of the subaccount') : vscode.l10n.t('Destinations of the Destination service instance');
  item.accessibilityInformation = {
    label: local ? vscode.l10n.t('Destinations of {0}', node.connection) : vscode.l10n.t('{0} destinations of {1}', item.label as string, node.connection),
  };
  return item;
}

export function messageItem(node: MessageNode): vscode.TreeItem {
  const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
  item.id = node.id;
  item.iconPath = new vscode.ThemeIcon(node.isError ? 'error' : 'info', node.isError ? new vscode.ThemeColor('errorForeground') : undefined);
  item.contextValue = node.isError ? 'message:error' : 'message';
  return item;
}

export function destinationItem(node: DestinationNode, forward: ForwardInfo | undefined): vscode.TreeItem {
  const record = node.record;
  const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.None);
  item.id = node.id;
  const target = targetOf(record);
  item.description = forward ? `→ :${forward.port} · ${target}` : target;
  item.iconPath = forward ? forwardIcon(forward) : new vscode.ThemeIcon(iconName(record));
  item.contextValue = `destination:${forward ? 'forwarded' : 'idle'}:${(record.Type ?? 'HTTP').toLowerCase()}`;
  item.tooltip = tooltip(record, forward);
  item.accessibilityInformation = {
    label: vscode.l10n.t('{0}, {1} destination{2}', node.name, record.Type ?? 'HTTP', forward ? `, forwarded on port ${forward.port}` : ''),
  };
  // Opening a destination opens its editor, as opening a file does (a preview tab while browsing).
  item.command = { command: 'btpConnect.editDestination', title: vscode.l10n.t('Edit Destination'), arguments: [node] };
  return item;
}

function iconName(record: DestinationRecord): string {
  const onPremise = (record.ProxyType ?? record['ldap.proxyType'] ?? record['jco.destination.proxy_type']) === 'OnPremise';
  switch (record.Type ?? 'HTTP') {
    case 'RFC':
      return 'symbol-method';
    case 'MAIL':
      return 'mail';
    case 'LDAP':
      return 'person';
    case 'TCP':
      return 'plug';
    default:
      return onPremise ? 'server-environment' : 'globe';
  }
}

function forwardIcon(forward: ForwardInfo): vscode.ThemeIcon {
  switch (forward.state) {
    case 'ready':
      return new vscode.ThemeIcon('radio-tower', new vscode.ThemeColor('charts.green'));
    case 'failed':
      return new vscode.ThemeIcon('radio-tower', new vscode.ThemeColor('errorForeground'));
    default:
      return new vscode.ThemeIcon('sync~spin');
  }
}

const mainProperties = ['Type', 'URL', 'Address', 'ProxyType', 'Authentication', 'CloudConnectorLocationId', 'sap-client', 'Description'];

/** Main properties, never secret ones. */
function tooltip(record: DestinationRecord, forward: ForwardInfo | undefined): vscode.MarkdownString {
  const markdown = new vscode.MarkdownString(undefined, true);
  markdown.appendMarkdown(`**${escape(record.Name ?? '')}**\n\n`);
  for (const name of mainProperties) {
    const value = record[name];
    if (value && !isSecretProperty(name)) markdown.appendMarkdown(`${name}: \`${escape(value)}\`  \n`);
  }
  const others = Object.keys(record).filter((name) => !mainProperties.includes(name) && name !== 'Name');
  if (others.length)
    markdown.appendMarkdown(`\n${others.length === 1 ? vscode.l10n.t('1 more property') : vscode.l10n.t('{0} more properties', others.length)}\n`);
  if (forward) markdown.appendMarkdown(`\n$(radio-tower) ${vscode.l10n.t('Forwarded at {0} ({1})', `\`${forward.localAddress}\``, forward.state)}`);
  return markdown;
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
