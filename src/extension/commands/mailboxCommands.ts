import * as vscode from 'vscode';
import { listMailboxFolder, mailboxDirectory, type MailEntry } from '../../sandbox/mail/mailbox';
import type { Ctx } from '../context/ctx';
import { mailboxItems } from '../mailbox/mailboxItems';

/**
 * Open Sandbox Mailbox: the mails the embedded sandbox's mail server (smtp.virtual:25, destination onprem-mail)
 * accepted, read from its mailbox folder (so also after the sandbox stopped); the chosen .eml opens in an editor.
 */
export async function openSandboxMailbox(ctx: Ctx): Promise<MailEntry | undefined> {
  const folder = mailboxDirectory(ctx.sandbox.directory);
  const mails = await listMailboxFolder(folder);
  if (mails.length === 0) {
    void vscode.window.showInformationMessage(
      vscode.l10n.t(
        'The sandbox mailbox is empty. Mail sent with the onprem-mail destination (smtp.virtual:25, e.g. by the SAP Cloud SDK mail client) is stored in {0}.',
        folder,
      ),
    );
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(mailboxItems(mails), {
    title: vscode.l10n.t('Sandbox mailbox ({0})', mails.length),
    placeHolder: vscode.l10n.t('Open a received mail'),
    matchOnDescription: true,
    matchOnDetail: true,
  });
  if (!picked?.mail.path) return undefined;
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(picked.mail.path));
  await vscode.window.showTextDocument(document, { preview: true });
  return picked.mail;
}
