import * as vscode from 'vscode';
import { isBtpError } from '../core/errors';
import type { Logger } from '../core/log';
import { redactText } from '../core/redact';
import { errorHeadings } from '../protocol/errorWords';

/** Shows a failure the way the core coded it: heading from the code, the core's message, and "Show Log". */
export async function showError(action: string, error: unknown, logger: Logger, channel: vscode.LogOutputChannel): Promise<void> {
  const text = isBtpError(error) ? `${errorHeadings[error.code]}: ${error.message}` : `${action} failed: ${error instanceof Error ? error.message : String(error)}`;
  logger.error(`${action} failed`, isBtpError(error) ? `${error.code} ${error.message}` : error);
  const choice = await vscode.window.showErrorMessage(redactText(text), vscode.l10n.t('Show Log'));
  if (choice === vscode.l10n.t('Show Log')) channel.show(true);
}
