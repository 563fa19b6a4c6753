import { spawn } from 'node:child_process';
import { BtpError, ErrorCode } from '../errors';
import { silentLogger, type Logger } from '../log';

export type Tool = 'cf' | 'kubectl';

/** What one finished run printed; `code` is null when a signal ended it. */
export interface ToolResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ToolRunOptions {
  /** Default 60 s; `cf push` and `cf start` get more. */
  readonly timeoutMs?: number;
}

/** Runs `cf` and `kubectl` to completion; the setup flows talk to the platforms only through this. */
export interface ToolRunner {
  run(tool: Tool, args: readonly string[], options?: ToolRunOptions): Promise<ToolResult>;
}

export interface ProcessToolRunnerOptions {
  /** The environment of the tools: their own login state (`CF_HOME`, `KUBECONFIG`) and `PATH`. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Program paths, default `cf` and `kubectl` on `PATH`. */
  readonly programs?: Partial<Record<Tool, string>>;
  readonly logger?: Logger;
  /** Cancels every run: its child is ended (SIGTERM, then SIGKILL) and the run rejects. */
  readonly signal?: AbortSignal;
}

const killGraceMs = 2000;
const maxOutput = 8 * 1024 * 1024;

/**
 * Child processes for the tools. Nothing secret goes on a command line (the tools read their own login state), and
 * stdout is never logged: `kubectl get secret` prints credentials there. Each child is ended when its run times
 * out or is cancelled, and every run waits until its child has exited: none outlives the flow that started it.
 */
export function processToolRunner(options: ProcessToolRunnerOptions): ToolRunner {
  const logger = options.logger ?? silentLogger;
  return {
    run(tool, args, runOptions = {}) {
      const program = options.programs?.[tool] ?? tool;
      const timeoutMs = runOptions.timeoutMs ?? 60_000;
      logger.debug(`${tool} ${args.join(' ')}`);
      return new Promise<ToolResult>((resolve, reject) => {
        if (options.signal?.aborted) return reject(cancelled(tool, args));
        const child = spawn(program, [...args], { env: { ...options.env }, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
        let stdout = '';
        let stderr = '';
        let ended: BtpError | undefined;
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          if (stdout.length < maxOutput) stdout += chunk;
        });
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
          if (stderr.length < maxOutput) stderr += chunk;
        });
        let killTimer: NodeJS.Timeout | undefined;
        const end = (error: BtpError) => {
          if (ended || child.exitCode !== null) return;
          ended = error;
          child.kill('SIGTERM');
          killTimer = setTimeout(() => child.kill('SIGKILL'), killGraceMs);
        };
        const timer = setTimeout(
          () =>
            end(
              new BtpError(ErrorCode.Timeout, `\`${tool} ${args[0] ?? ''}\` did not finish within ${Math.round(timeoutMs / 1000)} s and was stopped.`, {
                details: { tool },
              }),
            ),
          timeoutMs,
        );
        const onAbort = () => end(cancelled(tool, args));
        options.signal?.addEventListener('abort', onAbort, { once: true });
        child.once('error', (error: NodeJS.ErrnoException) => {
          clearTimeout(timer);
          options.signal?.removeEventListener('abort', onAbort);
          reject(
            error.code === 'ENOENT'
              ? missing(tool, program)
              : new BtpError(ErrorCode.ToolMissing, `${program} could not be started: ${error.message}`, { details: { tool }, cause: error }),
          );
        });
        // 'close', not 'exit': the output is complete only once both pipes have closed.
        child.once('close', (code) => {
          clearTimeout(timer);
          clearTimeout(killTimer);
          options.signal?.removeEventListener('abort', onAbort);
          if (ended) reject(ended);
          else resolve({ code, stdout, stderr });
        });
      });
    },
  };
}

export function missing(tool: Tool, program: string = tool): BtpError {
  const how =
    tool === 'cf'
      ? 'install the Cloud Foundry CLI v8 (https://github.com/cloudfoundry/cli#downloads), then `cf login --sso`'
      : 'install kubectl (https://kubernetes.io/docs/tasks/tools/) and the kubeconfig of your cluster (Kyma: the "KubeconfigURL" of the Kyma environment in the BTP cockpit)';
  return new BtpError(ErrorCode.ToolMissing, `"${program}" was not found: ${how}.`, { details: { tool } });
}

function cancelled(tool: Tool, args: readonly string[]): BtpError {
  return new BtpError(ErrorCode.Timeout, `\`${tool} ${args[0] ?? ''}\` was cancelled.`, { details: { tool, cancelled: true } });
}
