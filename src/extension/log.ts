import type * as vscode from 'vscode';
import { createLogger, type Logger } from '../core/log';
import { redactText } from '../core/redact';

/** The core's Logger over a LogOutputChannel; every line is scrubbed of anything that looks like a secret. */
export function outputChannelLogger(channel: vscode.LogOutputChannel): Logger {
  return createLogger((level, prefix, message, args) => {
    const extra = args.map((arg) => (arg instanceof Error ? (arg.stack ?? arg.message) : typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' ');
    const text = redactText(`${prefix ? `[${prefix}] ` : ''}${message}${extra ? ` ${extra}` : ''}`);
    channel[level](text);
  });
}
