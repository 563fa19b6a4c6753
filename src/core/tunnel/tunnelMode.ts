import { BtpError, ErrorCode } from '../errors';
import type { TunnelMode } from './types';

/**
 * `direct`, `cf-ssh:<app>` or `kubectl[:<namespace>][@<context>]` (the CLI's `--tunnel`, the `btpConnect.tunnels`
 * setting). A namespace is a DNS label and never holds "@", so the first "@" starts the context, whose name may
 * hold anything (kubeadm's default is `kubernetes-admin@kubernetes`).
 */
export function parseTunnelMode(text: string): TunnelMode {
  const [kind, argument] = text.split(/:(.*)/s);
  if (kind === 'direct' && !argument) return { kind: 'direct' };
  if (kind === 'cf-ssh' && argument) return { kind: 'cf-ssh', app: argument };
  const kubectl = /^kubectl(?::([^@]+))?(?:@(.+))?$/s.exec(text);
  if (kubectl) {
    const [, namespace, context] = kubectl;
    return { kind: 'kubectl', ...(namespace ? { namespace } : {}), ...(context ? { context } : {}) };
  }
  throw new BtpError(ErrorCode.InvalidInput, `--tunnel "${text}" is not direct, cf-ssh:<app> or kubectl[:<namespace>][@<context>].`, { field: 'tunnel' });
}

/** The text form `parseTunnelMode` reads; a kubectl target other than the default and custom commands have none. */
export function formatTunnelMode(mode: TunnelMode): string {
  switch (mode.kind) {
    case 'direct':
      return 'direct';
    case 'cf-ssh':
      return `cf-ssh:${mode.app}`;
    case 'kubectl':
      return `kubectl${mode.namespace ? `:${mode.namespace}` : ''}${mode.context ? `@${mode.context}` : ''}`;
    case 'command':
      return `command:${mode.command}`;
  }
}
