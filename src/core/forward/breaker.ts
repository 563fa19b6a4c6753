import { BtpError, ErrorCode, isBtpError } from '../errors';
import { silentLogger, type Logger } from '../log';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** The service(s) the guarded calls reach, for messages and `details.service`. */
  readonly service?: string;
  /** Outages in a row that open the breaker (default 5: the SAP Cloud SDK opens at 50 % of its 10-call volume). */
  readonly failureThreshold?: number;
  /** An outage longer than this after the previous one starts the count again (default 60 000). */
  readonly windowMs?: number;
  /** How long an open breaker fails fast before it lets one trial call through (default 30 000, as the SDK). */
  readonly resetTimeoutMs?: number;
  /** Epoch milliseconds; tests pass a fake clock. */
  readonly now?: () => number;
  readonly logger?: Logger;
}

/**
 * Fails calls fast while a service is down, so that requests do not each wait for their own failing call.
 * `closed` counts outages in a row (see `isOutage`); at the threshold it goes `open` and every call fails at once
 * with `ServiceUnavailable`. After the reset timeout the next call is a trial (`half-open`, others still fail
 * fast): an answer of any kind closes it, another outage opens it again. There is no timer: the clock is read
 * when a call arrives.
 */
export class CircuitBreaker {
  readonly service: string;
  private readonly failureThreshold: number;
  private readonly windowMs: number;
  private readonly resetTimeoutMs: number;
  private readonly now: () => number;
  private readonly logger: Logger;
  private opened = false;
  private trialRunning = false;
  private failures = 0;
  private lastFailureAt = 0;
  private openedAt = 0;
  private lastError: BtpError | undefined;

  constructor(options: BreakerOptions = {}) {
    this.service = options.service ?? 'the Destination service or its token service';
    this.failureThreshold = Math.max(1, options.failureThreshold ?? 5);
    this.windowMs = options.windowMs ?? 60_000;
    this.resetTimeoutMs = options.resetTimeoutMs ?? 30_000;
    this.now = options.now ?? Date.now;
    this.logger = options.logger ?? silentLogger;
  }

  get state(): BreakerState {
    if (!this.opened) return 'closed';
    return this.trialRunning || this.now() >= this.retryAt ? 'half-open' : 'open';
  }

  /** When an open breaker lets the next trial through (epoch ms). */
  get retryAt(): number {
    return this.openedAt + this.resetTimeoutMs;
  }

  async run<T>(call: () => Promise<T>): Promise<T> {
    this.admit();
    const trial = this.opened;
    try {
      const value = await call();
      this.succeeded();
      return value;
    } catch (error) {
      if (isOutage(error)) this.failed(error, trial);
      else this.succeeded(); // The service answered (404, a refused credential…): it is up.
      throw error;
    } finally {
      if (trial) this.trialRunning = false;
    }
  }

  private admit(): void {
    if (!this.opened) return;
    if (this.trialRunning || this.now() < this.retryAt) throw this.fastFailure();
    this.trialRunning = true;
    this.logger.info(`circuit breaker for ${this.service}: half-open, one trial call goes through`);
  }

  private succeeded(): void {
    this.failures = 0;
    if (!this.opened) return;
    this.opened = false;
    this.logger.info(`circuit breaker for ${this.service}: closed, the service answers again`);
  }

  private failed(error: BtpError, trial: boolean): void {
    const at = this.now();
    this.lastError = error;
    // A failure of a call that started before the breaker opened changes nothing more.
    if (this.opened && !trial) return;
    this.failures = at - this.lastFailureAt > this.windowMs ? 1 : this.failures + 1;
    this.lastFailureAt = at;
    if (!trial && this.failures < this.failureThreshold) return;
    this.opened = true;
    this.openedAt = at;
    this.logger.warn(`circuit breaker for ${this.service}: open for ${this.resetTimeoutMs} ms after ${this.failures} outages in a row (last: ${error.code})`);
  }

  private fastFailure(): BtpError {
    const retryAt = this.retryAt;
    const seconds = Math.max(0, Math.ceil((retryAt - this.now()) / 1000));
    const next = this.trialRunning ? 'a trial call is running now' : `the next try is at ${new Date(retryAt).toISOString()} (in ${seconds} s)`;
    const last = this.lastError ? ` Last error: ${this.lastError.message}` : '';
    return new BtpError(
      ErrorCode.ServiceUnavailable,
      `Calls to ${this.service} fail fast: ${this.failures} in a row failed (unreachable, timed out or 5xx); ${next}.${last}`,
      {
        cause: this.lastError,
        details: {
          service: this.service,
          retryAt: new Date(retryAt).toISOString(),
          retryAfterSeconds: seconds,
          ...(this.lastError ? { lastCode: this.lastError.code } : {}),
        },
      },
    );
  }
}

/**
 * Errors that say the service is down rather than that it refused: unreachable, timed out (not cancelled by
 * us) and 5xx from the token or Destination service. 4xx answers prove the service is up and never count.
 */
export function isOutage(error: unknown): error is BtpError {
  if (!isBtpError(error)) return false;
  if (error.code === ErrorCode.Unreachable) return true;
  if (error.code === ErrorCode.Timeout) return error.details?.code !== 'ABORTED';
  return (error.code === ErrorCode.ServiceError || error.code === ErrorCode.TokenFailed) && (error.status ?? 0) >= 500;
}

const shared = new WeakMap<object, CircuitBreaker>();

/**
 * The breaker of every lookup through `owner` (a Destination service client): all forwards of one connection
 * see the same outage and open together. `options` count only when this call creates it.
 */
export function sharedBreaker(owner: object, options?: BreakerOptions): CircuitBreaker {
  let breaker = shared.get(owner);
  if (!breaker) {
    breaker = new CircuitBreaker(options);
    shared.set(owner, breaker);
  }
  return breaker;
}
