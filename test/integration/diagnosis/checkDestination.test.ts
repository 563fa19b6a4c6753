import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer as createHttpsServer, type Server } from 'node:https';
import { createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseCredentials } from '../../../src/core/bindings/parseCredentials';
import type { ConnectivityBinding, DestinationBinding } from '../../../src/core/bindings/types';
import { checkDestination } from '../../../src/core/diagnosis/checkDestination';
import { HOP_IDS, type CheckOptions, type CheckResult, type HopId } from '../../../src/core/diagnosis/types';
import { DestinationServiceClient } from '../../../src/core/destinationService/client';
import { ErrorCode } from '../../../src/core/errors';
import type { SystemMapping } from '../../../src/sandbox/cloudConnector/types';
import { issueServerCertificate } from '../../../src/sandbox/pki';
import { startSandboxFixture, type SandboxFixture } from '../../support/sandboxFixture';
import { noScriptTools } from '../../support/platform';

// `checkDestination` against the sandbox: every failure class provoked for real, each named at the right hop
// with its code and fix, and healthy destinations where every hop that applies is ok.

let f: SandboxFixture;
let connectivity: ConnectivityBinding;
let closedPort: number;
let partners: string;
const secrets: string[] = [];

const check = (name: string, extra: Partial<CheckOptions> = {}) => checkDestination(name, { client: f.client, agents: f.agents, connectivity, ...extra });

/** The hops before `hop` are ok or skipped, `hop` failed with `code`, everything after it was not reached. */
function assertBrokenAt(result: CheckResult, hop: HopId, code: string): void {
  assert.equal(result.firstFailure?.hop, hop, JSON.stringify(result.hops, null, 1));
  assert.equal(result.firstFailure?.code, code);
  assert.ok(result.firstFailure?.fix, 'a failed hop names its fix');
  const index = HOP_IDS.indexOf(hop);
  result.hops.forEach((entry, position) => {
    if (position < index) assert.notEqual(entry.status, 'failed', entry.hop);
    if (position > index) assert.deepEqual([entry.status, entry.detail], ['skipped', 'not reached: an earlier hop failed'], entry.hop);
  });
  assertNoSecrets(result);
}

function assertAllOk(result: CheckResult, expected: readonly HopId[]): void {
  assert.equal(result.firstFailure, undefined, JSON.stringify(result.firstFailure));
  assert.deepEqual(
    result.hops.map((hop) => hop.hop),
    [...HOP_IDS],
  );
  assert.deepEqual(
    result.hops.filter((hop) => hop.status === 'ok').map((hop) => hop.hop),
    expected,
  );
  assertNoSecrets(result);
}

function assertNoSecrets(result: CheckResult): void {
  const text = JSON.stringify(result);
  assert.doesNotMatch(text, /eyJ[A-Za-z0-9_-]{5,}\./, 'no JWT in the result');
  for (const secret of secrets) assert.ok(!text.includes(secret), `secret ${secret.slice(0, 3)}… leaked`);
}

function connectorMappings(index: number, extra: SystemMapping[]): () => void {
  const connector = f.sandbox.connectors[index];
  assert.ok(connector);
  const before = connector.mappings;
  connector.setMappings([...before, ...extra]);
  return () => connector.setMappings(before);
}

before(async () => {
  f = await startSandboxFixture();
  connectivity = parseCredentials(f.sandbox.keys.connectivity, { expected: 'connectivity' }) as ConnectivityBinding;
  partners = '/sap/opu/odata/sap/API_BUSINESS_PARTNER/A_BusinessPartner';
  const probe = createNetServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  closedPort = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  secrets.push(
    String(f.sandbox.keys.destination.clientsecret),
    String(f.sandbox.keys.connectivity.clientsecret),
    'erp-password-1',
    Buffer.from('ERPUSER:erp-password-1').toString('base64'),
    'demo-password-1',
  );
});
after(async () => {
  await f.close();
});

