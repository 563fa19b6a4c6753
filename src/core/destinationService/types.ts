/** Wire types of the Destination service REST API (spec §3), as the client reads them. */

export type DestinationLevel = 'subaccount' | 'instance';

/** v2 "consume" API levels (spec §3.1). */
export type ConsumeLevel = DestinationLevel | 'provider_subaccount' | 'provider_instance';

/** A destination as stored: every value a string, unknown property names kept. */
export type DestinationRecord = Record<string, string>;

export interface WithEtag<T> {
  readonly value: T;
  /** The service's ETag, when it sent one; pass it back to detect concurrent changes. */
  readonly etag?: string;
}

/** An `authTokens` entry of find-destination: a token with its ready header, or the service's failure. */
export type AuthTokenEntry = AuthTokenSuccess | AuthTokenFailure;

export interface AuthTokenSuccess {
  readonly type: string;
  readonly value: string;
  readonly http_header: { readonly key: string; readonly value: string };
  readonly expires_in?: string;
  readonly scope?: string;
  readonly refresh_token?: string;
  readonly issued_token_type?: string;
  /** Never present on success: the approuter fails on `hasOwnProperty('error')` (spec §3.3). */
  readonly error?: never;
}

/** Token retrieval failed; the HTTP status of find-destination is still 200. */
export interface AuthTokenFailure {
  readonly type: '';
  readonly value: '';
  readonly error: string;
  readonly http_header?: never;
}

export interface CertificateRecord {
  readonly Name: string;
  readonly Type?: string;
  /** Base64 of the certificate or keystore file. */
  readonly Content: string;
}

export interface FindResult {
  readonly owner?: { readonly SubaccountId: string | null; readonly InstanceId: string | null };
  readonly destinationConfiguration: DestinationRecord;
  readonly authTokens?: readonly AuthTokenEntry[];
  readonly certificates?: readonly CertificateRecord[];
  /** Where the destination was found, from `owner` (v1). */
  readonly level?: DestinationLevel;
  readonly etag?: string;
}

export interface FindOptions {
  /** The user for user-based flows (`X-user-token`). */
  readonly userToken?: string;
  /** Subdomain for `tokenServiceURLType: Common` (`X-tenant`). Not together with `userToken`. */
  readonly tenant?: string;
  readonly refreshToken?: string | undefined;
  readonly code?: string | undefined;
  readonly redirectUri?: string | undefined;
  readonly codeVerifier?: string | undefined;
  readonly subjectToken?: string | undefined;
  readonly subjectTokenType?: string | undefined;
  readonly actorToken?: string | undefined;
  readonly actorTokenType?: string | undefined;
  readonly fragmentName?: string;
  readonly fragmentOptional?: boolean;
  readonly skipTokenRetrieval?: boolean;
  readonly skipCredentials?: boolean;
  /** Use the v2 consume API at exactly this level (no fallback). */
  readonly level?: ConsumeLevel;
  /** `If-None-Match`: when unchanged, `find` resolves to `undefined` (304). */
  readonly ifNoneMatch?: string | undefined;
}

/** One item of a bulk create/update answer (201/200/207). */
export interface BulkItemResult {
  readonly name: string;
  readonly status: number | string;
  readonly etag?: string;
  readonly cause?: string;
}
