import type { RefusalLog } from './connectionLimit';

/**
 * WebSocket upgrades a forward lets hold an upstream connection at once (D2: every one is a stream of the Cloud
 * Connector's tunnel for OnPremise destinations). `take()` gives a release function, or undefined at the limit.
 */
export class UpgradeSlots {
  private open = 0;

  constructor(
    readonly limit: number,
    private readonly refusals: RefusalLog,
  ) {}

  take(): (() => void) | undefined {
    if (this.open >= this.limit) {
      this.refusals.refused();
      return undefined;
    }
    this.open++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.open--;
    };
  }
}
