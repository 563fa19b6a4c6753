/**
 * Catalogue of the properties of RFC, MAIL, LDAP and TCP destinations. Sources (SAP-docs/btp-connectivity):
 * rfc-destinations-238d027, main-properties-d24843d, user-logon-properties-8b1e1c3,
 * target-system-configuration-ab6eac9, smtp-5876583, imap-6037066, pop3-9710135, create-mail-destinations-6442cb4,
 * ldap-destinations-47128a8, ldap-destinations-8cb290f, tcp-destinations-558b39a. Guesses carry `unverified`.
 */
import { bool, oneOf, prop, type PropertySpec } from './propertySpec';

const digits = (count: number, example: string) => ({ regex: new RegExp(`^\\d{${count}}$`), hint: `${count} digits, e.g. "${example}"` });

export const RFC_PROPERTIES: readonly PropertySpec[] = [
  prop('jco.destination.description', 'Description'),
  oneOf(
    'jco.destination.proxy_type',
    'Proxy type',
    ['Internet', 'OnPremise', 'Local'],
    'OnPremise: through the Cloud Connector; Internet: WebSocket RFC; Local: Edge Integration Cell.',
  ),
  prop('jco.client.cloud_connector_location_id', 'Location ID', 'text', {
    description: 'Selects the Cloud Connector when several are connected to the subaccount (OnPremise only).',
  }),
  prop('jco.client.client', 'Client', 'text', { description: 'ABAP client.', pattern: digits(3, '000') }),
  prop('jco.client.lang', 'Logon language', 'text', {
    description: "Two-letter ISO code or one-character SAP code. Default: the user's or system's language.",
    pattern: { regex: /^[A-Za-z0-9]{1,2}$/, hint: 'a two-letter ISO or one-character SAP language code, e.g. "EN"' },
  }),
  prop('jco.client.user', 'User', 'text', { description: 'At most 12 characters.', pattern: { regex: /^.{1,12}$/, hint: 'at most 12 characters' } }),
  prop('jco.client.alias_user', 'Alias user', 'text', {
    description: 'Alternative to User, at most 40 characters.',
    pattern: { regex: /^.{1,40}$/, hint: 'at most 40 characters' },
  }),
  prop('jco.client.passwd', 'Password'),
  oneOf(
    'jco.client.tls_client_certificate_logon',
    'Certificate logon',
    ['0', '1'],
    "1: log on with the key store's client certificate instead of user and password (WebSocket RFC only).",
  ),
  oneOf(
    'jco.destination.auth_type',
    'Authentication',
    ['CONFIGURED_USER', 'PrincipalPropagation', 'TechnicalUserPropagation'],
    'Default: CONFIGURED_USER (user and password of this destination).',
    { lenientValues: true },
  ),
  prop('jco.destination.repository.user', 'Repository user', 'text', { description: 'User for metadata lookups.' }),
  prop('jco.destination.repository.passwd', 'Repository password'),
  prop('jco.client.tech_user_id', 'Technical user client ID', 'text', { description: 'For TechnicalUserPropagation.' }),
  prop('jco.client.tech_user_secret', 'Technical user client secret'),
  prop('jco.client.tech_user_service_url', 'Technical user token service URL', 'url'),
  prop('jco.client.ashost', 'Application server host', 'text', { description: 'Virtual host of the Cloud Connector access control entry.' }),
  prop('jco.client.sysnr', 'System number', 'text', { description: 'Two digits; the virtual port is sapgw<sysnr>.', pattern: digits(2, '00') }),
  prop('jco.client.mshost', 'Message server host', 'text', { description: 'Virtual host; selects load balancing.' }),
  prop('jco.client.r3name', 'System ID', 'text', {
    description: 'Three-character SID; the virtual port is sapms<SID>.',
    pattern: { regex: /^[A-Za-z0-9]{3}$/, hint: 'three letters or digits, e.g. "ABC"' },
  }),
  prop('jco.client.msserv', 'Message server port', 'text', { description: 'Alternative to the system ID.' }),
  prop('jco.client.group', 'Logon group', 'text', { description: 'Default: PUBLIC.' }),
  prop('jco.client.wshost', 'WebSocket host', 'text', { description: 'WebSocket RFC server exposed to the Internet.' }),
  prop('jco.client.wsport', 'WebSocket port', 'integer', { min: 1, max: 65535, strictRange: true }),
  oneOf('jco.client.tls_trust_all', 'Trust all certificates', ['0', '1'], 'WebSocket RFC; 1 for tests only.'),
  prop('jco.destination.ws_ping_period', 'WebSocket ping period (s)', 'integer', { min: 0, max: 86400 }),
  prop('jco.destination.ws_pong_timeout', 'WebSocket pong timeout (s)', 'integer', { min: 0, max: 3600 }),
  prop('jco.destination.pool_capacity', 'Pool capacity', 'integer', { min: 0 }),
  prop('jco.destination.peak_limit', 'Peak limit', 'integer', { min: 0 }),
  prop('jco.client.mysapsso2', 'SAP logon ticket', 'text', { unverified: 'standard JCo property; not listed by SAP BTP docs' }),
];

