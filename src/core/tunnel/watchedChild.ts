import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { watchdogSource } from './watchdogScript';

export interface WatchedChildOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  /** SIGTERM → SIGKILL delay for the command's process group. */
  readonly graceMs: number;
}

export interface ChildExit {
  readonly code: number | null;
  readonly signal: string | null;
  /** The watchdog ended without reporting the command's exit (it was killed). */
  readonly watchdogLost?: boolean;
  /** Set when the command could not be started at all (e.g. `ENOENT`). */
  readonly spawnError?: { readonly code: string | undefined; readonly message: string };
}

const maxLineLength = 2000;

/**
 * One tunnel command run through the watchdog (see `watchdogScript`). Its stdout and stderr arrive as lines;
 * `exited` settles as soon as the command is gone, `stop()` once the watchdog is gone too.
 */
export class WatchedChild {
  readonly exited: Promise<ChildExit>;
  /** Settles when the command's stdout and stderr have closed, i.e. every line has been seen. */
  readonly outputDone: Promise<void>;
  private readonly graceMs: number;
  private commandPid: number | undefined;
  private readonly watchdog: ChildProcess;
  private readonly watchdogGone: Promise<void>;
  private settle: (exit: ChildExit) => void = () => undefined;
  private exitInfo: ChildExit | undefined;
  private stopping: Promise<ChildExit> | undefined;

  constructor(options: WatchedChildOptions, onLine: (stream: 'stdout' | 'stderr', line: string) => void) {
    this.exited = new Promise((resolve) => (this.settle = resolve));
    this.graceMs = options.graceMs;
    const keepElectronRunAsNode = options.env.ELECTRON_RUN_AS_NODE !== undefined;
    const config = JSON.stringify({ command: options.command, args: options.args, graceMs: options.graceMs, keepElectronRunAsNode });
    // process.execPath is Electron inside VS Code; ELECTRON_RUN_AS_NODE makes it behave as node.
    // Detached: a signal to our whole process group (Ctrl-C, `kill -9 -<pgid>`) must not take the watchdog
    // down before it has ended the command; it follows our stdin pipe instead.
    this.watchdog = spawn(process.execPath, ['-e', watchdogSource, config], {
      env: { ...options.env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
      windowsHide: true,
    });
    this.watchdogGone = new Promise((resolve) => {
      this.watchdog.once('exit', () => resolve());
      // A watchdog that could not be spawned at all never exits.
      this.watchdog.once('error', () => this.watchdog.pid === undefined && resolve());
    });
    // Writes to a dead watchdog's stdin fail with EPIPE; its exit is what we act on.
    this.watchdog.stdin?.on('error', () => undefined);
    this.watchdog.on('error', (error) =>
      this.finish({ code: null, signal: null, spawnError: { code: (error as NodeJS.ErrnoException).code, message: error.message } }),
    );
    this.outputDone = Promise.all([
      readLines(this.watchdog.stdout, (line) => onLine('stdout', line)),
      readLines(this.watchdog.stderr, (line) => onLine('stderr', line)),
    ]).then(() => undefined);
    const controlClosed = readLines(this.watchdog.stdio[3] as Readable | null, (line) => this.onControl(line));
    // 'exit' can overtake the watchdog's last report; only once that pipe is drained is a missing report final.
    this.watchdog.once('exit', () => void controlClosed.then(() => this.finish({ code: null, signal: null, watchdogLost: true })));
  }

  /** The tunnel command's pid (not the watchdog's), once it runs. */
  get pid(): number | undefined {
    return this.commandPid;
  }

  get hasExited(): boolean {
    return this.exitInfo !== undefined;
  }

  /** Ends the command's process group (SIGTERM, SIGKILL after the grace period) and waits for the watchdog. */
  stop(): Promise<ChildExit> {
    this.stopping ??= this.terminate();
    return this.stopping;
  }

  private async terminate(): Promise<ChildExit> {
    this.watchdog.stdin?.end();
    // Backstop for a watchdog that hangs: kill it and the group ourselves.
    const backstop = setTimeout(() => {
      this.watchdog.kill('SIGKILL');
      if (this.commandPid !== undefined && process.platform !== 'win32') {
        try {
          process.kill(-this.commandPid, 'SIGKILL');
        } catch {
          // The group is gone already.
        }
      }
    }, this.graceMs + 3000);
    await this.watchdogGone;
    clearTimeout(backstop);
    return this.exited;
  }

  private onControl(line: string): void {
    let message: { event?: string; pid?: number; code?: unknown; signal?: unknown; message?: unknown };
    try {
      message = JSON.parse(line) as typeof message;
    } catch {
      return;
    }
    if (message.event === 'spawned' && typeof message.pid === 'number') this.commandPid = message.pid;
    if (message.event === 'exit')
      this.finish({ code: typeof message.code === 'number' ? message.code : null, signal: typeof message.signal === 'string' ? message.signal : null });
    if (message.event === 'error') {
      this.finish({
        code: null,
        signal: null,
        spawnError: { code: typeof message.code === 'string' ? message.code : undefined, message: String(message.message) },
      });
    }
  }

  private finish(exit: ChildExit): void {
    if (this.exitInfo !== undefined) return;
    this.exitInfo = exit;
    this.settle(exit);
  }
}

/** Calls `onLine` per line; resolves when the stream has closed. */
function readLines(stream: Readable | null | undefined, onLine: (line: string) => void): Promise<void> {
  if (!stream) return Promise.resolve();
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    pending += chunk;
    let newline = pending.indexOf('\n');
    while (newline >= 0) {
      onLine(pending.slice(0, newline).replace(/\r$/, '').slice(0, maxLineLength));
      pending = pending.slice(newline + 1);
      newline = pending.indexOf('\n');
    }
    // A child that never prints a newline must not grow our memory without bound.
    if (pending.length > maxLineLength) {
      onLine(pending.slice(0, maxLineLength));
      pending = '';
    }
  });
  stream.on('end', () => {
    if (pending !== '') onLine(pending.slice(0, maxLineLength));
    pending = '';
  });
  stream.on('error', () => undefined);
  return new Promise((resolve) => stream.once('close', () => resolve()));
}
