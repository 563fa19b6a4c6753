import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { processGroup } from './processGroup';
import { repoRoot } from './sandboxProcess';
import { osEnv } from './platform';

export const ui5Cli = join(repoRoot, 'node_modules', '@ui5', 'cli', 'bin', 'ui5.cjs');

/** A watchdog only: `ui5 serve` builds the OpenUI5 theme on first start, slow with both cores busy. */
const startWatchdogMs = 120_000;

export interface Ui5Serve {
  readonly origin: string;
  output(): string;
  stop(): Promise<void>;
}

export interface Ui5ServeOptions {
  /** The UI5 project folder. */
  readonly cwd: string;
  /** The ui5.yaml to serve with (a copy with the forward's address filled in). */
  readonly config: string;
  readonly port: number;
  /** Where a private HOME and UI5_DATA_DIR go. */
  readonly tempDir: string;
  /** Added to the hermetic environment (e.g. Fiori tools' switches). */
  readonly env?: NodeJS.ProcessEnv;
  /** Names the server in errors. */
  readonly label: string;
}

/**
 * `ui5 serve`, hermetic (a private HOME and UI5_DATA_DIR, no update check, no proxy variables, no D-Bus), in its own
 * process group; resolves once it prints its URL. `stop()` ends it and everything it started.
 */
export async function startUi5Serve(options: Ui5ServeOptions): Promise<Ui5Serve> {
  const home = await mkdtemp(join(options.tempDir, 'home-'));
  const env: NodeJS.ProcessEnv = {
    ...osEnv(),
    PATH: process.env.PATH,
    HOME: home,
    UI5_DATA_DIR: join(home, '.ui5'),
    NO_UPDATE_NOTIFIER: '1',
    NO_PROXY: '127.0.0.1,localhost',
    NO_COLOR: '1',
    ...options.env,
  };
  const child: ChildProcess = spawn(process.execPath, [ui5Cli, 'serve', '--config', options.config, '--port', String(options.port)], {
    cwd: options.cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: process.platform !== 'win32',
  });
  const group = processGroup(child);
  const exited = once(child, 'exit').catch(() => undefined);
  let output = '';
  const stop = async () => {
    group.release();
    if (child.exitCode === null && child.signalCode === null) {
      group.kill('SIGTERM');
      let watchdog: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((resolve) => (watchdog = setTimeout(resolve, 10_000)))]);
      clearTimeout(watchdog);
    }
    group.kill('SIGKILL');
  };
  const ready = `URL: http://localhost:${options.port}`;
  let watchdog: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      const collect = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes(ready)) resolve();
      };
      child.stdout?.on('data', collect);
      child.stderr?.on('data', collect);
      child.once('exit', (code, signal) => reject(new Error(`ui5 serve (${options.label}) exited with ${code ?? signal} before "${ready}":\n${output}`)));
      watchdog = setTimeout(
        () => reject(new Error(`ui5 serve (${options.label}) did not print "${ready}" within ${startWatchdogMs} ms:\n${output}`)),
        startWatchdogMs,
      );
    });
  } catch (error) {
    await stop();
    throw error;
  } finally {
    clearTimeout(watchdog);
  }
  return { origin: `http://localhost:${options.port}`, output: () => output, stop };
}
