import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

export const repoRoot = join(__dirname, '..', '..');
export const cliPath = join(repoRoot, 'dist', 'cli.js');

export interface SandboxProcess {
  readonly child: ChildProcess;
  /** Everything printed up to and including "Press Ctrl-C to stop." */
  readonly welcome: string;
  output(): string;
  /** SIGINT and wait for the exit; resolves to the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `node dist/cli.js sandbox` as a real process and waits for its welcome text (no timers). */
export async function startSandboxProcess(directory: string, extraArgs: string[] = []): Promise<SandboxProcess> {
  const child = spawn(process.execPath, [cliPath, 'sandbox', '--dir', directory, '--port-base', '0', ...extraArgs], {
    cwd: repoRoot,
    env: { ...process.env, NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const welcome = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Press Ctrl-C to stop.')) resolve(output);
    });
    child.once('exit', (code) => reject(new Error(`sandbox exited with ${code} before it was ready: ${errors}${output}`)));
  });
  return {
    child,
    welcome,
    output: () => output,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      const exited = once(child, 'exit');
      child.kill('SIGINT');
      const [code] = (await exited) as [number | null];
      return code;
    },
  };
}
