/**
 * One entry per destination `Type`: which property carries the proxy type, location id, authentication and
 * description (RFC and LDAP use prefixed names on the wire), what is required and what may be set.
 * Sources: the SAP-docs/btp-connectivity pages listed in protocol-properties.ts; guesses carry `unverified`.
 */
import { AUTHENTICATION_TYPES, type AuthenticationType, type DestinationType, type ProxyType } from './model';

export interface DestinationTypeSpec {
  readonly type: DestinationType;
  readonly label: string;
  readonly description: string;
  readonly proxyTypeProperty: string;
  readonly proxyTypes: readonly ProxyType[];
  /** Used when the proxy type property is absent; undefined = unknown (no proxy-dependent checks). */
  readonly defaultProxyType?: ProxyType;
  readonly locationIdProperty: string;
  /** Property naming the authentication type; null when the type has none of the §4.2 kind. */
  readonly authenticationProperty: string | null;
  /** `Authentication` values clients support for this type; other known values get a warning. */
  readonly authentications: readonly AuthenticationType[];
  readonly descriptionProperty: string;
  /** Must be set, besides Name and Type. */
  readonly required: readonly string[];
  /** At least one name of each group must be set. */
  readonly requiredOneOf: readonly (readonly string[])[];
  readonly optional: readonly string[];
  readonly optionalFamilies: readonly string[];
  /** Names people use by habit that this type spells differently: wrong name → right name (warning). */
  readonly misplaced: Readonly<Record<string, string>>;
  readonly unverified?: string;
}

/** RFC target modes (target-system-configuration-ab6eac9). The first mode whose `selector` is set applies. */
export interface RfcConnectionMode {
  readonly id: 'direct' | 'loadBalancing' | 'webSocket';
  readonly label: string;
  readonly selector: string;
  readonly required: readonly string[];
  readonly requiredOneOf: readonly (readonly string[])[];
  readonly optional: readonly string[];
  readonly proxyTypes: readonly ProxyType[];
  /** Whether `jco.client.client` is required in this mode. */
  readonly needsClient: boolean;
}

export const RFC_CONNECTION_MODES: readonly RfcConnectionMode[] = [
  {
    id: 'direct',
    label: 'Application server',
    selector: 'jco.client.ashost',
    required: ['jco.client.ashost', 'jco.client.sysnr'],
    requiredOneOf: [],
    optional: [],
    proxyTypes: ['OnPremise', 'Local'], // Local (Edge Integration Cell) allowed here: unverified
    needsClient: true,
  },
  {
    id: 'loadBalancing',
    label: 'Message server (load balancing)',
    selector: 'jco.client.mshost',
    required: ['jco.client.mshost'],
    requiredOneOf: [['jco.client.r3name', 'jco.client.msserv']],
    optional: ['jco.client.group'],
    proxyTypes: ['OnPremise', 'Local'], // Local: unverified
    needsClient: true,
  },
  {
    id: 'webSocket',
    label: 'WebSocket RFC',
    selector: 'jco.client.wshost',
    required: ['jco.client.wshost', 'jco.client.wsport'],
    requiredOneOf: [],
    optional: ['jco.client.tls_trust_all', 'TrustStoreLocation', 'TrustStorePassword', 'jco.destination.ws_ping_period', 'jco.destination.ws_pong_timeout'],
    proxyTypes: ['Internet'],
    needsClient: false,
  },
];

const HTTP_OPTIONAL = [
  'Description',
  'ProxyType',
  'CloudConnectorLocationId',
  'sap-client',
  'sap-language',
  'TrustAll',
  'TrustStoreLocation',
  'TrustStorePassword',
  'HTML5.ForwardAuthToken',
  'forwardAuthToken',
  'HTML5.ForwardAuthCertificates',
  'HTML5.Timeout',
  'HTML5.PreserveHostHeader',
  'HTML5.DynamicDestination',
  'HTML5.SetXForwardedHeaders',
  'HTML5.IASDependencyName',
  'WebIDEEnabled',
  'WebIDEUsage',
  'WebIDESystem',
];

