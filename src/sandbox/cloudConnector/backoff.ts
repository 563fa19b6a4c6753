export interface BackoffPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
}

export const defaultBackoff: BackoffPolicy = { initialMs: 200, maxMs: 10_000 };

/**
 * Delay before reconnect attempt `attempt` (0 = first retry): doubling from `initialMs`, capped at `maxMs`, minus
 * up to 20 % jitter so that several connectors of one restarted proxy do not all dial in the same instant.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exponential = policy.initialMs * 2 ** Math.min(attempt, 30);
  const capped = Math.min(policy.maxMs, exponential);
  return Math.round(capped * (1 - 0.2 * random()));
}
