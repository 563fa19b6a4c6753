import { BtpError, ErrorCode } from '../errors';
import { cfFailure, kubectlFailure } from './toolErrors';
import { defaultKubectlTarget } from './commandLine';
import type { TunnelMode } from './types';
import type { ChildExit } from './watchedChild';

// The words of the tunnel's errors and log lines: what happened, the child's own last output, and the fix.

/** A start-up failure: not retried, so the message carries the child's last output and what to do about it. */
export function startupFailure(mode: TunnelMode, reason: string, output: string): BtpError {
  const cause = knownCause(mode, output);
  return new BtpError(
    ErrorCode.TunnelFailed,
    `The tunnel did not start: ${reason}.${outputBlock(output)}\n${cause ? `${cause.message}\n` : ''}${startupHint(mode)}`,
    {
      details: { mode: mode.kind, ...(output ? { output } : {}), ...(cause ? { cause: cause.code } : {}) },
    },
  );
}

/**
 * What cf's or kubectl's own words say went wrong (not logged in, SSH disabled, app not started, RBAC, cluster out
 * of reach), with that cause's fix; undefined when the output names no known cause.
 */
function knownCause(mode: TunnelMode, output: string): BtpError | undefined {
  if (!output || (mode.kind !== 'cf-ssh' && mode.kind !== 'kubectl')) return undefined;
  const result = { code: 1, stdout: '', stderr: output };
  const error = mode.kind === 'cf-ssh' ? cfFailure(`ssh ${mode.app}`, result, mode.app) : kubectlFailure('port-forward', result, mode.context, mode.namespace);
  return error.code === ErrorCode.ServiceError || error.code === ErrorCode.NotFound ? undefined : error;
}

export function gaveUp(maxRestarts: number, reason: string): BtpError {
  return new BtpError(ErrorCode.TunnelFailed, `The tunnel gave up after ${maxRestarts} restarts. Last problem: ${reason}`, {
    details: { restarts: maxRestarts },
  });
}

export function tunnelDown(reason: string, attempt: number, maxRestarts: number, delayMs: number): BtpError {
  return new BtpError(ErrorCode.TunnelDown, `The tunnel is down (${reason}); restart ${attempt} of ${maxRestarts} in ${delayMs} ms.`, {
    details: { attempt, delayMs },
  });
}

export function stoppedEarly(): BtpError {
  return new BtpError(ErrorCode.TunnelFailed, 'The tunnel was stopped before it became ready.');
}

export function describeExit(exit: ChildExit): string {
  if (exit.watchdogLost) return 'stopped: its watchdog process ended';
  return exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
}

/** The child's last output as an indented block after a message, or nothing. */
export function outputBlock(output: string): string {
  if (!output) return '';
  return `\nIts last output:\n${output
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n')}`;
}

/** A fix to print next to a start-up failure, per mode. */
export function startupHint(mode: TunnelMode): string {
  switch (mode.kind) {
    case 'cf-ssh':
      return `Check that you are logged in ("cf login", then "cf target -o <org> -s <space>"), that the app "${mode.app}" exists in that space and that SSH is enabled ("cf enable-ssh ${mode.app}", "cf allow-space-ssh <space>").`;
    case 'kubectl':
      return `Check the cluster login and context ("kubectl config current-context"${mode.context ? `, context "${mode.context}"` : ''}) and that ${mode.target ?? defaultKubectlTarget} exists${mode.namespace ? ` in namespace "${mode.namespace}"` : ' in the current namespace'}.`;
    case 'command':
      return `Run "${mode.command}" by hand with the same arguments to see why it fails.`;
    case 'direct':
      return '';
  }
}

/** Names the program and how to get it when it cannot be started at all. */
export function missingProgramHint(mode: TunnelMode, command: string): string {
  switch (mode.kind) {
    case 'cf-ssh':
      return `"${command}" was not found: install the Cloud Foundry CLI (v8) or set cfCommand to its path.`;
    case 'kubectl':
      return `"${command}" was not found: install kubectl or set kubectlCommand to its path.`;
    default:
      return `"${command}" was not found: install it or give its full path.`;
  }
}
