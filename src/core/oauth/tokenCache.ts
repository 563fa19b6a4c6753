import type { AccessToken } from './tokenRequest';

export interface TokenCacheOptions {
  /** Refresh this long before expiry at most (default 60 s); short-lived tokens use a tenth of their life. */
  readonly maxMarginMs?: number;
  readonly now?: () => number;
}

/**
 * Caches tokens per key until shortly before they expire, and makes concurrent callers for the same key share
 * one in-flight request, so a burst of cold requests costs one token call. Failures are not cached: every
 * waiter of the failed request gets its error, and the next call tries again.
 */
export class TokenCache {
  private readonly tokens = new Map<string, AccessToken>();
  private readonly inFlight = new Map<string, Promise<AccessToken>>();
  private readonly maxMarginMs: number;
  private readonly now: () => number;

  constructor(options: TokenCacheOptions = {}) {
    this.maxMarginMs = options.maxMarginMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  get(key: string, fetchToken: () => Promise<AccessToken>): Promise<AccessToken> {
    const cached = this.tokens.get(key);
    if (cached && this.isFresh(cached)) return Promise.resolve(cached);
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const request = fetchToken()
      .then((token) => {
        this.tokens.set(key, token);
        return token;
      })
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, request);
    return request;
  }

  /** Caches `token` for `key` as if `get` had fetched it (a token the caller requested itself). */
  put(key: string, token: AccessToken): void {
    this.tokens.set(key, token);
  }

  /** Forget a token the server refused (e.g. a 401 with it), so the next `get` fetches a new one. */
  invalidate(key: string, token?: AccessToken): void {
    if (token === undefined || this.tokens.get(key)?.accessToken === token.accessToken) this.tokens.delete(key);
  }

  clear(): void {
    this.tokens.clear();
  }

  private isFresh(token: AccessToken): boolean {
    return isFreshToken(token, this.now(), this.maxMarginMs);
  }
}

/** Whether a token is still good to use: not within its refresh margin (a tenth of its life, at most `maxMarginMs`). */
export function isFreshToken(token: Pick<AccessToken, 'expiresIn' | 'expiresAt'>, now: number, maxMarginMs = 60_000): boolean {
  const margin = Math.min(maxMarginMs, (token.expiresIn * 1000) / 10);
  return now < token.expiresAt - margin;
}
