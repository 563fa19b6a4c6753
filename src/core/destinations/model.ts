/**
 * The typed vocabulary of SAP BTP destinations (spec §4). A destination travels as a flat JSON object whose
 * values are all strings (`"TrustAll": "true"`, spec §3.3); property names the model does not know are kept
 * as they are, never dropped. This module is shared with the browser webview: ECMAScript globals only.
 */

/** `Type` of a destination. */
export const DESTINATION_TYPES = ['HTTP', 'RFC', 'MAIL', 'LDAP', 'TCP'] as const;
export type DestinationType = (typeof DESTINATION_TYPES)[number];

/** `ProxyType` values. `Local` exists for RFC only (`jco.destination.proxy_type`, Edge Integration Cell). */
export const PROXY_TYPES = ['Internet', 'OnPremise', 'PrivateLink', 'Local'] as const;
export type ProxyType = (typeof PROXY_TYPES)[number];

/** Every `Authentication` value of spec §4.2. */
export const AUTHENTICATION_TYPES = [
  'NoAuthentication',
  'BasicAuthentication',
  'ClientCertificateAuthentication',
  'PrincipalPropagation',
  'OAuth2ClientCredentials',
  'OAuth2Password',
  'OAuth2UserTokenExchange',
  'OAuth2JWTBearer',
  'OAuth2SAMLBearerAssertion',
  'SAMLAssertion',
  'OAuth2RefreshToken',
  'OAuth2AuthorizationCode',
  'OAuth2TechnicalUserPropagation',
  'OAuth2TokenExchange',
  'SAPAssertionSSO',
] as const;
export type AuthenticationType = (typeof AUTHENTICATION_TYPES)[number];

/**
 * `authTokens[].type` the Destination service returns for an authentication type (spec §3.3).
 * `MYSAPSSO2` (SAPAssertionSSO) is taken from SAP Cloud SDK for Java test fixtures, not from SAP docs.
 */
export const AUTH_TOKEN_TYPES = ['Bearer', 'Basic', 'SAML2.0', 'MYSAPSSO2'] as const;
export type AuthTokenType = (typeof AUTH_TOKEN_TYPES)[number];

/** A destination in wire form: every value a string; unknown property names are kept as they are. */
export type DestinationProperties = Record<string, string>;

/** `Name`: letters, digits, `_` and `-`, 1 to 200 characters (spec §4.1). */
export const DESTINATION_NAME_PATTERN = /^[A-Za-z0-9_-]{1,200}$/;

/**
 * Longest Cloud Connector location id in bytes: the SOCKS5 handshake sends its base64 with a one-byte length
 * (spec §5.2), and base64 of 190 bytes is 256 characters.
 */
export const LOCATION_ID_MAX_BYTES = 189;

const has = <T extends string>(list: readonly T[], value: unknown): value is T => typeof value === 'string' && (list as readonly string[]).includes(value);

export const isDestinationType = (value: unknown): value is DestinationType => has(DESTINATION_TYPES, value);
export const isProxyType = (value: unknown): value is ProxyType => has(PROXY_TYPES, value);
export const isAuthenticationType = (value: unknown): value is AuthenticationType => has(AUTHENTICATION_TYPES, value);

/**
 * Properties whose value is a credential. Matched case-insensitively (a user who writes `password` still
 * means a secret). Not secrets: user names, key-store *names* (`KeyStoreLocation`), certificates and JWKS
 * (`x_user_token.jwks` is a public key set), client ids.
 */
export const SECRET_PROPERTY_NAMES: readonly string[] = [
  'Password',
  'clientSecret',
  'tokenServicePassword',
  'KeyStorePassword',
  'TrustStorePassword',
  'tokenService.KeyStorePassword',
  'SigningKey', // SAPAssertionSSO private key (SDK-for-Java fixture name)
  'mail.password',
  'ldap.password',
  'jco.client.passwd',
  'jco.destination.repository.passwd',
  'jco.client.tech_user_secret',
  'jco.client.mysapsso2', // a logon ticket
];

const secretNames = new Set(SECRET_PROPERTY_NAMES.map((name) => name.toLowerCase()));

/** Families whose members are user-named (`URL.headers.<name>` …); a member is secret when its name says so. */
const NAMED_FAMILIES = ['url.headers.', 'url.queries.', 'tokenserviceurl.headers.', 'tokenserviceurl.queries.', 'tokenservice.body.'];
const SENSITIVE_MEMBER = /authorization|cookie|api[-_]?key|secret|passw(or)?d|token|credential|signature|^sig$/i;

/** Whether the value of property `name` is a credential and must be masked, kept out of logs and exports. */
export function isSecretProperty(name: string): boolean {
  const lower = name.toLowerCase();
  if (secretNames.has(lower)) return true;
  const family = NAMED_FAMILIES.find((prefix) => lower.startsWith(prefix));
  return family !== undefined && SENSITIVE_MEMBER.test(name.slice(family.length));
}
