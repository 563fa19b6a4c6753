import type { Logger } from '../log';

/** Keys remembered at once; beyond it the oldest key is forgotten (a client can invent keys at will). */
const maxKeys = 100;

/**
 * One warning per window and key for events a client can cause at will (unknown destination names on one port,
 * D3; refused origins): the first is logged, the rest are counted and reported with the next one after the window.
 * No timer: a quiet forward costs nothing.
 */
export class WarningLimiter {
  private readonly windows = new Map<string, { ends: number; suppressed: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  warn(message: string, key = ''): void {
    const now = this.now();
    const window = this.windows.get(key);
    if (window && now < window.ends) {
      window.suppressed++;
      return;
    }
    const more = window && window.suppressed > 0 ? ` (and ${window.suppressed} more like it in the last ${Math.round(this.windowMs / 1000)} s)` : '';
    this.windows.delete(key);
    if (this.windows.size >= maxKeys) this.windows.delete(this.windows.keys().next().value as string);
    this.windows.set(key, { ends: now + this.windowMs, suppressed: 0 });
    this.logger.warn(`${message}${more}`);
  }
}
