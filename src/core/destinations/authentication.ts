/**
 * One entry per `Authentication` value of spec §4.2 (cross-checked with SAP-docs/btp-connectivity): what a
 * form must ask for, which answers are secrets, what `authTokens[].type` the Destination service returns,
 * and the constraints the validator enforces. This is data: the webview renders it, the validator reads it.
 */
import { isSecretProperty, type AuthTokenType, type AuthenticationType } from './model';

/** What the caller must hand over at lookup time for the flow to work (none = the destination is enough). */
export type CallerSupplies = 'userToken' | 'refreshToken' | 'authorizationCode' | 'subjectToken';

export interface AuthenticationSpec {
  readonly type: AuthenticationType;
  readonly label: string;
  readonly description: string;
  /** Must be set, besides Name, Type, URL, ProxyType and Authentication. */
  readonly required: readonly string[];
  /** A `required` property that is not needed while another property has a given value. */
  readonly exemptions: readonly { readonly property: string; readonly when: string; readonly equals: string }[];
  /** May be set (includes the OAuth set "O" for OAuth flows). */
  readonly optional: readonly string[];
  /** User-named families that apply, by prefix (`tokenServiceURL.headers.` …). */
  readonly optionalFamilies: readonly string[];
  /** The `required` and `optional` names whose values are credentials. */
  readonly secrets: readonly string[];
  /** If none of these is set the flow has no client credential → warning (a caller may still send one). */
  readonly clientCredentialOneOf?: readonly string[];
  /** `authTokens[].type` in the find-destination response; null when the service returns no token. */
  readonly tokenType: AuthTokenType | null;
  /** The flow only works with this ProxyType. */
  readonly requiresProxyType?: 'OnPremise';
  /** The flow acts for a logged-in user: a lookup without a user token fails. */
  readonly needsUser: boolean;
  readonly callerSupplies?: CallerSupplies;
  /** The SAP Cloud SDK for JavaScript builds headers for this type (spec §4.2, last paragraph). */
  readonly sdkSupported: boolean;
  readonly deprecated?: string;
  readonly notes?: string;
}

/** The optional set "O" shared by OAuth flows (spec §4.2). */
export const OAUTH_OPTIONAL: readonly string[] = [
  'clientSecret',
  'tokenServiceURLType',
  'tokenServiceURL.ProxyType',
  'tokenService.KeyStoreLocation',
  'tokenService.KeyStorePassword',
  'scope',
  'tokenService.addClientCredentialsInBody',
  'tokenServiceURL.ConnectionTimeoutInSeconds',
  'tokenServiceURL.SocketReadTimeoutInSeconds',
  'clientAssertion.type',
  'clientAssertion.destinationName',
];
export const OAUTH_FAMILIES: readonly string[] = ['tokenServiceURL.headers.', 'tokenServiceURL.queries.', 'tokenService.body.'];

const X_USER_TOKEN = ['x_user_token.jwks', 'x_user_token.jwks_uri', 'x_user_token.header.typ'];
const TOKEN_SERVICE_USER = ['tokenServiceUser', 'tokenServicePassword'];
/** Ways an OAuth client can authenticate at the token service. */
const CLIENT_CREDENTIALS = ['clientSecret', 'tokenService.KeyStoreLocation', 'clientAssertion.destinationName', 'tokenServicePassword'];
const SAML_OPTIONAL = [
  'nameQualifier',
  'assertionIssuer',
  'assertionRecipient',
  'nameIdFormat',
  'userIdSource',
  'KeyStoreLocation',
  'KeyStorePassword',
  'companyId',
  'samlAssertionEncoding',
];

type Entry = Omit<AuthenticationSpec, 'type' | 'secrets' | 'exemptions' | 'optionalFamilies'> &
  Partial<Pick<AuthenticationSpec, 'exemptions' | 'optionalFamilies'>>;

