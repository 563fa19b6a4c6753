import { createLogger, isLevelEnabled, type Logger, type LogLevel } from '../core/log';
import { redactText } from '../core/redact';

/** A stderr logger: `[level prefix] message`, scrubbed of anything that looks like a secret. */
export function stderrLogger(write: (text: string) => void, threshold: LogLevel): Logger {
  return createLogger((level, prefix, message, args) => {
    if (!isLevelEnabled(threshold, level)) return;
    const extra = args.map((arg) => (arg instanceof Error ? (arg.stack ?? arg.message) : typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' ');
    write(`[${level}${prefix ? ` ${prefix}` : ''}] ${redactText(extra ? `${message} ${extra}` : message)}\n`);
  });
}
