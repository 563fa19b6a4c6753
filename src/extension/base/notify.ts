import * as vscode from 'vscode';
import { isBtpError } from '../../core/errors';
import type { Logger } from '../../core/log';
import { redactText } from '../../core/redact';
import { errorHeadings } from '../../words/errorWords';

/** Shows a failure the way the core coded it: heading from the code, the core's message, and "Show Log". */
export async function showError(action: string, error: unknown, logger: Logger, channel: vscode.LogOutputChannel): Promise<void> {
  const text = isBtpError(error)
    ? `${errorHeadings[error.code]}: ${error.message}`
    : `${action} failed: ${error instanceof Error ? error.message : String(error)}`;
  logger.error(`${action} failed`, isBtpError(error) ? `${error.code} ${error.message}` : error);
  // Some errors carry text to copy (an RFC destination's node-rfc/JCo settings; never secrets): offer it.
  const copyText = isBtpError(error) && typeof error.details?.copyText === 'string' ? error.details.copyText : undefined;
  const copySettings = vscode.l10n.t('Copy Settings');
  const showLog = vscode.l10n.t('Show Log');
  const choice = await vscode.window.showErrorMessage(redactText(text), ...(copyText ? [copySettings] : []), showLog);
  if (choice === showLog) channel.show(true);
  if (choice === copySettings && copyText) {
    await vscode.env.clipboard.writeText(copyText);
    void vscode.window.showInformationMessage(vscode.l10n.t('Copied the connection settings (no password: it stays in the destination).'));
  }
}
