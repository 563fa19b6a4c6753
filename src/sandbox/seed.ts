import type { KeyPairPem } from './pki';
import { encodePkcs12 } from './pki/pkcs12';
import type { DestinationStore, Scope, StoreOperation } from './destination/store';
import { DESTINATION_INSTANCE_ID, DESTINATION_X509_INSTANCE_ID, PROVIDER_TENANT_ID, SUBSCRIBER_TENANT_ID, type World } from './base/world';
import { ONPREM_MAIL_ACCOUNT } from './onPremise/accounts';

/** Where the seeded destinations point: sandbox services by their loopback origins. */
export interface SeedOrigins {
  /** Token service, plain HTTP, as `http://localhost:<port>` so Common URLs can take a tenant subdomain. */
  readonly tokenService: string;
  /** The sample Internet API (echo). */
  readonly internetApi: string;
  /** The sample API's mTLS variant (`https://localhost:<port>`), behind the client-certificate destinations. */
  readonly mtlsApi: string;
  readonly caPem: string;
  /** The client certificate the client-certificate destinations present, stored as .p12 and as .pem. */
  readonly backendClientCertificate: KeyPairPem;
}

/** The demo keystores' password (a seed value by design, like the other demo credentials here). */
const keystorePassword = 'keystore-password-1';

type Props = Record<string, string>;

/**
 * Seed data: one subaccount with destinations of every type and authentication type at both levels, a fragment,
 * certificates, and a subscriber subaccount with a few of its own. Descriptions say what each one shows.
 */
