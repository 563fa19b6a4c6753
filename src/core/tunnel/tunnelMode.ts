import { BtpError, ErrorCode } from '../errors';
import type { TunnelMode } from './types';

/** `direct`, `cf-ssh:<app>` or `kubectl[:<namespace>]` (the CLI's `--tunnel`, the `btpConnect.tunnels` setting). */
export function parseTunnelMode(text: string): TunnelMode {
  const [kind, argument] = text.split(/:(.*)/s);
  if (kind === 'direct' && !argument) return { kind: 'direct' };
  if (kind === 'cf-ssh' && argument) return { kind: 'cf-ssh', app: argument };
  if (kind === 'kubectl') return argument ? { kind: 'kubectl', namespace: argument } : { kind: 'kubectl' };
  throw new BtpError(ErrorCode.InvalidInput, `--tunnel "${text}" is not direct, cf-ssh:<app> or kubectl[:<namespace>].`, { field: 'tunnel' });
}
