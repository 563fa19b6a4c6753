import { withTimeout } from './health';
import { tcpProbe } from './probe';
import type { TunnelProbe, TunnelTarget } from './types';

export interface KeepAliveOptions {
  readonly intervalMs: number;
  /** When traffic last went through the tunnel (Date.now()): clients, health probes. */
  readonly lastTraffic: () => number;
  /** Sends the light traffic; must not throw. */
  readonly send: () => Promise<void>;
}

/**
 * Sends traffic through a tunnel that has been quiet for `intervalMs`, so that load balancers and NAT between the
 * child and its server (kubectl → API server, cf ssh → SSH proxy) never cut its one upstream connection for
 * idleness (AC-27). Any other traffic postpones it: a busy tunnel gets nothing extra.
 */
export class KeepAlive {
  private timer: NodeJS.Timeout | undefined;
  private lastSentAt = 0;
  private stopped = false;

  constructor(private readonly options: KeepAliveOptions) {}

  start(): void {
    this.schedule(this.options.intervalMs - this.quietFor());
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private quietFor(): number {
    return Date.now() - Math.max(this.options.lastTraffic(), this.lastSentAt);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), Math.max(0, delayMs));
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    const quietFor = this.quietFor();
    if (quietFor < this.options.intervalMs) return this.schedule(this.options.intervalMs - quietFor);
    this.lastSentAt = Date.now();
    await this.options.send();
    this.schedule(this.options.intervalMs);
  }
}

/**
 * The keep-alive traffic itself: the application probe through each child port when there is one (it also keeps
 * the far side's sessions busy), else a TCP connect, which makes the child open a stream or channel upstream.
 * Returns what did not answer; judging the tunnel stays with the health probe.
 */
export async function sendKeepAlive(
  ports: readonly number[],
  targets: readonly TunnelTarget[],
  probe: TunnelProbe | undefined,
  timeoutMs: number,
): Promise<string[]> {
  const verdicts = await Promise.all(
    ports.map((port, index) =>
      probe
        ? withTimeout(
            Promise.resolve().then(() => probe({ host: '127.0.0.1', port }, targets[index] as TunnelTarget, index)),
            timeoutMs,
          )
        : tcpProbe(port, timeoutMs),
    ),
  );
  return ports.flatMap((port, index) => (verdicts[index] === true ? [] : [`port ${port}: ${String(verdicts[index])}`]));
}