export function seedOperations(world: World, origins: SeedOrigins): StoreOperation[] {
  const provider: Scope = { tenantId: PROVIDER_TENANT_ID };
  const providerInstance: Scope = { tenantId: PROVIDER_TENANT_ID, instanceId: DESTINATION_INSTANCE_ID };
  const x509Instance: Scope = { tenantId: PROVIDER_TENANT_ID, instanceId: DESTINATION_X509_INSTANCE_ID };
  const subscriber: Scope = { tenantId: SUBSCRIBER_TENANT_ID };
  const backend = world.clientOfKind('backend');
  const alice = world.user(PROVIDER_TENANT_ID, 'alice');
  const api = origins.internetApi;
  const tokenUrl = `${origins.tokenService}/oauth/token`;
  const oauth = (extra: Props): Props => ({
    clientId: backend.clientId,
    clientSecret: backend.secret ?? '',
    tokenServiceURL: tokenUrl,
    tokenServiceURLType: 'Dedicated',
    ...extra,
  });
  const app = world.clientOfKind('application');
  const appOAuth: Props = { clientId: app.clientId, clientSecret: app.secret ?? '', tokenServiceURL: tokenUrl, tokenServiceURLType: 'Dedicated' };
  const http = (name: string, description: string, authentication: string, extra: Props = {}, path = ''): Props => ({
    Name: name,
    Type: 'HTTP',
    URL: `${api}/${name}${path}`,
    ProxyType: 'Internet',
    Authentication: authentication,
    Description: description,
    ...extra,
  });
  const onPremise = (name: string, description: string, authentication: string, extra: Props = {}): Props => ({
    Name: name,
    Type: 'HTTP',
    URL: 'http://erp.virtual:8000',
    ProxyType: 'OnPremise',
    Authentication: authentication,
    Description: description,
    'sap-client': '100',
    ...extra,
  });

  const subaccountDestinations: Props[] = [
    http('internet-noauth', 'Public API, no authentication', 'NoAuthentication', { 'URL.headers.X-Api-Version': '2', 'URL.queries.format': 'json' }),
    http('internet-basic', 'Basic authentication', 'BasicAuthentication', { User: 'demo', Password: 'demo-password-1' }),
    http('internet-oauth-cc', 'OAuth client credentials (Dedicated token URL)', 'OAuth2ClientCredentials', oauth({ scope: 'sandbox-backend!t102.Read' })),
    http(
      'internet-oauth-cc-common',
      'OAuth client credentials with a Common token URL ({tenant})',
      'OAuth2ClientCredentials',
      oauth({ tokenServiceURL: tokenUrl.replace('//localhost', '//{tenant}.localhost'), tokenServiceURLType: 'Common' }),
    ),
    http('internet-oauth-password', 'OAuth password grant as alice', 'OAuth2Password', oauth({ User: 'alice', Password: alice?.password ?? '' })),
    http('internet-user-exchange', 'OAuth user token exchange (needs a user)', 'OAuth2UserTokenExchange', oauth({})),
    http('internet-jwt-bearer', 'OAuth JWT bearer (needs a user)', 'OAuth2JWTBearer', oauth({})),
    http('internet-refresh-token', 'OAuth refresh token (send X-refresh-token)', 'OAuth2RefreshToken', oauth({})),
    http('internet-authorization-code', 'OAuth authorization code (send X-code)', 'OAuth2AuthorizationCode', oauth({})),
    http('internet-token-exchange', 'OAuth 2.0 token exchange (send X-subject-token)', 'OAuth2TokenExchange', oauth({})),
    // The app's own xsuaa client: a forward's signed-in user (btp-connect login) has a refresh token and codes for it.
    http('user-refresh-token', "OAuth refresh token of the signed-in user (the sign-in key's client)", 'OAuth2RefreshToken', appOAuth),
    http('user-authorization-code', "OAuth authorization code of the signed-in user (the sign-in key's client)", 'OAuth2AuthorizationCode', appOAuth),
    http('internet-technical-user', 'OAuth technical user propagation', 'OAuth2TechnicalUserPropagation', oauth({})),
    http('internet-saml-assertion', 'SAML assertion for the user', 'SAMLAssertion', {
      audience: 'https://sandbox-backend.example',
      authnContextClassRef: 'urn:oasis:names:tc:SAML:2.0:ac:classes:PreviousSession',
    }),
    http('internet-saml-bearer', 'OAuth SAML bearer assertion', 'OAuth2SAMLBearerAssertion', {
      audience: 'https://sandbox-backend.example',
      clientKey: backend.clientId,
      tokenServiceURL: tokenUrl,
      tokenServiceUser: backend.clientId,
      tokenServicePassword: backend.secret ?? '',
      authnContextClassRef: 'urn:oasis:names:tc:SAML:2.0:ac:classes:PreviousSession',
    }),
    // A real subaccount holds both keystore formats; SAP's approuter takes only .p12, other clients also .pem.
    {
      ...http('internet-client-certificate', 'Client certificate from a PKCS#12 keystore (mTLS API)', 'ClientCertificateAuthentication', {
        KeyStoreLocation: 'backend-client.p12',
        KeyStorePassword: keystorePassword,
        TrustStoreLocation: 'truststore.pem',
      }),
      URL: `${origins.mtlsApi}/internet-client-certificate`,
    },
    {
      ...http(
        'internet-client-certificate-pem',
        'Client certificate from a PEM keystore (mTLS API; not for the approuter)',
        'ClientCertificateAuthentication',
        { KeyStoreLocation: 'backend-client.pem', TrustStoreLocation: 'truststore.pem' },
      ),
      URL: `${origins.mtlsApi}/internet-client-certificate-pem`,
    },
    http('internet-truststore', 'Custom trust store (the sandbox CA)', 'NoAuthentication', { TrustStoreLocation: 'truststore.pem' }),
    http('shared-name', 'Subaccount copy: the instance-level one wins in find-destination', 'NoAuthentication', { Level: 'subaccount' }),
    onPremise('onprem-erp-basic', 'On-premise ERP through the Cloud Connector, Basic', 'BasicAuthentication', { User: 'ERPUSER', Password: 'erp-password-1' }),
    onPremise('onprem-erp-principal', 'On-premise ERP with principal propagation', 'PrincipalPropagation'),
    onPremise('onprem-erp-loc2', 'On-premise ERP via the Cloud Connector with location ID loc2', 'NoAuthentication', { CloudConnectorLocationId: 'loc2' }),
    { Name: 'onprem-tcp-db', Type: 'TCP', Address: 'tcp://db.virtual:5432', ProxyType: 'OnPremise', Description: 'On-premise TCP service through SOCKS5' },
    {
      Name: 'onprem-ldap',
      Type: 'LDAP',
      'ldap.url': 'ldap://ldap.virtual:389',
      'ldap.proxyType': 'OnPremise',
      'ldap.authentication': 'BasicAuthentication',
      'ldap.user': 'cn=reader,dc=example,dc=com',
      'ldap.password': 'ldap-password-1',
      'ldap.description': 'On-premise directory',
    },
    {
      Name: 'onprem-mail',
      Type: 'MAIL',
      ProxyType: 'OnPremise',
      Authentication: 'BasicAuthentication',
      'mail.smtp.host': 'smtp.virtual',
      'mail.smtp.port': '25',
      'mail.user': ONPREM_MAIL_ACCOUNT.user,
      'mail.password': ONPREM_MAIL_ACCOUNT.password,
      'mail.smtp.from': 'noreply@example.com',
      'mail.from': 'noreply@example.com',
      'mail.transport.protocol': 'smtp',
      Description: 'On-premise SMTP server (SDK mail client)',
    },
    {
      Name: 'onprem-rfc',
      Type: 'RFC',
      'jco.destination.proxy_type': 'OnPremise',
      'jco.client.ashost': 'erp.virtual',
      'jco.client.sysnr': '00',
      'jco.client.client': '100',
      'jco.client.user': 'RFCUSER',
      'jco.client.passwd': 'rfc-password-1',
      'jco.client.lang': 'EN',
      'jco.destination.description': 'On-premise ABAP system over RFC',
    },
  ];
  const instanceDestinations: Props[] = [
    http('instance-api', 'Instance-level destination', 'NoAuthentication'),
    http('shared-name', 'Instance copy: wins over the subaccount copy', 'NoAuthentication', { Level: 'instance' }),
  ];
  const subscriberDestinations: Props[] = [
    http('subscriber-api', 'Subscriber subaccount API, Basic', 'BasicAuthentication', { User: 'subscriber-user', Password: 'subscriber-password-1' }),
    http('shared-name', 'Subscriber copy', 'NoAuthentication', { Level: 'subscriber' }),
  ];
  const client = origins.backendClientCertificate;
  const certificates = [
    { Name: 'truststore.pem', Type: 'CERTIFICATE', Content: Buffer.from(origins.caPem).toString('base64') },
    { Name: 'backend-client.pem', Type: 'CERTIFICATE', Content: Buffer.from(`${client.certPem}${client.keyPem}`).toString('base64') },
    {
      Name: 'backend-client.p12',
      Type: 'CERTIFICATE',
      Content: encodePkcs12({
        certPem: `${client.certPem}${origins.caPem}`,
        keyPem: client.keyPem,
        password: keystorePassword,
        friendlyName: 'sandbox-backend-client',
      }).toString('base64'),
    },
  ];
  const fragment = { FragmentName: 'slow-backend', 'HTML5.Timeout': '60000', 'URL.headers.X-Fragment': 'slow-backend' };
  // Merged into any HTTP destination, it points it elsewhere and swaps its credentials (forward my-api+oauth-override).
  const overriding = {
    FragmentName: 'oauth-override',
    URL: `${api}/oauth-override`,
    ...oauth({ scope: 'sandbox-backend!t102.Read' }),
    Authentication: 'OAuth2ClientCredentials',
    Description: 'Fragment: another URL and OAuth client credentials for any HTTP destination',
  };

  const create = (scope: Scope, collection: 'destinations' | 'certificates' | 'fragments', value: Props): StoreOperation => ({
    kind: 'create',
    scope,
    collection,
    name: value.Name ?? value.FragmentName ?? '',
    value,
  });
  return [
    ...subaccountDestinations.map((value) => create(provider, 'destinations', value)),
    ...instanceDestinations.map((value) => create(providerInstance, 'destinations', value)),
    create(x509Instance, 'destinations', http('x509-instance-api', 'Seen through the X.509 service key', 'NoAuthentication')),
    ...subscriberDestinations.map((value) => create(subscriber, 'destinations', value)),
    ...certificates.map((value) => create(provider, 'certificates', value)),
    create(provider, 'fragments', fragment),
    create(provider, 'fragments', overriding),
    create(providerInstance, 'fragments', { ...fragment, 'URL.headers.X-Fragment': 'instance' }),
  ];
}

export async function seedStore(store: DestinationStore, world: World, origins: SeedOrigins): Promise<void> {
  await store.apply(seedOperations(world, origins));
}
