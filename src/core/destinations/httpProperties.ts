/**
 * Catalogue of the properties of HTTP destinations: common ones (spec §4.1), the OAuth set "O" and the
 * per-authentication-type ones (spec §4.2, cross-checked against SAP-docs/btp-connectivity).
 */
import { AUTHENTICATION_TYPES, DESTINATION_TYPES } from './model';
import { bool, oneOf, prop, type PropertyFamilySpec, type PropertySpec } from './propertySpec';

export const COMMON_PROPERTIES: readonly PropertySpec[] = [
  prop('Name', 'Name', 'text', { description: 'Unique per level; letters, digits, "_" and "-", at most 200 characters.' }),
  oneOf('Type', 'Type', DESTINATION_TYPES, 'Protocol of the destination.'),
  prop('Description', 'Description', 'text', { description: 'Free text.' }),
  prop('URL', 'URL', 'url', {
    description: 'Absolute address of the target. For OnPremise use the virtual host:port of the Cloud Connector with http://.',
  }),
  oneOf('ProxyType', 'Proxy type', ['Internet', 'OnPremise', 'PrivateLink'], 'How the target is reached. Default: Internet.'),
  oneOf('Authentication', 'Authentication', AUTHENTICATION_TYPES, 'How the caller authenticates at the target.'),
  prop('CloudConnectorLocationId', 'Location ID', 'text', {
    description: 'Selects the Cloud Connector when several are connected to the subaccount (OnPremise only).',
  }),
  prop('User', 'User'),
  prop('Password', 'Password'),
  prop('Preemptive', 'Preemptive', 'text', { unverified: 'listed in spec §4.2 only; no format documented' }),
  prop('sap-client', 'SAP client', 'text', {
    description: 'ABAP client, sent as the sap-client header or query parameter.',
    pattern: { regex: /^\d{3}$/, hint: 'three digits, e.g. "100"' },
  }),
  prop('sap-language', 'SAP language', 'text'),
  bool('TrustAll', 'Trust all certificates', 'Skips server certificate checks; for tests only.'),
  prop('TrustStoreLocation', 'Trust store', 'text', { description: 'Name of an uploaded trust store (.pem for the SDK and approuter).' }),
  prop('TrustStorePassword', 'Trust store password'),
  prop('KeyStoreLocation', 'Key store', 'text', { description: 'Name of an uploaded key store holding the client certificate (.p12).' }),
  prop('KeyStorePassword', 'Key store password'),
  oneOf('KeyStore.Source', 'Key store source', ['ClientProvided', 'DestinationService'], 'Who holds the key store. Default: DestinationService.'),
  bool('HTML5.ForwardAuthToken', 'Forward auth token (approuter)', 'The approuter sends the user token to the target.'),
  bool('forwardAuthToken', 'Forward auth token', 'Clients send the user token to the target.'),
  bool('HTML5.ForwardAuthCertificates', 'Forward auth certificates (approuter)'),
  prop('HTML5.Timeout', 'Timeout in ms (approuter)', 'integer', { min: 0 }),
  bool('HTML5.PreserveHostHeader', 'Preserve Host header (approuter)'),
  bool('HTML5.DynamicDestination', 'Dynamic destination (approuter)', 'Allows the approuter to address this destination dynamically.'),
  bool('HTML5.SetXForwardedHeaders', 'Set X-Forwarded headers (approuter)'),
  prop('HTML5.IASDependencyName', 'IAS dependency name (approuter)'),
  bool('WebIDEEnabled', 'Use in Business Application Studio'),
  prop('WebIDEUsage', 'WebIDE usage', 'text', { description: 'Comma-separated, e.g. "odata_gen,odata_abap".' }),
  prop('WebIDESystem', 'WebIDE system'),
  prop('x_user_token.jwks', 'User token JWKS', 'text', { description: 'Base64 JSON Web Key Set validating a non-XSUAA X-User-Token.' }),
  prop('x_user_token.jwks_uri', 'User token JWKS URI', 'url'),
  prop('x_user_token.header.typ', 'User token "typ"', 'text', { description: 'Expected JWT header "typ" of the X-User-Token. Default: JWT.' }),
];

