import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { mailboxDirectory, type MailEntry } from '../../../src/sandbox/mail/mailbox';
import { extensionApi } from './api';

// Open Sandbox Mailbox in the extension host: a mail the sandbox's mail server stored is listed in the QuickPick and
// opens as its .eml in an editor.

describe('Open Sandbox Mailbox in the extension host', () => {
  before(async () => {
    await vscode.commands.executeCommand('btpConnect.startSandbox');
  });
  after(async () => {
    await vscode.commands.executeCommand('btpConnect.stopSandbox');
  });

  it('lists the received mails (subject, sender) and opens the chosen .eml', async () => {
    const api = await extensionApi();
    const sandbox = api.ctx.sandbox.running;
    assert.ok(sandbox);
    const subject = `Mailbox check ${Date.now()}`;
    // Stored the way the SMTP server stores what it accepts (the SMTP way itself is tested with the SDK mail client).
    const stored = await sandbox.mailbox.deliver(
      Buffer.from(`From: app@example.com\r\nTo: dev@example.com\r\nSubject: ${subject}\r\n\r\nHello from the sandbox.\r\n`),
      { from: 'app@example.com', to: ['dev@example.com'] },
    );
    assert.equal(stored.path?.startsWith(mailboxDirectory(api.ctx.sandbox.directory)), true);

    const window = vscode.window as unknown as Record<string, unknown>;
    const original = window.showQuickPick;
    let shown: { label: string; description?: string }[] = [];
    window.showQuickPick = async (items: readonly (vscode.QuickPickItem & { mail: MailEntry })[]) => {
      shown = [...items];
      return items.find((item) => item.label === subject);
    };
    try {
      const opened = await vscode.commands.executeCommand<MailEntry | undefined>('btpConnect.openSandboxMailbox');
      assert.equal(opened?.file, stored.file);
    } finally {
      window.showQuickPick = original;
    }
    assert.deepEqual({ label: shown[0]?.label, description: shown[0]?.description }, { label: subject, description: 'app@example.com' });
    const editor = vscode.window.activeTextEditor;
    assert.equal(editor?.document.uri.fsPath, stored.path);
    assert.match(editor?.document.getText() ?? '', new RegExp(`^Return-Path: <app@example\\.com>\\r?\\n[\\s\\S]*Subject: ${subject}`));
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });
});
