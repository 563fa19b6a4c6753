import type { SandboxIdentity } from './base/identity';
import type { ClientRecord } from './base/world';

/** The loopback addresses of a running sandbox, as written into its service keys. */
export interface SandboxEndpoints {
  /** `http://127.0.0.1:<port>`: the token service's plain-HTTP `url` (provider tenant, spec §2.3 case 3). */
  readonly tokenServiceUrl: string;
  /** `localhost:<https port>`: XSUAA `uaadomain`, reached over HTTPS with `x-zid` or a tenant subdomain. */
  readonly uaaDomain: string;
  /** `https://localhost:<mtls port>`: where X.509 clients fetch tokens. */
  readonly certUrl: string;
  readonly destinationServiceUrl: string;
  readonly connectivity: { readonly host: string; readonly httpPort: number; readonly socks5Port: number };
}

export interface SandboxServiceKeys {
  readonly destination: Record<string, unknown>;
  readonly destinationX509: Record<string, unknown>;
  readonly connectivity: Record<string, unknown>;
  readonly xsuaa: Record<string, unknown>;
}

/**
 * Service keys shaped like real ones (spec §1.2–1.4), pointing at the sandbox. Connectivity ports are strings,
 * deprecated and current key names carry the same value, as SAP clients require.
 */
export function serviceKeys(identity: SandboxIdentity, endpoints: SandboxEndpoints): SandboxServiceKeys {
  const world = identity.world;
  const provider = world.provider;
  const verificationKey = identity.signingKey.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const common = (client: ClientRecord) => ({
    clientid: client.clientId,
    url: endpoints.tokenServiceUrl,
    uaadomain: endpoints.uaaDomain,
    identityzone: provider.subdomain,
    tenantid: provider.id,
    tenantmode: 'dedicated',
    xsappname: client.xsappname,
    verificationkey: verificationKey,
  });
  const destination = world.clientOfKind('destination');
  const destinationX509 = world.clientOfKind('destination', true);
  const connectivity = world.clientOfKind('connectivity');
  const application = world.clientOfKind('application');
  const certificate = identity.clientCertificates[destinationX509.certificateCn ?? ''];
  const port = (value: number) => String(value);
  return {
    destination: {
      ...common(destination),
      clientsecret: destination.secret,
      uri: endpoints.destinationServiceUrl,
      instanceid: destination.instanceId,
      subaccountid: provider.id,
      'credential-type': 'binding-secret',
    },
    destinationX509: {
      ...common(destinationX509),
      certificate: certificate?.certPem,
      key: certificate?.keyPem,
      certurl: endpoints.certUrl,
      uri: endpoints.destinationServiceUrl,
      instanceid: destinationX509.instanceId,
      subaccountid: provider.id,
      'credential-type': 'x509',
    },
    connectivity: {
      ...common(connectivity),
      clientsecret: connectivity.secret,
      token_service_url: endpoints.tokenServiceUrl,
      token_service_domain: endpoints.uaaDomain,
      'credential-type': 'binding-secret',
      'token-type': ['xsuaa'],
      onpremise_proxy_host: endpoints.connectivity.host,
      onpremise_proxy_http_port: port(endpoints.connectivity.httpPort),
      onpremise_proxy_port: port(endpoints.connectivity.httpPort),
      onpremise_proxy_rfc_port: port(endpoints.connectivity.httpPort),
      onpremise_proxy_ldap_port: port(endpoints.connectivity.httpPort),
      onpremise_socks5_proxy_port: port(endpoints.connectivity.socks5Port),
    },
    xsuaa: {
      ...common(application),
      clientsecret: application.secret,
      identityzoneid: provider.id,
      subaccountid: provider.id,
      zoneid: provider.id,
      sburl: endpoints.tokenServiceUrl,
      apiurl: endpoints.tokenServiceUrl,
      'credential-type': 'binding-secret',
    },
  };
}

/**
 * VCAP_SERVICES with exactly one binding per service, `label` and `tags` set as the SDK (label lookup) and the
 * approuter (tag lookup) expect (spec §1.1). The X.509 destination key stays out: two destination bindings
 * would make the approuter refuse to start.
 */
export function vcapServices(keys: SandboxServiceKeys, identity: SandboxIdentity): Record<string, unknown[]> {
  const world = identity.world;
  const binding = (label: string, plan: string, tags: string[], client: ClientRecord, credentials: Record<string, unknown>, name: string) => ({
    label,
    provider: null,
    plan,
    name,
    tags,
    instance_guid: client.instanceId ?? '0d9c4a6e-8b7f-4e2d-a1c3-5f6e7d8c9b0a',
    instance_name: name,
    binding_guid: `${(client.instanceId ?? '0d9c4a6e-8b7f-4e2d-a1c3-5f6e7d8c9b0a').slice(0, 24)}b1dd1e600001`,
    binding_name: null,
    credentials,
    syslog_drain_url: null,
    volume_mounts: [],
  });
  return {
    destination: [
      binding('destination', 'lite', ['destination', 'conn', 'connsvc'], world.clientOfKind('destination'), keys.destination, 'sandbox-destination'),
    ],
    connectivity: [
      binding('connectivity', 'lite', ['connectivity', 'conn', 'connsvc'], world.clientOfKind('connectivity'), keys.connectivity, 'sandbox-connectivity'),
    ],
    xsuaa: [binding('xsuaa', 'application', ['xsuaa'], world.clientOfKind('application'), keys.xsuaa, 'sandbox-xsuaa')],
  };
}
