import type { Logger } from '../log';

/**
 * One warning per window for a kind of event that a client can cause at will (unknown destination names on one
 * port, D3): the first is logged, the rest are counted and reported with the next one after the window. No timer:
 * a quiet forward costs nothing.
 */
export class WarningLimiter {
  private windowEnds = 0;
  private suppressed = 0;

  constructor(
    private readonly logger: Logger,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  warn(message: string): void {
    const now = this.now();
    if (now < this.windowEnds) {
      this.suppressed++;
      return;
    }
    const more = this.suppressed > 0 ? ` (and ${this.suppressed} more like it in the last ${Math.round(this.windowMs / 1000)} s)` : '';
    this.suppressed = 0;
    this.windowEnds = now + this.windowMs;
    this.logger.warn(`${message}${more}`);
  }
}