export const DESTINATION_TYPE_SPECS: Readonly<Record<DestinationType, DestinationTypeSpec>> = {
  HTTP: {
    type: 'HTTP',
    label: 'HTTP',
    description: 'HTTP(S) services on the Internet, on premise (Cloud Connector) or over Private Link.',
    proxyTypeProperty: 'ProxyType',
    proxyTypes: ['Internet', 'OnPremise', 'PrivateLink'],
    defaultProxyType: 'Internet',
    locationIdProperty: 'CloudConnectorLocationId',
    authenticationProperty: 'Authentication',
    authentications: AUTHENTICATION_TYPES,
    descriptionProperty: 'Description',
    required: ['URL', 'Authentication'],
    requiredOneOf: [],
    optional: HTTP_OPTIONAL,
    optionalFamilies: ['URL.headers.', 'URL.queries.'],
    misplaced: {},
  },
  RFC: {
    type: 'RFC',
    label: 'RFC',
    description: 'Remote Function Calls to ABAP systems through SAP JCo.',
    proxyTypeProperty: 'jco.destination.proxy_type',
    proxyTypes: ['Internet', 'OnPremise', 'Local'],
    locationIdProperty: 'jco.client.cloud_connector_location_id',
    authenticationProperty: null,
    authentications: [],
    descriptionProperty: 'jco.destination.description',
    // The target (see RFC_CONNECTION_MODES), jco.client.client and the credentials depend on mode and auth type.
    required: [],
    requiredOneOf: [],
    optional: [
      'jco.destination.description',
      'jco.destination.proxy_type',
      'jco.client.cloud_connector_location_id',
      'jco.client.client',
      'jco.client.lang',
      'jco.client.user',
      'jco.client.alias_user',
      'jco.client.passwd',
      'jco.client.tls_client_certificate_logon',
      'jco.destination.auth_type',
      'jco.destination.repository.user',
      'jco.destination.repository.passwd',
      'jco.client.tech_user_id',
      'jco.client.tech_user_secret',
      'jco.client.tech_user_service_url',
      'jco.destination.pool_capacity',
      'jco.destination.peak_limit',
    ],
    optionalFamilies: [],
    misplaced: {
      ProxyType: 'jco.destination.proxy_type',
      CloudConnectorLocationId: 'jco.client.cloud_connector_location_id',
      User: 'jco.client.user',
      Password: 'jco.client.passwd',
      Description: 'jco.destination.description',
    },
    unverified: "whether jco.destination.proxy_type is mandatory (SAP's own example omits it)",
  },
  MAIL: {
    type: 'MAIL',
    label: 'MAIL',
    description: 'SMTP, IMAP or POP3 mail servers.',
    proxyTypeProperty: 'ProxyType',
    proxyTypes: ['Internet', 'OnPremise', 'PrivateLink'],
    defaultProxyType: 'Internet',
    locationIdProperty: 'CloudConnectorLocationId',
    authenticationProperty: 'Authentication',
    authentications: ['NoAuthentication', 'BasicAuthentication'],
    descriptionProperty: 'mail.description',
    required: ['Authentication'],
    requiredOneOf: [['mail.smtp.host', 'mail.imap4.host', 'mail.pop3.host', 'mail.imap.host']],
    optional: [
      'ProxyType',
      'CloudConnectorLocationId',
      'mail.user',
      'mail.password',
      'mail.transport.protocol',
      'mail.smtp.port',
      'mail.smtp.auth',
      'mail.smtp.from',
      'mail.smtp.starttls.enable',
      'mail.imap4.port',
      'mail.imap4.auth',
      'mail.imap4.from',
      'mail.pop3.port',
      'mail.pop3.auth',
      'mail.pop3.from',
      'mail.from',
      'mail.description',
    ],
    optionalFamilies: [],
    misplaced: { User: 'mail.user', Password: 'mail.password' },
    unverified: 'BasicAuthentication ⇒ mail.user/mail.password is inferred; CloudConnectorLocationId on MAIL is from spec §4.1',
  },
  LDAP: {
    type: 'LDAP',
    label: 'LDAP',
    description: 'LDAP directory servers.',
    proxyTypeProperty: 'ldap.proxyType',
    proxyTypes: ['Internet', 'OnPremise', 'PrivateLink'],
    locationIdProperty: 'CloudConnectorLocationId',
    authenticationProperty: 'ldap.authentication',
    authentications: ['NoAuthentication', 'BasicAuthentication'],
    descriptionProperty: 'ldap.description',
    required: ['ldap.url', 'ldap.proxyType', 'ldap.authentication'],
    requiredOneOf: [],
    optional: ['ldap.user', 'ldap.password', 'ldap.description', 'CloudConnectorLocationId'],
    optionalFamilies: [],
    misplaced: {
      URL: 'ldap.url',
      ProxyType: 'ldap.proxyType',
      Authentication: 'ldap.authentication',
      User: 'ldap.user',
      Password: 'ldap.password',
      Description: 'ldap.description',
    },
    unverified: 'the wire name of the LDAP location id (CloudConnectorLocationId assumed)',
  },
  TCP: {
    type: 'TCP',
    label: 'TCP',
    description: 'Plain TCP (SOCKS5 through the connectivity proxy for OnPremise).',
    proxyTypeProperty: 'ProxyType',
    proxyTypes: ['Internet', 'OnPremise'],
    locationIdProperty: 'CloudConnectorLocationId',
    authenticationProperty: null,
    authentications: [],
    descriptionProperty: 'Description',
    required: ['Address', 'ProxyType'],
    requiredOneOf: [],
    optional: ['Description', 'CloudConnectorLocationId'],
    optionalFamilies: [],
    misplaced: { URL: 'Address' },
    unverified: 'CloudConnectorLocationId on TCP is from spec §4.1',
  },
};
