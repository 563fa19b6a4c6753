/**
 * Service keys shaped like real ones (spec §1.2–1.4). Secrets are canaries: tests assert that no error
 * message ever contains them.
 */

export const CANARY_SECRET = 'CANARY-clientsecret-7f3a9c$Zq0';
export const CANARY_KEY_BODY = 'CANARYKEYBODYMIIEvQIBADANBgkqhkiG9w0BAQEFAASC';
export const CANARY_CERT_BODY = 'CANARYCERTBODYMIIDdzCCAl+gAwIBAgIUV2r8';

export const CERT_PEM = `-----BEGIN CERTIFICATE-----\n${CANARY_CERT_BODY}\nAbCdEf0123456789==\n-----END CERTIFICATE-----\n`;
export const KEY_PEM = `-----BEGIN RSA PRIVATE KEY-----\n${CANARY_KEY_BODY}\nXyZ0123456789==\n-----END RSA PRIVATE KEY-----\n`;

export const VERIFICATION_KEY = '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAx\n-----END PUBLIC KEY-----';

const uaa = {
  url: 'https://provider-sub.authentication.eu10.hana.ondemand.com',
  uaadomain: 'authentication.eu10.hana.ondemand.com',
  identityzone: 'provider-sub',
  tenantid: '6b0a7d6c-1f2e-4c3b-9a8d-0e1f2a3b4c5d',
  tenantmode: 'dedicated',
  verificationkey: VERIFICATION_KEY,
};

export function destinationKey(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    clientid: 'sb-clone6f2c1a!b20936|destination-xsappname!b62',
    clientsecret: CANARY_SECRET,
    ...uaa,
    uri: 'https://destination-configuration.cfapps.eu10.hana.ondemand.com',
    xsappname: 'clone6f2c1a!b20936|destination-xsappname!b62',
    instanceid: '2d0b3c4e-5f60-4718-8293-a4b5c6d7e8f9',
    'credential-type': 'binding-secret',
    ...overrides,
  };
}

/** Spec §1.3: all ports are strings, both port names and both URL names present. */
export function connectivityKey(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    clientid: 'sb-clone9e8d7c!b16994|connectivity!b137',
    clientsecret: CANARY_SECRET,
    ...uaa,
    token_service_url: uaa.url,
    token_service_domain: uaa.uaadomain,
    xsappname: 'clone9e8d7c!b16994|connectivity!b137',
    'credential-type': 'binding-secret',
    'token-type': ['xsuaa', 'ias'],
    onpremise_proxy_host: 'connectivityproxy.internal.cf.eu10.hana.ondemand.com',
    onpremise_proxy_http_port: '20003',
    onpremise_proxy_port: '20003',
    onpremise_proxy_rfc_port: '20001',
    onpremise_proxy_ldap_port: '20001',
    onpremise_socks5_proxy_port: '20004',
    ...overrides,
  };
}

export function xsuaaKey(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    clientid: 'sb-my-app!t12345',
    clientsecret: CANARY_SECRET,
    ...uaa,
    xsappname: 'my-app!t12345',
    identityzoneid: uaa.tenantid,
    subaccountid: uaa.tenantid,
    zoneid: uaa.tenantid,
    sburl: 'https://internal-xsuaa.authentication.eu10.hana.ondemand.com',
    apiurl: 'https://api.authentication.eu10.hana.ondemand.com',
    'credential-type': 'binding-secret',
    ...overrides,
  };
}

/** The X.509 variant of a key: no clientsecret, certificate + key + certurl. */
export function x509(key: Record<string, unknown>, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const { clientsecret: _secret, ...rest } = key;
  return {
    ...rest,
    'credential-type': 'x509',
    certificate: CERT_PEM,
    key: KEY_PEM,
    certurl: 'https://provider-sub.authentication.cert.eu10.hana.ondemand.com',
    ...overrides,
  };
}

/** Copy of `record` without `names`. */
export function without(record: Record<string, unknown>, ...names: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([name]) => !names.includes(name)));
}

/** Runs `fn`, asserting it throws; returns the error. */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error, none was thrown');
}

export async function rejected(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection, the promise resolved');
}

export function vcapEntry(label: string, name: string, credentials: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    label,
    provider: null,
    plan: 'lite',
    name,
    tags: [label],
    instance_guid: '11111111-2222-3333-4444-555555555555',
    instance_name: `${name}-instance`,
    binding_guid: '66666666-7777-8888-9999-000000000000',
    binding_name: null,
    credentials,
    syslog_drain_url: null,
    volume_mounts: [],
    ...extra,
  };
}

export interface ExpectedIssue {
  readonly code?: string;
  readonly field: string;
  readonly problem?: string;
  readonly fragment: string | RegExp;
}