describe('check: healthy destinations', () => {
  it('Internet HTTP with OAuth client credentials: token service, lookup, auth token, backend and response ok', async () => {
    const result = await check('internet-oauth-cc');
    assertAllOk(result, ['tokenService', 'destinationLookup', 'authToken', 'backend', 'response']);
    assert.equal(result.status, 200);
    assert.equal(result.kind, 'http');
    assert.match(result.target ?? '', /^GET http:\/\/localhost:\d+\/internet-oauth-cc$/);
    assert.match(result.hops.find((hop) => hop.hop === 'authToken')?.detail ?? '', /^Bearer token for header Authorization/);
    assert.equal(result.hops.find((hop) => hop.hop === 'tls')?.detail, 'http:// URL: no TLS');
  });

  it("Internet HTTPS verified against the destination's TrustStoreLocation", async () => {
    await f.client.create('subaccount', {
      Name: 'check-https-trusted',
      Type: 'HTTP',
      URL: `${f.sandbox.endpoints.tokenServiceHttpsUrl}/token_keys`,
      ProxyType: 'Internet',
      Authentication: 'NoAuthentication',
      TrustStoreLocation: 'truststore.pem',
    });
    const result = await check('check-https-trusted');
    assertAllOk(result, ['tokenService', 'destinationLookup', 'backend', 'tls', 'response']);
    assert.match(
      result.hops.find((hop) => hop.hop === 'tls')?.detail ?? '',
      /^TLSv1\.[23], certificate CN=localhost verified against TrustStoreLocation truststore\.pem$/,
    );
  });

  it('OnPremise HTTP: connectivity proxy, Cloud Connector, backend and response ok on an exposed path', async () => {
    const result = await check('onprem-erp-basic', { path: partners });
    assertAllOk(result, ['tokenService', 'destinationLookup', 'authToken', 'connectivityProxy', 'cloudConnector', 'backend', 'response']);
    assert.equal(result.target, `GET http://erp.virtual:8000${partners}`);
    assert.equal(
      result.hops.find((hop) => hop.hop === 'tunnel')?.detail,
      `direct: the connectivity proxy at 127.0.0.1:${connectivity.httpPort} as the key names it`,
    );
    assert.equal(result.status, 200);
  });

  it('a signed-in user: PrincipalPropagation through the proxy and a user token exchange in the lookup', async () => {
    const userToken = await f.userToken('alice');
    const propagated = await check('onprem-erp-principal', { path: '/whoami', userToken });
    assertAllOk(propagated, ['tokenService', 'destinationLookup', 'authToken', 'connectivityProxy', 'cloudConnector', 'backend', 'response']);
    const exchanged = await check('internet-user-exchange', { findOptions: { userToken } });
    assertAllOk(exchanged, ['tokenService', 'destinationLookup', 'authToken', 'backend', 'response']);
  });

  it('OnPremise TCP through SOCKS5: the Cloud Connector opens the connection to the line service', async () => {
    const result = await check('onprem-tcp-db');
    assertAllOk(result, ['tokenService', 'destinationLookup', 'connectivityProxy', 'cloudConnector', 'backend']);
    assert.equal(result.kind, 'tcp');
    assert.equal(result.target, 'db.virtual:5432');
    assert.match(result.hops.find((hop) => hop.hop === 'connectivityProxy')?.detail ?? '', /SOCKS5/);
  });

  it('OnPremise MAIL with BasicAuthentication: the mail client signs in itself, so no auth token is fetched', async () => {
    const client = new DestinationServiceClient({ binding: f.client.tokens.binding as DestinationBinding, agents: f.agents });
    const lookups: unknown[] = [];
    const find = client.find.bind(client);
    client.find = (name, options) => (lookups.push(options), find(name, options));
    const result = await check('onprem-mail', { client });
    assertAllOk(result, ['tokenService', 'destinationLookup', 'connectivityProxy', 'cloudConnector', 'backend']);
    assert.match(result.hops.find((hop) => hop.hop === 'authToken')?.detail ?? '', /^MAIL with BasicAuthentication: the client signs in itself/);
    // One lookup, without token retrieval: a Basic token for SMTP would reach nobody.
    assert.deepEqual(
      lookups.map((options) => (options as { skipTokenRetrieval?: boolean }).skipTokenRetrieval),
      [true],
    );
  });

  it('OnPremise through a cf-ssh tunnel: the tunnel hop is started, used and stopped', { skip: noScriptTools }, async () => {
    const cfCommand = join(__dirname, '..', '..', 'support', 'fakeBin', 'cf');
    const result = await check('onprem-erp-loc2', { path: partners, tunnel: { kind: 'cf-ssh', app: 'proxy-app', cfCommand } });
    assertAllOk(result, ['tokenService', 'destinationLookup', 'tunnel', 'connectivityProxy', 'cloudConnector', 'backend', 'response']);
    assert.match(result.hops.find((hop) => hop.hop === 'tunnel')?.detail ?? '', /^cf-ssh: 127\.0\.0\.1:\d+, 127\.0\.0\.1:\d+ → 127\.0\.0\.1:\d+$/);
  });
});

