import type { DestinationServiceClient } from '../destinationService/client';
import type { AuthTokenSuccess, CertificateRecord, DestinationRecord, FindOptions, FindResult } from '../destinationService/types';
import { BtpError, ErrorCode } from '../errors';
import { hasUserInput, userFlowSignInRequired, userInputOf } from '../destinationService/userFlows';
import { sharedBreaker, type CircuitBreaker } from './breaker';

export interface Resolved {
  readonly name: string;
  readonly destination: DestinationRecord;
  readonly certificates: readonly CertificateRecord[];
  /** The header to inject (`authTokens[0].http_header`), when the destination has one. */
  readonly authHeader?: { readonly key: string; readonly value: string };
  /** When this resolution must be refreshed: shortly before its token expires. */
  readonly refreshAt: number;
}

export interface ResolverOptions {
  /** Only `find` is used: the Destination service client, or the local store. */
  readonly client: Pick<DestinationServiceClient, 'find'>;
  readonly name: string;
  /**
   * Extra find-destination inputs, e.g. the signed-in user's token; given the destination as an earlier lookup
   * found it, they add what its Authentication needs (a refresh token, a code: see session/userForwarding).
   */
  readonly findOptions?: (destination?: DestinationRecord) => Promise<FindOptions>;
  /** Destinations without a token are re-read this often (the SAP Cloud SDK caches them 5 minutes). */
  readonly maxAgeMs?: number;
  readonly now?: () => number;
  /**
   * Guards every lookup; default: the breaker shared by all resolvers on the same `client`, so that the
   * forwards of a connection fail fast together while its token or Destination service is down (AC-18).
   */
  readonly breaker?: CircuitBreaker;
}

/**
 * Resolves a destination the way an app in the cloud does, with find-destination, and caches the answer until
 * shortly before its auth token expires. Concurrent callers share one lookup; `invalidate` after an upstream
 * 401 forces a fresh token. Lookups go through a circuit breaker: while it is open they fail at once with
 * `ServiceUnavailable` instead of waiting for a service that is down.
 */
export class DestinationResolver {
  private current: Resolved | undefined;
  /** The destination as the last lookup found it: its Authentication decides the user inputs of the next one. */
  private lastFound: DestinationRecord | undefined;
  private pending: Promise<Resolved> | undefined;
  private readonly now: () => number;
  private readonly breaker: CircuitBreaker;

  constructor(private readonly options: ResolverOptions) {
    this.now = options.now ?? Date.now;
    this.breaker = options.breaker ?? sharedBreaker(options.client);
  }

  get name(): string {
    return this.options.name;
  }

  get(): Promise<Resolved> {
    if (this.current && this.now() < this.current.refreshAt) return Promise.resolve(this.current);
    this.pending ??= this.breaker.run(() => this.lookup()).finally(() => (this.pending = undefined));
    return this.pending;
  }

  /** The resolution at hand or under way, without starting a lookup (for work that only follows one). */
  known(): Promise<Resolved> | undefined {
    if (this.current && this.now() < this.current.refreshAt) return Promise.resolve(this.current);
    return this.pending;
  }

  invalidate(stale: Resolved): void {
    if (this.current === stale) this.current = undefined;
  }

  private async find(extra: FindOptions): Promise<FindResult> {
    const result = await this.options.client.find(this.options.name, extra);
    if (!result) throw new BtpError(ErrorCode.NotFound, `Destination "${this.options.name}" was not found.`);
    return result;
  }

  private async lookup(): Promise<Resolved> {
    const started = this.now();
    const inputs = (destination?: DestinationRecord): Promise<FindOptions> =>
      this.options.findOptions ? this.options.findOptions(destination) : Promise.resolve({});
    const previous = this.lastFound;
    let extra = await inputs(previous);
    let result = await this.find(extra);
    const found = result.destinationConfiguration;
    this.lastFound = found;
    // The inputs were chosen for the destination as last found (none on a first lookup). Where what decides them
    // changed (a user flow's input, X-tenant for a Common token URL), once more with this one's, unless a user flow's
    // input is still missing: that is the sign-in error below, not a second lookup.
    const input = userInputOf(found);
    if (inputsKey(found) !== inputsKey(previous)) {
      const again = await inputs(found);
      if (!sameInputs(again, extra) && (!input || hasUserInput(input, again))) {
        extra = again;
        result = await this.find(extra);
      }
    }
    if (input && !hasUserInput(input, extra)) {
      throw userFlowSignInRequired(this.options.name, result.destinationConfiguration.Authentication ?? '', input, undefined);
    }
    const tokens = result.authTokens ?? [];
    const failure = tokens.find((token) => token.error !== undefined);
    if (failure?.error !== undefined) {
      throw new BtpError(ErrorCode.TokenFailed, `The Destination service could not get a token for "${this.options.name}": ${failure.error}`, {
        serviceMessage: failure.error,
      });
    }
    const token = tokens[0] as AuthTokenSuccess | undefined;
    const maxAge = this.options.maxAgeMs ?? 5 * 60_000;
    const expiresIn = token?.expires_in ? Number(token.expires_in) * 1000 : Number.POSITIVE_INFINITY;
    // Refresh a minute early, or at a tenth of a short token's life.
    const lifetime = Math.min(maxAge, expiresIn - Math.min(60_000, expiresIn / 10));
    this.current = {
      name: this.options.name,
      destination: result.destinationConfiguration,
      certificates: result.certificates ?? [],
      ...(token?.http_header ? { authHeader: token.http_header } : {}),
      refreshAt: started + Math.max(0, lifetime),
    };
    return this.current;
  }
}

/** What a lookup's inputs depend on (session/userForwarding.ts, destinationService/tenantHeader.ts). */
function inputsKey(destination: DestinationRecord | undefined): string {
  return `${destination?.Authentication ?? ''}|${destination?.tokenServiceURLType ?? ''}`;
}

function sameInputs(a: FindOptions, b: FindOptions): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((key) => a[key as keyof FindOptions] === b[key as keyof FindOptions]);
}
