import type { ValidationIssue } from '../../src/core/errors';
import type { AuthenticationType, DestinationProperties, DestinationType } from '../../src/core/destinations/model';

/** A value that must never show up in an issue. */
export const CANARY = 'CANARY-7f3a91';

const http = (authentication: AuthenticationType, extra: DestinationProperties = {}): DestinationProperties => ({
  Name: 'backend',
  Type: 'HTTP',
  URL: 'https://api.example.com/odata',
  ProxyType: 'Internet',
  Authentication: authentication,
  ...extra,
});

const oauth = { clientId: 'sb-client', clientSecret: 's3cret', tokenServiceURL: 'https://tenant.authentication.eu10.hana.ondemand.com/oauth/token' };

/** One valid HTTP destination per authentication type. */
export const VALID_BY_AUTHENTICATION: Record<AuthenticationType, DestinationProperties> = {
  NoAuthentication: http('NoAuthentication'),
  BasicAuthentication: http('BasicAuthentication', { User: 'alice', Password: 'pw' }),
  ClientCertificateAuthentication: http('ClientCertificateAuthentication', { KeyStoreLocation: 'client.p12', KeyStorePassword: 'pw' }),
  PrincipalPropagation: http('PrincipalPropagation', { URL: 'http://s4.virtual:44300', ProxyType: 'OnPremise', CloudConnectorLocationId: 'loc1' }),
  OAuth2ClientCredentials: http('OAuth2ClientCredentials', { ...oauth, tokenServiceURLType: 'Dedicated' }),
  OAuth2Password: http('OAuth2Password', { ...oauth, User: 'alice', Password: 'pw' }),
  OAuth2UserTokenExchange: http('OAuth2UserTokenExchange', oauth),
  OAuth2JWTBearer: http('OAuth2JWTBearer', oauth),
  OAuth2SAMLBearerAssertion: http('OAuth2SAMLBearerAssertion', {
    audience: 'https://sf.example.com',
    clientKey: 'key',
    tokenServiceURL: oauth.tokenServiceURL,
    authnContextClassRef: 'urn:oasis:names:tc:SAML:2.0:ac:classes:PreviousSession',
    tokenServiceUser: 'u',
    tokenServicePassword: 'p',
  }),
  SAMLAssertion: http('SAMLAssertion', { audience: 'https://app.example.com', authnContextClassRef: 'urn:oasis:names:tc:SAML:2.0:ac:classes:X509' }),
  OAuth2RefreshToken: http('OAuth2RefreshToken', oauth),
  OAuth2AuthorizationCode: http('OAuth2AuthorizationCode', oauth),
  OAuth2TechnicalUserPropagation: http('OAuth2TechnicalUserPropagation', oauth),
  OAuth2TokenExchange: http('OAuth2TokenExchange', oauth),
  SAPAssertionSSO: http('SAPAssertionSSO', { IssuerSID: 'ISS', IssuerClient: '001', RecipientSID: 'REC', RecipientClient: '100', Certificate: 'MIIB' }),
};

export const RFC_DIRECT: DestinationProperties = {
  Name: 'erp',
  Type: 'RFC',
  'jco.destination.proxy_type': 'OnPremise',
  'jco.client.ashost': 'erp.virtual',
  'jco.client.sysnr': '00',
  'jco.client.client': '100',
  'jco.client.lang': 'EN',
  'jco.client.user': 'RFCUSER',
  'jco.client.passwd': 'pw',
  'jco.client.cloud_connector_location_id': 'loc1',
  'jco.destination.pool_capacity': '5',
};
export const RFC_LOAD_BALANCING: DestinationProperties = {
  Name: 'erp_lb',
  Type: 'RFC',
  'jco.destination.proxy_type': 'OnPremise',
  'jco.client.mshost': 'ms.virtual',
  'jco.client.r3name': 'ERP',
  'jco.client.group': 'PUBLIC',
  'jco.client.client': '100',
  'jco.client.user': 'RFCUSER',
  'jco.client.passwd': 'pw',
};
export const RFC_WEBSOCKET: DestinationProperties = {
  Name: 'erp_ws',
  Type: 'RFC',
  'jco.destination.proxy_type': 'Internet',
  'jco.client.wshost': 'abap.example.com',
  'jco.client.wsport': '443',
  'jco.client.alias_user': 'A_LONGER_ALIAS_USER_NAME',
  'jco.client.passwd': 'pw',
};

/** One valid destination per type. */
export const VALID_BY_TYPE: Record<DestinationType, DestinationProperties> = {
  HTTP: VALID_BY_AUTHENTICATION.BasicAuthentication,
  RFC: RFC_DIRECT,
  MAIL: {
    Name: 'smtp',
    Type: 'MAIL',
    ProxyType: 'OnPremise',
    Authentication: 'BasicAuthentication',
    'mail.smtp.host': 'smtp.virtual',
    'mail.smtp.port': '25',
    'mail.smtp.auth': 'true',
    'mail.user': 'mailer',
    'mail.password': 'pw',
    'mail.smtp.from': 'app@example.com',
    CloudConnectorLocationId: 'loc1',
  },
  LDAP: {
    Name: 'directory',
    Type: 'LDAP',
    'ldap.url': 'ldap://ldap.virtual:389',
    'ldap.proxyType': 'OnPremise',
    'ldap.authentication': 'BasicAuthentication',
    'ldap.user': 'cn=admin,dc=example,dc=org',
    'ldap.password': 'pw',
  },
  TCP: { Name: 'db', Type: 'TCP', Address: 'tcp://db.virtual:5432', ProxyType: 'OnPremise', Description: 'database' },
};

/** `dest` without `name`. */
export function without(dest: DestinationProperties, name: string): DestinationProperties {
  const copy = { ...dest };
  delete copy[name];
  return copy;
}

export const errorsOf = (issues: readonly ValidationIssue[]) => issues.filter((issue) => issue.severity !== 'warning');
export const warningsOf = (issues: readonly ValidationIssue[]) => issues.filter((issue) => issue.severity === 'warning');

/** Compact text of issues, for assertion messages. */
export const show = (issues: readonly ValidationIssue[]) =>
  issues.map((issue) => `[${issue.severity}] ${issue.field} ${issue.problem}: ${issue.message}`).join('\n') || '(no issues)';