/** The optional set "O" every OAuth flow accepts (spec §4.2), besides the URL.* families. */
export const OAUTH_PROPERTIES: readonly PropertySpec[] = [
  prop('clientId', 'Client ID'),
  prop('clientSecret', 'Client secret'),
  prop('tokenServiceURL', 'Token service URL', 'url', { description: 'Absolute URL of the OAuth token endpoint.' }),
  oneOf(
    'tokenServiceURLType',
    'Token service URL type',
    ['Dedicated', 'Common'],
    "Common: {tenant} in the URL (or a subdomain prefix) is replaced by the caller's subdomain.",
  ),
  oneOf('tokenServiceURL.ProxyType', 'Token service proxy type', ['Internet', 'OnPremise', 'PrivateLink'], 'Proxy type for the token service only.'),
  prop('tokenServiceUser', 'Token service user', 'text', { description: 'Basic-auth user at the token service, if it needs one.' }),
  prop('tokenServicePassword', 'Token service password'),
  prop('tokenService.KeyStoreLocation', 'Token service key store', 'text', { description: 'Client certificate for mTLS to the token service.' }),
  prop('tokenService.KeyStorePassword', 'Token service key store password'),
  prop('scope', 'Scope', 'text', { description: 'Space-separated OAuth scopes.' }),
  bool('tokenService.addClientCredentialsInBody', 'Client credentials in body', 'false: send them as Basic auth instead. Default: true.'),
  prop('tokenServiceURL.ConnectionTimeoutInSeconds', 'Token service connect timeout (s)', 'integer', { min: 0, max: 60 }),
  prop('tokenServiceURL.SocketReadTimeoutInSeconds', 'Token service read timeout (s)', 'integer', { min: 0, max: 600 }),
  oneOf('clientAssertion.type', 'Client assertion type', [
    'urn:ietf:params:oauth:client-assertion-type:saml2-bearer',
    'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
  ]),
  prop('clientAssertion.destinationName', 'Client assertion destination', 'text', { description: 'Destination that provides client assertions.' }),
];

const samlShared: readonly PropertySpec[] = [
  prop('audience', 'Audience', 'text', { description: 'Intended audience of the SAML assertion.' }),
  prop('authnContextClassRef', 'AuthnContextClassRef'),
  prop('clientKey', 'Client key', 'text', { description: 'Identifies the consumer at the authorization server.' }),
  prop('nameQualifier', 'Name qualifier'),
  prop('assertionIssuer', 'Assertion issuer'),
  prop('assertionRecipient', 'Assertion recipient', 'text', { description: 'Default: the token service URL.' }),
  prop('nameIdFormat', 'NameID format'),
  prop('userIdSource', 'User ID source', 'text', { description: 'User attribute used as NameID.' }),
  prop('companyId', 'Company ID'),
  prop('samlAssertionEncoding', 'SAML assertion encoding'),
];

export const SAML_PROPERTIES: readonly PropertySpec[] = [
  ...samlShared,
  oneOf(
    'SAMLAssertionProvider',
    'SAML assertion provider',
    ['DestinationServiceGenerated', 'ClientProvided'],
    'ClientProvided: the caller supplies the assertion. Default: DestinationServiceGenerated.',
  ),
  prop('SystemUser', 'System user', 'text', {
    deprecated: 'SystemUser is deprecated (SAP removes it by end of September 2026); use OAuth2ClientCredentials or named users instead',
  }),
  bool('skipUserAttributesPrefixInSAMLAttributes', 'Skip user-attributes prefix'),
  bool('includeSigningCertificateInSAMLAssertion', 'Include signing certificate'),
  bool('skipUserUuidInSAMLAttributes', 'Skip user UUID attribute'),
];

const ssoNote = 'SAPAssertionSSO is deprecated and absent from current SAP docs; names from SAP Cloud SDK for Java tests';
export const SAP_ASSERTION_SSO_PROPERTIES: readonly PropertySpec[] = [
  prop('IssuerSID', 'Issuer system ID', 'text', { unverified: ssoNote }),
  prop('IssuerClient', 'Issuer client', 'text', { unverified: ssoNote }),
  prop('RecipientSID', 'Recipient system ID', 'text', { unverified: ssoNote }),
  prop('RecipientClient', 'Recipient client', 'text', { unverified: ssoNote }),
  prop('Certificate', 'Certificate', 'text', { unverified: ssoNote }),
  prop('SigningKey', 'Signing key', 'text', { unverified: ssoNote }),
];

export const PROPERTY_FAMILIES: readonly PropertyFamilySpec[] = [
  { prefix: 'URL.headers.', label: 'Header', member: 'header', description: 'Header added to every request to the target.' },
  { prefix: 'URL.queries.', label: 'Query parameter', member: 'query', description: 'Query parameter added to every request to the target.' },
  { prefix: 'tokenServiceURL.headers.', label: 'Token service header', member: 'header', description: 'Header sent to the token service.' },
  { prefix: 'tokenServiceURL.queries.', label: 'Token service query parameter', member: 'query', description: 'Query parameter sent to the token service.' },
  { prefix: 'tokenService.body.', label: 'Token request parameter', member: 'body', description: 'Extra form parameter of the token request.' },
];