function oauth(entry: Omit<Entry, 'required' | 'clientCredentialOneOf' | 'sdkSupported'> & { required?: readonly string[]; sdkSupported?: boolean }): Entry {
  return {
    ...entry,
    required: entry.required ?? ['clientId', 'tokenServiceURL'],
    optional: [...OAUTH_OPTIONAL, ...entry.optional],
    optionalFamilies: OAUTH_FAMILIES,
    clientCredentialOneOf: CLIENT_CREDENTIALS,
    sdkSupported: entry.sdkSupported ?? false,
  };
}

const entries: Record<AuthenticationType, Entry> = {
  NoAuthentication: {
    label: 'No authentication',
    description: 'Requests go to the target without credentials.',
    required: [],
    optional: [],
    tokenType: null,
    needsUser: false,
    sdkSupported: true,
  },
  BasicAuthentication: {
    label: 'Basic authentication',
    description: 'User and password, sent as an HTTP Basic Authorization header.',
    required: ['User', 'Password'],
    optional: ['Preemptive'],
    tokenType: 'Basic',
    needsUser: false,
    sdkSupported: true,
  },
  ClientCertificateAuthentication: {
    label: 'Client certificate',
    description: 'Mutual TLS with a client certificate from a key store.',
    required: ['KeyStoreLocation'],
    exemptions: [{ property: 'KeyStoreLocation', when: 'KeyStore.Source', equals: 'ClientProvided' }],
    optional: ['KeyStorePassword', 'KeyStore.Source', 'TrustStoreLocation', 'TrustStorePassword'],
    tokenType: null,
    needsUser: false,
    sdkSupported: true,
    notes: 'The key store comes back in certificates[], not authTokens[].',
  },
  PrincipalPropagation: {
    label: 'Principal propagation',
    description: 'The logged-in user is forwarded through the Cloud Connector, which maps it to a backend user.',
    required: [],
    optional: [],
    tokenType: null,
    requiresProxyType: 'OnPremise',
    needsUser: true,
    callerSupplies: 'userToken',
    sdkSupported: true,
    notes: 'The client sends the user JWT to the connectivity proxy (SAP-Connectivity-Authentication).',
  },
  OAuth2ClientCredentials: oauth({
    label: 'OAuth client credentials',
    description: 'A token for the OAuth client itself (a technical user).',
    optional: TOKEN_SERVICE_USER,
    tokenType: 'Bearer',
    needsUser: false,
    sdkSupported: true,
  }),
  OAuth2Password: oauth({
    label: 'OAuth password grant',
    description: 'A token for User and Password (resource-owner password credentials).',
    required: ['clientId', 'User', 'Password', 'tokenServiceURL'],
    optional: [],
    tokenType: 'Bearer',
    needsUser: false,
    sdkSupported: true,
  }),
  OAuth2UserTokenExchange: oauth({
    label: 'OAuth user token exchange',
    description: "Exchanges the caller's user token for a token of this OAuth client.",
    optional: X_USER_TOKEN,
    tokenType: 'Bearer',
    needsUser: true,
    callerSupplies: 'userToken',
    sdkSupported: true,
  }),
  OAuth2JWTBearer: oauth({
    label: 'OAuth JWT bearer',
    description: "Exchanges the caller's user JWT with the jwt-bearer grant.",
    optional: X_USER_TOKEN,
    tokenType: 'Bearer',
    needsUser: true,
    callerSupplies: 'userToken',
    sdkSupported: true,
  }),
  OAuth2SAMLBearerAssertion: {
    label: 'OAuth SAML bearer assertion',
    description: 'The Destination service signs a SAML assertion for the user and exchanges it for a token.',
    required: ['audience', 'clientKey', 'tokenServiceURL', 'authnContextClassRef'],
    exemptions: [{ property: 'audience', when: 'SAMLAssertionProvider', equals: 'ClientProvided' }],
    optional: [
      ...TOKEN_SERVICE_USER,
      'SAMLAssertionProvider',
      ...SAML_OPTIONAL,
      'SystemUser',
      'skipUserAttributesPrefixInSAMLAttributes',
      'includeSigningCertificateInSAMLAssertion',
      'skipUserUuidInSAMLAttributes',
      ...X_USER_TOKEN,
      ...OAUTH_OPTIONAL,
    ],
    optionalFamilies: OAUTH_FAMILIES,
    tokenType: 'Bearer',
    needsUser: true,
    callerSupplies: 'userToken',
    sdkSupported: true,
    notes: 'With the deprecated SystemUser no user token is needed.',
  },
  SAMLAssertion: {
    label: 'SAML assertion',
    description: 'The Destination service issues a SAML assertion for the user; it is sent as the Authorization header.',
    required: ['audience', 'authnContextClassRef'],
    optional: ['clientKey', ...SAML_OPTIONAL, ...X_USER_TOKEN],
    tokenType: 'SAML2.0',
    needsUser: true,
    callerSupplies: 'userToken',
    sdkSupported: true,
    notes: 'The SDK adds x-sap-security-session: create.',
  },
  OAuth2RefreshToken: oauth({
    label: 'OAuth refresh token',
    description: 'The caller passes a refresh token (X-refresh-token) that is redeemed for an access token.',
    optional: [],
    tokenType: 'Bearer',
    needsUser: false,
    callerSupplies: 'refreshToken',
    sdkSupported: true,
  }),
  OAuth2AuthorizationCode: oauth({
    label: 'OAuth authorization code',
    description: 'The caller passes an authorization code (X-code) that is redeemed for a token.',
    optional: [],
    tokenType: 'Bearer',
    needsUser: true,
    callerSupplies: 'authorizationCode',
  }),
  OAuth2TechnicalUserPropagation: oauth({
    label: 'OAuth technical user propagation',
    description: 'A client-credentials token that represents a technical user at the backend.',
    optional: TOKEN_SERVICE_USER,
    tokenType: 'Bearer',
    needsUser: false,
    notes: 'OnPremise: the token goes to the proxy in SAP-Connectivity-Technical-Authentication.',
  }),
  OAuth2TokenExchange: oauth({
    label: 'OAuth token exchange',
    description: 'Token exchange (RFC 8693) of a subject token the caller passes (X-subject-token).',
    optional: [],
    tokenType: 'Bearer',
    needsUser: false,
    callerSupplies: 'subjectToken',
  }),
  SAPAssertionSSO: {
    label: 'SAP assertion ticket (deprecated)',
    description: 'An SAP assertion ticket (MYSAPSSO2) for the user.',
    // Names from spec §4.2 and SAP Cloud SDK for Java tests; not in current SAP docs (unverified).
    required: ['IssuerSID', 'IssuerClient', 'RecipientSID', 'RecipientClient', 'Certificate'],
    optional: ['SigningKey', 'SystemUser'],
    tokenType: 'MYSAPSSO2',
    needsUser: true,
    callerSupplies: 'userToken',
    sdkSupported: false,
    deprecated: 'SAPAssertionSSO is deprecated; use PrincipalPropagation (OnPremise) or OAuth2SAMLBearerAssertion instead',
    notes: 'The SDK-for-Java fixture returns the ticket as a Cookie header (MYSAPSSO2=…).',
  },
};

function complete(type: AuthenticationType, entry: Entry): AuthenticationSpec {
  const names = [...entry.required, ...entry.optional];
  return {
    ...entry,
    type,
    exemptions: entry.exemptions ?? [],
    optionalFamilies: entry.optionalFamilies ?? [],
    secrets: names.filter((name, index) => isSecretProperty(name) && names.indexOf(name) === index),
  };
}

/** The table, keyed by `Authentication` value. */
export const AUTHENTICATIONS: Readonly<Record<AuthenticationType, AuthenticationSpec>> = Object.fromEntries(
  Object.entries(entries).map(([type, entry]) => [type, complete(type as AuthenticationType, entry)]),
) as Record<AuthenticationType, AuthenticationSpec>;

/** The required properties of `spec` that `dest` actually needs, with its exemptions applied. */
export function requiredFor(spec: AuthenticationSpec, dest: Readonly<Record<string, unknown>>): string[] {
  return spec.required.filter((name) => !spec.exemptions.some((e) => e.property === name && Object.hasOwn(dest, e.when) && dest[e.when] === e.equals));
}
