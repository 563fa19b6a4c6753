import { tcpProbe } from './probe';
import type { TunnelProbe, TunnelTarget } from './types';

/**
 * One health check of a ready child: every child port must accept a TCP connection, and the optional
 * application probe (which can see a tunnel that accepts but forwards nothing) must answer true in time.
 * Ports and probes are checked in parallel, each within `timeoutMs`. Returns what is wrong, or undefined.
 */
export async function checkHealth(
  ports: readonly number[],
  targets: readonly TunnelTarget[],
  probe: TunnelProbe | undefined,
  timeoutMs: number,
): Promise<string | undefined> {
  const accepting = await Promise.all(ports.map((port) => tcpProbe(port, timeoutMs)));
  const closed = accepting.indexOf(false);
  if (closed >= 0) return `port ${ports[closed]} for target ${closed} stopped accepting connections`;
  if (!probe) return undefined;
  const verdicts = await Promise.all(
    ports.map((port, index) =>
      withTimeout(
        Promise.resolve().then(() => probe({ host: '127.0.0.1', port }, targets[index] as TunnelTarget, index)),
        timeoutMs,
      ),
    ),
  );
  for (const [index, verdict] of verdicts.entries()) {
    if (verdict === true) continue;
    const target = targets[index] as TunnelTarget;
    const what = verdict === 'timeout' ? `did not answer within ${Math.round(timeoutMs)} ms` : verdict === 'error' ? 'threw' : 'said no';
    return `the health probe for ${target.host}:${target.port} ${what}`;
  }
  return undefined;
}

/** The verdict of `promise`, or 'timeout' / 'error' instead of waiting longer or throwing. */
export function withTimeout(promise: Promise<boolean>, timeoutMs: number): Promise<boolean | 'timeout' | 'error'> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), timeoutMs);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      () => {
        clearTimeout(timer);
        resolve('error');
      },
    );
  });
}
