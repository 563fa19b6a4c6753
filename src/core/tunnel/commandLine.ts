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
        args: [
          'ssh',
          mode.app,
          '-N',
          '-T',
          ...targets.flatMap((target, index) => ['-L', `127.0.0.1:${childPort(childPorts, index)}:${target.host}:${target.port}`]),
        ],
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
