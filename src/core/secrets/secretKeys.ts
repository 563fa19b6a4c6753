/**
 * Every name a secret is stored under, in one place. The CLI and the extension share the OS keychain, so these
 * strings are a contract between them (and with older installs): change one only with a migration.
 */

/** Which service key of a connection a secret field belongs to; the sign-in (xsuaa) key's part is `login`. */
export type ConnectionPart = 'destination' | 'connectivity' | 'login';

/** What a signed-in user leaves in the secret store (see `UserSession`); nowhere else. */
export const USER_TOKEN_FIELDS = ['refresh_token', 'access_token'] as const;
export type UserTokenField = (typeof USER_TOKEN_FIELDS)[number];

export type SecretKey =
  | `connection/${string}/${ConnectionPart}/${string}`
  | `connection/${string}/user/${UserTokenField}`
  | `connection/${string}/kept-tokens`
  | `local-destination/${string}`;

/** A service key's secret field (`clientsecret`, `key`, …) of a saved connection. */
export function connectionSecretKey(connection: string, part: ConnectionPart, field: string): SecretKey {
  return `connection/${connection}/${part}/${field}`;
}

/** The client-credentials tokens of a saved connection's services, kept between processes (`KeptTokens`). */
export function keptTokensKey(connection: string): SecretKey {
  return `connection/${connection}/kept-tokens`;
}

/** A signed-in user's token of a connection. */
export function userSecretKey(connection: string, field: UserTokenField): SecretKey {
  return `connection/${connection}/user/${field}`;
}

/** The secret properties of a destination imported on this machine, as one JSON value. */
export function localSecretKey(name: string): SecretKey {
  return `local-destination/${name}`;
}
