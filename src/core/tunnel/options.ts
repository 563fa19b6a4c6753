import { validationError, type ValidationIssue } from '../errors';
import { silentLogger, type Logger } from '../log';
import type { TunnelBackoff, TunnelMode, TunnelOptions, TunnelProbe, TunnelTarget } from './types';

export interface ResolvedTunnelOptions {
  readonly mode: TunnelMode;
  readonly targets: readonly TunnelTarget[];
  readonly localPorts: readonly number[];
  readonly logger: Logger;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly startupFailureWindowMs: number;
  readonly backoff: TunnelBackoff;
  readonly maxRestarts: number;
  readonly probeIntervalMs: number;
  readonly probe: TunnelProbe | undefined;
  /** 0 = off. */
  readonly keepAliveMs: number;
  readonly readyTimeoutMs: number;
  readonly stopGraceMs: number;
}

// Values end up as arguments of cf/kubectl/ssh: a leading '-' would turn them into options
// (e.g. a "host" of -oProxyCommand=...), so only plain names are accepted.
const hostPattern = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;
const namePattern = /^[A-Za-z0-9_][A-Za-z0-9._:/@-]*$/;
export const placeholderPattern = /\{(childPort|host|port)(\d+)\}/g;

/** Fills defaults and checks everything that reaches a command line; throws `InvalidInput`. */
export function resolveTunnelOptions(options: TunnelOptions): ResolvedTunnelOptions {
  const issues: ValidationIssue[] = [];
  const problem = (field: string, code: string, message: string) => issues.push({ field, problem: code, message });
  const { mode, targets } = options;

  if (targets.length === 0) problem('targets', 'required', 'targets must name at least one host and port.');
  targets.forEach((target, index) => {
    if (!hostPattern.test(target.host)) {
      problem(`targets[${index}].host`, 'invalid_host', `targets[${index}].host "${target.host}" must be a host name or IPv4 address.`);
    }
    if (!isPort(target.port, 1)) problem(`targets[${index}].port`, 'invalid_port', `targets[${index}].port must be 1-65535.`);
  });
  const localPorts = options.localPorts ?? [];
  if (localPorts.length > targets.length) problem('localPorts', 'too_many', 'localPorts has more entries than targets.');
  localPorts.forEach((port, index) => {
    if (!isPort(port, 0)) problem(`localPorts[${index}]`, 'invalid_port', `localPorts[${index}] must be 0-65535.`);
  });
  checkMode(mode, targets.length, problem);

  const backoff = { initialMs: 1000, maxMs: 30_000, jitter: 0.2, ...options.backoff };
  if (!(backoff.initialMs >= 0 && backoff.maxMs >= backoff.initialMs && backoff.jitter >= 0 && backoff.jitter < 1)) {
    problem('backoff', 'invalid_backoff', 'backoff needs 0 <= initialMs <= maxMs and 0 <= jitter < 1.');
  }
  const numbers = {
    startupFailureWindowMs: options.startupFailureWindowMs ?? 3000,
    maxRestarts: options.maxRestarts ?? 150,
    probeIntervalMs: options.probeIntervalMs ?? 15_000,
    // Below the shortest common idle cutoffs (Azure LB 4 min, AWS NLB and NAT gateway 350 s) with room to spare.
    keepAliveMs: options.keepAliveMs ?? 60_000,
    readyTimeoutMs: options.readyTimeoutMs ?? 30_000,
    stopGraceMs: options.stopGraceMs ?? 1000,
  };
  for (const [field, value] of Object.entries(numbers)) {
    if (!Number.isFinite(value) || value < 0) problem(field, 'invalid_number', `${field} must be a number >= 0.`);
  }
  if (numbers.probeIntervalMs < 10) problem('probeIntervalMs', 'invalid_number', 'probeIntervalMs must be at least 10.');
  if (numbers.keepAliveMs > 0 && numbers.keepAliveMs < 10) problem('keepAliveMs', 'invalid_number', 'keepAliveMs must be 0 (off) or at least 10.');
  if (issues.length > 0) throw validationError('Tunnel options', issues);

  return {
    mode,
    targets: targets.map((target) => ({ host: target.host, port: target.port })),
    localPorts: targets.map((_target, index) => localPorts[index] ?? 0),
    logger: options.logger ?? silentLogger,
    env: options.env ?? process.env,
    backoff,
    probe: options.probe,
    ...numbers,
  };
}

function checkMode(mode: TunnelMode, targetCount: number, problem: (field: string, code: string, message: string) => void): void {
  const name = (field: string, value: string | undefined) => {
    if (value !== undefined && !namePattern.test(value))
      problem(`mode.${field}`, 'invalid_name', `mode.${field} "${value}" must not be empty or start with "-".`);
  };
  // Programs may be given by absolute path; they only must not look like an option.
  const program = (field: string, value: string | undefined) => {
    if (value !== undefined && (value.trim() === '' || value.startsWith('-')))
      problem(`mode.${field}`, 'invalid_name', `mode.${field} must name a program and not start with "-".`);
  };
  switch (mode.kind) {
    case 'direct':
      return;
    case 'cf-ssh':
      name('app', mode.app);
      program('cfCommand', mode.cfCommand);
      return;
    case 'kubectl':
      name('namespace', mode.namespace);
      name('target', mode.target);
      name('context', mode.context);
      program('kubectlCommand', mode.kubectlCommand);
      return;
    case 'command': {
      if (mode.command.trim() === '') problem('mode.command', 'required', 'mode.command must name a program.');
      const used = new Set<number>();
      for (const arg of mode.args) {
        for (const match of arg.matchAll(placeholderPattern)) {
          const index = Number(match[2]);
          if (index >= targetCount) problem('mode.args', 'unknown_placeholder', `mode.args uses ${match[0]} but there are only ${targetCount} targets.`);
          if (match[1] === 'childPort') used.add(index);
        }
      }
      for (let index = 0; index < targetCount; index++) {
        if (!used.has(index))
          problem('mode.args', 'missing_placeholder', `mode.args must forward {childPort${index}}: the tunnel listens there for target ${index}.`);
      }
      return;
    }
    default:
      problem('mode.kind', 'invalid_kind', `mode.kind must be direct, cf-ssh, kubectl or command.`);
  }
}

function isPort(value: number, min: number): boolean {
  return Number.isInteger(value) && value >= min && value <= 65_535;
}