describe('check: each failure class at its hop', () => {
  it('token service: a wrong client secret of the Destination service key is refused (401)', async () => {
    const binding = parseCredentials({ ...f.sandbox.keys.destination, clientsecret: 'wrong-secret-1' }, { expected: 'destination' }) as DestinationBinding;
    const result = await check('internet-noauth', { client: new DestinationServiceClient({ binding, agents: f.agents }) });
    assertBrokenAt(result, 'tokenService', ErrorCode.TokenRejected);
    assert.match(result.firstFailure?.detail ?? '', /rejected client ".+" \(401/);
    assert.match(result.firstFailure?.fix ?? '', /"clientid" and "clientsecret" of the Destination service key/);
    assert.ok(!JSON.stringify(result).includes('wrong-secret-1'));
  });

  it('destination lookup: an unknown name is 404 at both levels', async () => {
    const result = await check('no-such-destination');
    assertBrokenAt(result, 'destinationLookup', ErrorCode.NotFound);
    assert.match(result.firstFailure?.detail ?? '', /"no-such-destination" exists at neither the instance nor the subaccount level/);
    assert.match(result.firstFailure?.fix ?? '', /Create destination "no-such-destination"/);
  });

  it('auth token: OAuth2ClientCredentials with a wrong clientSecret comes back as authTokens[0].error', async () => {
    const { value } = await f.client.get('subaccount', 'internet-oauth-cc');
    await f.client.create('subaccount', { ...value, Name: 'check-oauth-wrong', clientSecret: 'wrong-client-secret-1' });
    const result = await check('check-oauth-wrong');
    assertBrokenAt(result, 'authToken', ErrorCode.TokenFailed);
    assert.match(result.firstFailure?.detail ?? '', /^The Destination service could not get a token for OAuth2ClientCredentials: /);
    assert.match(result.firstFailure?.fix ?? '', /clientId, clientSecret .* tokenServiceURL and scope of destination "check-oauth-wrong"/);
    assert.ok(!JSON.stringify(result).includes('wrong-client-secret-1'));
  });

  it('auth token: ClientCertificateAuthentication whose KeyStoreLocation names no uploaded certificate', async () => {
    const { value } = await f.client.get('subaccount', 'internet-client-certificate');
    await f.client.create('subaccount', { ...value, Name: 'check-keystore-missing', KeyStoreLocation: 'missing.p12' });
    const result = await check('check-keystore-missing');
    assertBrokenAt(result, 'authToken', ErrorCode.NotFound);
    assert.match(result.firstFailure?.detail ?? '', /"missing\.p12" named in KeyStoreLocation/);
    const healthy = await check('internet-client-certificate');
    assert.equal(
      healthy.hops.find((hop) => hop.hop === 'authToken')?.detail,
      'ClientCertificateAuthentication: key store backend-client.p12 for the TLS handshake',
    );
  });

  it('auth token: PrincipalPropagation without a signed-in user', async () => {
    const result = await check('onprem-erp-principal');
    assertBrokenAt(result, 'authToken', ErrorCode.SignInRequired);
  });

  it('connectivity proxy: a wrong client secret of the connectivity key gets no token', async () => {
    const wrong = parseCredentials({ ...f.sandbox.keys.connectivity, clientsecret: 'wrong-secret-2' }, { expected: 'connectivity' }) as ConnectivityBinding;
    const result = await check('onprem-erp-basic', { path: partners, connectivity: wrong });
    assertBrokenAt(result, 'connectivityProxy', ErrorCode.TokenRejected);
    assert.match(result.firstFailure?.fix ?? '', /"clientid" and "clientsecret" of the connectivity service key/);
  });

  it('connectivity proxy: a token that is no Connectivity token is refused with 407 (HTTP) and a failed SOCKS5 authentication (TCP)', async () => {
    // The Destination service key's credentials with the proxy's ports: a valid token of the wrong service.
    const foreign = parseCredentials(
      { ...f.sandbox.keys.connectivity, clientid: f.sandbox.keys.destination.clientid, clientsecret: f.sandbox.keys.destination.clientsecret },
      { expected: 'connectivity' },
    ) as ConnectivityBinding;
    const http = await check('onprem-erp-basic', { path: partners, connectivity: foreign });
    assertBrokenAt(http, 'connectivityProxy', ErrorCode.ConnectivityAuthRejected);
    assert.match(
      http.firstFailure?.detail ?? '',
      /\(HTTP 407\): Proxy authentication failed: The token of client .+ is not a token of the Connectivity service/,
    );
    const tcp = await check('onprem-tcp-db', { connectivity: foreign });
    assertBrokenAt(tcp, 'connectivityProxy', ErrorCode.ConnectivityAuthRejected);
    assert.equal(tcp.firstFailure?.detail, 'The connectivity proxy refused the connectivity token (SOCKS5 reply 0x05).');
  });

  it("connectivity proxy: nothing listens at the key's proxy port (outside CF/Kyma) → tunnel setup", async () => {
    const unreachable = { ...connectivity, httpPort: closedPort };
    const result = await check('onprem-erp-basic', { path: partners, connectivity: unreachable });
    assertBrokenAt(result, 'connectivityProxy', ErrorCode.ProxyUnreachable);
    assert.match(result.firstFailure?.fix ?? '', /btp-connect tunnel setup/);
    assert.match(result.firstFailure?.fix ?? '', /--tunnel cf-ssh:<app>/);
  });

  it('Cloud Connector: no connector for the location ID → HTTP 503 and SOCKS5 reply 0x03', async () => {
    await f.client.create('subaccount', {
      Name: 'check-loc9-http',
      Type: 'HTTP',
      URL: 'http://erp.virtual:8000',
      ProxyType: 'OnPremise',
      Authentication: 'NoAuthentication',
      CloudConnectorLocationId: 'loc9',
    });
    await f.client.create('subaccount', {
      Name: 'check-loc9-tcp',
      Type: 'TCP',
      Address: 'db.virtual:5432',
      ProxyType: 'OnPremise',
      CloudConnectorLocationId: 'loc9',
    });
    const http = await check('check-loc9-http', { path: partners });
    assertBrokenAt(http, 'cloudConnector', ErrorCode.NoCloudConnector);
    assert.equal(http.firstFailure?.detail, 'No Cloud Connector is connected to the subaccount with location ID "loc9" (HTTP 503).');
    assert.match(http.firstFailure?.fix ?? '', /location ID "loc9", or set the destination's CloudConnectorLocationId/);
    const tcp = await check('check-loc9-tcp');
    assertBrokenAt(tcp, 'cloudConnector', ErrorCode.NoCloudConnector);
    assert.match(tcp.firstFailure?.detail ?? '', /\(SOCKS5 reply 0x03\)/);
  });

  it('Cloud Connector: a stopped connector is the same 503', async () => {
    const connector = f.sandbox.connectors[1];
    assert.ok(connector);
    await connector.disconnect();
    try {
      const result = await check('onprem-erp-loc2', { path: partners });
      assertBrokenAt(result, 'cloudConnector', ErrorCode.NoCloudConnector);
    } finally {
      await connector.connect();
    }
  });

  it('Cloud Connector: an unexposed path after every earlier hop worked is a warning, with the exposed paths where known', async () => {
    const http = await check('onprem-erp-basic', { path: '/not-exposed' });
    assert.equal(http.firstFailure, undefined);
    assert.equal(http.warning?.hop, 'cloudConnector');
    assert.equal(http.warning?.code, ErrorCode.NotExposed);
    assert.deepEqual(
      http.hops.map((hop) => hop.status),
      ['skipped', 'ok', 'ok', 'ok', 'skipped', 'ok', 'warning', 'skipped', 'skipped', 'skipped'],
    );
    assert.match(http.warning?.fix ?? '', /add a resource "\/not-exposed"/);
    assert.equal(http.warning?.exposed, undefined, "nothing known of a real Cloud Connector's access control");

    // Where the access control is known (the sandbox's own file), the warning lists what is exposed...
    const known = await check('onprem-erp-basic', {
      accessControl: (host, port, location) =>
        host === 'erp.virtual' && port === 8000 && location === undefined
          ? { mapped: true, exposed: ['/sap/opu/odata/ and below', '/redirect'] }
          : { mapped: false },
    });
    assert.equal(known.warning?.hop, 'cloudConnector');
    assert.deepEqual(known.warning?.exposed, ['/sap/opu/odata/ and below', '/redirect']);
    assert.match(
      known.warning?.detail ?? '',
      /does not expose erp\.virtual:8000\/ \(HTTP 403\)\. Exposed for erp\.virtual:8000: \/sap\/opu\/odata\/ and below, \/redirect\.$/,
    );
    assert.match(known.warning?.fix ?? '', /^Check a path that is exposed \(--path\), e\.g\. \/sap\/opu\/odata\/, or expose this one/);
    // ...and a system without any mapping stays a failure.
    const unmapped = await check('onprem-erp-basic', { path: '/not-exposed', accessControl: () => ({ mapped: false }) });
    assertBrokenAt(unmapped, 'cloudConnector', ErrorCode.NotExposed);
    assert.match(unmapped.firstFailure?.fix ?? '', /virtual host "erp\.virtual", port 8000, protocol HTTP \(or HTTPS\) and a resource "\/not-exposed"/);
  });

  it('Cloud Connector: no access-control entry for host:port (SOCKS5 reply 0x02)', async () => {
    await f.client.create('subaccount', { Name: 'check-hidden-tcp', Type: 'TCP', Address: 'hidden.virtual:7000', ProxyType: 'OnPremise' });
    const tcp = await check('check-hidden-tcp');
    assertBrokenAt(tcp, 'cloudConnector', ErrorCode.NotExposed);
    assert.match(tcp.firstFailure?.fix ?? '', /virtual host "hidden\.virtual", port 7000, protocol TCP\./);
  });

  it('backend: the system behind the Cloud Connector is down → HTTP 502 and SOCKS5 reply 0x04', async () => {
    const restore = connectorMappings(0, [
      {
        virtualHost: 'down.virtual',
        virtualPort: 8000,
        localHost: '127.0.0.1',
        localPort: closedPort,
        protocol: 'HTTP',
        resources: [{ id: '/', enabled: true, exactMatchOnly: false }],
      },
      { virtualHost: 'downdb.virtual', virtualPort: 5432, localHost: '127.0.0.1', localPort: closedPort, protocol: 'TCP' },
    ]);
    try {
      await f.client.create('subaccount', {
        Name: 'check-down-http',
        Type: 'HTTP',
        URL: 'http://down.virtual:8000/api',
        ProxyType: 'OnPremise',
        Authentication: 'NoAuthentication',
      });
      await f.client.create('subaccount', { Name: 'check-down-tcp', Type: 'TCP', Address: 'downdb.virtual:5432', ProxyType: 'OnPremise' });
      const http = await check('check-down-http');
      assertBrokenAt(http, 'backend', ErrorCode.BackendUnreachable);
      assert.match(
        http.firstFailure?.detail ?? '',
        /^The Cloud Connector could not reach the system behind down\.virtual:8000 \(HTTP 502\): The Cloud Connector could not reach the backend/,
      );
      assert.match(http.firstFailure?.fix ?? '', /internal host and port of the Cloud Connector's access-control entry for down\.virtual:8000/);
      assert.equal(http.hops.find((hop) => hop.hop === 'cloudConnector')?.status, 'ok');
      const tcp = await check('check-down-tcp');
      assertBrokenAt(tcp, 'backend', ErrorCode.BackendUnreachable);
      assert.match(tcp.firstFailure?.detail ?? '', /\(SOCKS5 reply 0x04\)/);
    } finally {
      restore();
    }
  });

  it('backend: an Internet URL where nothing listens', async () => {
    await f.client.create('subaccount', {
      Name: 'check-internet-down',
      Type: 'HTTP',
      URL: `http://127.0.0.1:${closedPort}/api`,
      ProxyType: 'Internet',
      Authentication: 'NoAuthentication',
    });
    const result = await check('check-internet-down');
    assertBrokenAt(result, 'backend', ErrorCode.BackendUnreachable);
    assert.equal(result.firstFailure?.detail, `127.0.0.1:${closedPort} could not be reached: nothing listens there (connection refused).`);
  });

  it('TLS: a certificate of a CA nobody trusts, without TrustStoreLocation', async () => {
    await f.client.create('subaccount', {
      Name: 'check-https-untrusted',
      Type: 'HTTP',
      URL: `${f.sandbox.endpoints.tokenServiceHttpsUrl}/token_keys`,
      ProxyType: 'Internet',
      Authentication: 'NoAuthentication',
    });
    const result = await check('check-https-untrusted');
    assertBrokenAt(result, 'tls', ErrorCode.Unreachable);
    assert.match(
      result.firstFailure?.detail ?? '',
      /^The certificate of localhost is not accepted: its issuer is not a trusted CA \[UNABLE_TO_VERIFY_LEAF_SIGNATURE\] \(subject CN=localhost, issuer CN=BTP Connect Sandbox CA, valid to .+\)\.$/,
    );
    assert.match(result.firstFailure?.fix ?? '', /TrustStoreLocation, or set TrustAll=true \(testing only\)/);
    assert.equal(result.hops.find((hop) => hop.hop === 'backend')?.status, 'ok');
  });

  it('TLS: a certificate for another host name; TrustAll=true passes it unverified', async () => {
    const certificate = issueServerCertificate(f.sandbox.identity.ca, { commonName: 'elsewhere.example', dnsNames: ['elsewhere.example'] });
    const server: Server = createHttpsServer({ cert: certificate.certPem, key: certificate.keyPem }, (_req, res) => res.end('ok'));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as { port: number }).port;
    try {
      await f.client.create('subaccount', {
        Name: 'check-https-mismatch',
        Type: 'HTTP',
        URL: `https://localhost:${port}/`,
        ProxyType: 'Internet',
        Authentication: 'NoAuthentication',
        TrustStoreLocation: 'truststore.pem',
      });
      const result = await check('check-https-mismatch');
      assertBrokenAt(result, 'tls', ErrorCode.Unreachable);
      assert.match(result.firstFailure?.detail ?? '', /it does not name this host \[ERR_TLS_CERT_ALTNAME_INVALID\]/);
      assert.match(result.firstFailure?.fix ?? '', /host name the certificate is issued for/);
      await f.client.create('subaccount', {
        Name: 'check-https-trustall',
        Type: 'HTTP',
        URL: `https://localhost:${port}/`,
        ProxyType: 'Internet',
        Authentication: 'NoAuthentication',
        TrustAll: 'true',
      });
      const trusted = await check('check-https-trustall');
      assertAllOk(trusted, ['tokenService', 'destinationLookup', 'backend', 'tls', 'response']);
      assert.match(trusted.hops.find((hop) => hop.hop === 'tls')?.detail ?? '', /^TrustAll=true: the certificate was taken unverified \(/);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("response: the backend answers 401 to the destination's credentials", async () => {
    await f.client.create('subaccount', {
      Name: 'check-backend-401',
      Type: 'HTTP',
      URL: `${f.sandbox.endpoints.internetApiUrl}/status/401`,
      ProxyType: 'Internet',
      Authentication: 'BasicAuthentication',
      User: 'demo',
      Password: 'demo-password-1',
    });
    const result = await check('check-backend-401');
    assertBrokenAt(result, 'response', ErrorCode.Unauthorized);
    assert.equal(result.status, 401);
    assert.equal(result.firstFailure?.detail, 'The system answered 401 Unauthorized.');
    assert.equal(result.firstFailure?.fix, 'Check "User" and "Password" of destination "check-backend-401".');
  });

  it('connectivity proxy: an OnPremise destination without a connectivity key', async () => {
    const result = await checkDestination('onprem-erp-basic', { client: f.client, agents: f.agents });
    assertBrokenAt(result, 'connectivityProxy', ErrorCode.BindingNotFound);
    assert.match(result.firstFailure?.fix ?? '', /--connectivity-key <file>/);
  });

  it('tunnel: a tunnel command that cannot start', async () => {
    const result = await check('onprem-erp-basic', { path: partners, tunnel: { kind: 'cf-ssh', app: 'proxy-app', cfCommand: join(__dirname, 'no-such-cf') } });
    assertBrokenAt(result, 'tunnel', ErrorCode.TunnelFailed);
    assert.match(result.firstFailure?.fix ?? '', /app "proxy-app" runs/);
  });
});
