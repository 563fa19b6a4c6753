import type { TunnelBackoff } from './types';

/**
 * Delay before restart number `attempt` (0-based): initialMs · 2^attempt, capped at maxMs, then spread by
 * ±jitter so that many tunnels cut by one event do not all come back at the same instant.
 */
export function backoffDelay(attempt: number, backoff: TunnelBackoff, random: () => number = Math.random): number {
  const base = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(attempt, 30));
  const spread = base * backoff.jitter * (2 * random() - 1);
  return Math.max(0, Math.round(Math.min(backoff.maxMs, base + spread)));
}
