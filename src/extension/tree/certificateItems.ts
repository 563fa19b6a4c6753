import * as vscode from 'vscode';
import type { CertificateFormat } from '../../core/certificates/certificateFiles';
import { firstCertificateOf } from '../../core/certificates/publicPart';
import type { CertificateNode, CertificatesMessage, CertificatesNode } from './certificatesModel';

/** TreeItems for a connection's "Certificates" node: type, subject and expiry of each certificate where readable. */

export function certificatesItem(node: CertificatesNode): vscode.TreeItem {
  const item = new vscode.TreeItem(vscode.l10n.t('Certificates'), vscode.TreeItemCollapsibleState.Collapsed);
  item.id = node.id;
  item.iconPath = new vscode.ThemeIcon('shield');
  item.contextValue = 'certificates';
  item.tooltip = vscode.l10n.t('Key stores and trust stores of the Destination service (subaccount and instance level)');
  item.accessibilityInformation = { label: vscode.l10n.t('Certificates of {0}', node.connection) };
  return item;
}

export function certificateItem(node: CertificateNode, now = new Date()): vscode.TreeItem {
  const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.None);
  item.id = node.id;
  const { format, first, count } = firstCertificateOf(node.record);
  const expired = first !== undefined && first.validTo.getTime() < now.getTime();
  const expiry = first ? (expired ? vscode.l10n.t('expired {0}', day(first.validTo)) : vscode.l10n.t('expires {0}', day(first.validTo))) : undefined;
  item.description = [node.level, formatWords(format), ...(expiry ? [expiry] : [])].join(' · ');
  item.iconPath = expired
    ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'))
    : new vscode.ThemeIcon(format === 'pkcs12' || format === 'jks' ? 'key' : 'verified');
  // `:keystore` or `:certificate`: both offer Download Public Certificate; only the first may need a password.
  item.contextValue = `certificate:${format === 'pkcs12' || format === 'jks' ? 'keystore' : 'certificate'}`;
  const markdown = new vscode.MarkdownString(undefined, true);
  markdown.appendMarkdown(`**${escape(node.name)}** (${escape(node.level)})\n\n`);
  markdown.appendMarkdown(`${vscode.l10n.t('Type')}: ${escape(formatWords(format))}  \n`);
  if (first) {
    markdown.appendMarkdown(`${vscode.l10n.t('Subject')}: ${escape(first.subject)}  \n`);
    markdown.appendMarkdown(`${vscode.l10n.t('Issuer')}: ${escape(first.issuer)}  \n`);
    markdown.appendMarkdown(`${vscode.l10n.t('Valid')}: ${day(first.validFrom)} – ${day(first.validTo)}  \n`);
    if (count > 1) markdown.appendMarkdown(`${vscode.l10n.t('{0} certificates in all', count)}  \n`);
  } else if (format === 'pkcs12') {
    markdown.appendMarkdown(vscode.l10n.t('Its certificates are encrypted with the keystore password.'));
  }
  item.tooltip = markdown;
  item.accessibilityInformation = {
    label: vscode.l10n.t('{0}, {1} at the {2} level{3}', node.name, formatWords(format), node.level, expiry ? `, ${expiry}` : ''),
  };
  return item;
}

export function certificatesMessageItem(node: CertificatesMessage): vscode.TreeItem {
  const item = new vscode.TreeItem(node.isError ? node.text : vscode.l10n.t('No certificates uploaded'), vscode.TreeItemCollapsibleState.None);
  item.id = node.id;
  item.iconPath = new vscode.ThemeIcon(node.isError ? 'error' : 'info', node.isError ? new vscode.ThemeColor('errorForeground') : undefined);
  item.contextValue = node.isError ? 'message:error' : 'message';
  return item;
}

function formatWords(format: CertificateFormat): string {
  switch (format) {
    case 'pem':
      return vscode.l10n.t('PEM');
    case 'x509':
      return vscode.l10n.t('X.509 certificate');
    case 'pkcs12':
      return vscode.l10n.t('PKCS#12 keystore');
    case 'jks':
      return vscode.l10n.t('Java keystore');
  }
}

function day(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