const mailProtocolProps = (proto: 'smtp' | 'imap4' | 'pop3', label: string): PropertySpec[] => [
  prop(`mail.${proto}.host`, `${label} host`, 'text', { description: `Address of the ${label} server (virtual host for OnPremise).` }),
  prop(`mail.${proto}.port`, `${label} port`, 'integer', { min: 1, max: 65535, strictRange: true }),
  bool(`mail.${proto}.auth`, `${label} authentication`, 'Whether the server needs authentication.'),
  prop(`mail.${proto}.from`, `${label} From address`),
];

export const MAIL_PROPERTIES: readonly PropertySpec[] = [
  ...mailProtocolProps('smtp', 'SMTP'),
  ...mailProtocolProps('imap4', 'IMAP'),
  ...mailProtocolProps('pop3', 'POP3'),
  prop('mail.imap.host', 'IMAP host (JavaMail name)', 'text', { unverified: 'JavaMail spelling; SAP docs write mail.imap4.host' }),
  prop('mail.user', 'User', 'text', { description: 'User at the mail server.' }),
  prop('mail.password', 'Password'),
  oneOf('mail.transport.protocol', 'Transport protocol', ['smtp', 'smtps', 'imap', 'imaps', 'pop3', 'pop3s'], undefined, {
    lenientValues: true,
    unverified: 'values are JavaMail\'s; SAP docs only say "transport protocol to be used"',
  }),
  bool('mail.smtp.starttls.enable', 'STARTTLS', 'Upgrade the SMTP connection with STARTTLS.', { unverified: 'JavaMail property; not in SAP docs' }),
  prop('mail.from', 'From address (SAP Cloud SDK)', 'text', { description: 'Default From address of @sap-cloud-sdk/mail-client.' }),
  prop('mail.description', 'Description'),
  prop('mail.smtp.provider.class', 'SMTP provider class'),
  prop('mail.smtp.provider.vendor', 'SMTP provider vendor'),
  prop('mail.smtp.provider.version', 'SMTP provider version'),
];

export const LDAP_PROPERTIES: readonly PropertySpec[] = [
  prop('ldap.url', 'URL', 'url', { description: 'ldap:// or ldaps:// address; for OnPremise the virtual host:port.' }),
  oneOf('ldap.proxyType', 'Proxy type', ['Internet', 'OnPremise', 'PrivateLink']),
  oneOf('ldap.authentication', 'Authentication', ['NoAuthentication', 'BasicAuthentication']),
  prop('ldap.user', 'User', 'text', { description: 'Bind user (simple bind).' }),
  prop('ldap.password', 'Password'),
  prop('ldap.description', 'Description'),
];

export const TCP_PROPERTIES: readonly PropertySpec[] = [
  prop('Address', 'Address', 'text', { description: 'host:port of the target (virtual host:port for OnPremise), optionally as tcp://host:port.' }),
];
