/**
 * The core logs only through this interface; the CLI writes to stderr, the extension to a LogOutputChannel.
 * Nothing in the core creates a logger at module load. Arguments must never carry secrets: pass through
 * `redact*` from `./redact` anything that might.
 */
export interface Logger {
  trace(message: string, ...args: unknown[]): void;
  debug(message: string, ...args: unknown[]): void;
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string, ...args: unknown[]): void;
  /** A logger whose lines carry `prefix` (nested: `sandbox:token`), like chisel's `Logger.Fork`. */
  child(prefix: string): Logger;
}

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'off';

const levelRank: Record<LogLevel, number> = { trace: 0, debug: 1, info: 2, warn: 3, error: 4, off: 5 };

export function isLevelEnabled(threshold: LogLevel, level: Exclude<LogLevel, 'off'>): boolean {
  return levelRank[level] >= levelRank[threshold];
}

export const silentLogger: Logger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};

export type LogSink = (level: Exclude<LogLevel, 'off'>, prefix: string, message: string, args: unknown[]) => void;

/** Builds a `Logger` over one sink function; each `child` extends the prefix. */
export function createLogger(sink: LogSink, prefix = ''): Logger {
  return {
    trace: (message, ...args) => sink('trace', prefix, message, args),
    debug: (message, ...args) => sink('debug', prefix, message, args),
    info: (message, ...args) => sink('info', prefix, message, args),
    warn: (message, ...args) => sink('warn', prefix, message, args),
    error: (message, ...args) => sink('error', prefix, message, args),
    child: (name) => createLogger(sink, prefix ? `${prefix}:${name}` : name),
  };
}
