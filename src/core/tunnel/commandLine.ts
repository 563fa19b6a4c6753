import { placeholderPattern } from './options';
import type { TunnelMode, TunnelTarget } from './types';

export interface CommandLine {
  readonly command: string;
  readonly args: readonly string[];
}

export const defaultKubectlTarget = 'svc/connectivity-proxy';

/**
 * The child's command line for one start: it forwards `127.0.0.1:<childPorts[i]>` to `targets[i]`.
 * Options go in `--name=value` form so that no value can be read as a further option.
 */
export function buildCommandLine(mode: Exclude<TunnelMode, { kind: 'direct' }>, targets: readonly TunnelTarget[], childPorts: readonly number[]): CommandLine {
  switch (mode.kind) {
    case 'cf-ssh':
      return {
        command: mode.cfCommand ?? 'cf',
        args: ['ssh', mode.app, '-N', '-T', ...targets.flatMap((target, index) => ['-L', `127.0.0.1:${childPort(childPorts, index)}:${target.host}:${target.port}`])],
      };
    case 'kubectl':
      return {
        command: mode.kubectlCommand ?? 'kubectl',
        args: [
          'port-forward',
          '--address=127.0.0.1',
          ...(mode.context === undefined ? [] : [`--context=${mode.context}`]),
          ...(mode.namespace === undefined ? [] : [`--namespace=${mode.namespace}`]),
          mode.target ?? defaultKubectlTarget,
          ...targets.map((target, index) => `${childPort(childPorts, index)}:${target.port}`),
        ],
      };
    case 'command':
      return {
        command: mode.command,
        args: mode.args.map((arg) =>
          arg.replace(placeholderPattern, (_all, name: string, digits: string) => {
            const index = Number(digits);
            const target = targets[index];
            if (target === undefined) throw new RangeError(`No target ${index}`);
            return name === 'childPort' ? String(childPort(childPorts, index)) : name === 'host' ? target.host : String(target.port);
          }),
        ),
      };
  }
}

function childPort(childPorts: readonly number[], index: number): number {
  const port = childPorts[index];
  if (port === undefined) throw new RangeError(`No child port for target ${index}`);
  return port;
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
