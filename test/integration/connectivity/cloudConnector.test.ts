import assert from 'node:assert/strict';
import { once } from 'node:events';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../../../src/core/log';
import { CloudConnector, type CloudConnectorOptions, type ConnectorState, type ConnectorStateDetail } from '../../../src/sandbox/cloudConnector/connector';
import { startOnPremiseHttp, type OnPremiseHttpService } from '../../../src/sandbox/onPremise/httpService';
import { issueServerCertificate } from '../../../src/sandbox/pki';
import { connectivityToken, proxyRequest } from '../../support/connectivityClient';
import { startSandboxFixture, type SandboxFixture } from '../../support/sandboxFixture';

// The Cloud Connector's lifecycle (registration, reconnect, backoff) and its tunnel: many streams on one
// connection, TLS to the backend, hostInHeader, backend failures.

let f: SandboxFixture;
let token: string;
let tlsErp: OnPremiseHttpService;
const extra: CloudConnector[] = [];
before(async () => {
  f = await startSandboxFixture();
  token = await connectivityToken(f);
  const ca = f.sandbox.identity.ca;
  const certificate = issueServerCertificate(ca, { commonName: 'erp-internal', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
  // A system of the sandbox's on-premise network: it takes connections from connectors that have `network` alone.
  tlsErp = await startOnPremiseHttp({
    logger: silentLogger,
    network: f.sandbox.onPremise.network,
    tls: { cert: certificate.certPem, key: certificate.keyPem },
  });
});
after(async () => {
  await Promise.all(extra.map((connector) => connector.close()));
  await tlsErp.close();
  await f.close();
});

function connector(options: Partial<CloudConnectorOptions> & { locationId: string }): CloudConnector {
  const created = new CloudConnector({
    tunnelUrl: f.sandbox.endpoints.connectorTunnelUrl,
    secret: f.sandbox.identity.connectorSecret,
    subaccountId: f.sandbox.identity.world.provider.id,
    mappings: [],
    network: f.sandbox.onPremise.network,
    ...options,
  });
  extra.push(created);
  return created;
}

function nextState(target: CloudConnector, wanted: ConnectorState): Promise<ConnectorStateDetail> {
  return new Promise((resolve) => {
    const listener = (state: ConnectorState, detail: ConnectorStateDetail) => {
      if (state !== wanted) return;
      target.off('state', listener);
      resolve(detail);
    };
    target.on('state', listener);
  });
}

const whoami = 'http://erp.virtual:8000/whoami';

describe('Cloud Connector lifecycle', () => {
  it('disconnected → the proxy answers 503; connected again → 200 (waiting on events, not timers)', async () => {
    const [primary] = f.sandbox.connectors;
    assert.ok(primary);
    assert.equal(primary.state, 'connected');
    const gone = once(f.sandbox.connectivity.tunnels, 'disconnected');
    await primary.disconnect();
    await gone;
    assert.equal(primary.state, 'disconnected');
    assert.equal((await proxyRequest(f, whoami, { token })).status, 503);
    const back = nextState(primary, 'connected');
    await primary.connect();
    await back;
    assert.equal((await proxyRequest(f, whoami, { token })).status, 200);
  });

  it('a dropped connection is re-established on its own, after a backoff wait', async () => {
    const [primary] = f.sandbox.connectors;
    assert.ok(primary);
    const before = primary.stats().connections;
    const states: ConnectorState[] = [];
    primary.on('state', (state) => states.push(state));
    const waiting = nextState(primary, 'waiting');
    const reconnected = nextState(primary, 'connected');
    primary.drop();
    const detail = await waiting;
    assert.ok((detail.retryInMs ?? -1) >= 0 && (detail.retryInMs ?? 0) <= 5_000);
    await reconnected;
    assert.equal(states[0], 'waiting');
    assert.equal(states.at(-1), 'connected');
    assert.equal(primary.stats().connections, before + 1);
    assert.equal((await proxyRequest(f, whoami, { token })).status, 200);
  });

  it('a refused registration (wrong secret) is retried with doubling delays capped at maxMs', async () => {
    const refused = connector({ locationId: 'refused', secret: 'wrong', backoff: { initialMs: 5, maxMs: 40 } });
    const delays: number[] = [];
    const errors: string[] = [];
    const sixWaits = new Promise<void>((resolve) => {
      refused.on('state', (state, detail) => {
        if (state !== 'waiting') return;
        delays.push(detail.retryInMs ?? -1);
        errors.push(detail.error ?? '');
        if (delays.length === 6) resolve();
      });
    });
    await assert.rejects(refused.connect(), /401/);
    await sixWaits;
    await refused.close();
    assert.equal(refused.state, 'closed');
    assert.ok(
      delays.every((delay) => delay >= 0 && delay <= 40),
      delays.join(),
    );
    assert.ok((delays[0] ?? 99) <= 5 && (delays[5] ?? 0) >= 32, delays.join());
    assert.match(errors[0] ?? '', /401: The connector secret is missing or wrong/);
    assert.equal(f.sandbox.connectivity.tunnels.get(f.sandbox.identity.world.provider.id, 'refused'), undefined);
  });

  it('refuses an unknown subaccount (403) and a second connector for a connected (subaccount, location) (409)', async () => {
    const stranger = connector({ locationId: 'x', subaccountId: '00000000-0000-4000-8000-000000000000' });
    await assert.rejects(stranger.connect(), /403/);
    await stranger.close();
    const twin = connector({ locationId: '' });
    await assert.rejects(twin.connect(), /409/);
    await twin.close();
    assert.equal((await proxyRequest(f, whoami, { token })).status, 200);
  });
});

describe('Cloud Connector tunnel', () => {
  it('carries many concurrent streams over its one connection', async () => {
    const [primary] = f.sandbox.connectors;
    assert.ok(primary);
    const connections = primary.stats().connections;
    const accepted = f.sandbox.connectivity.tunnels.accepted;
    const count = 50;
    // Every request keeps its body open until all have their response headers: all streams are open at once.
    const open = await Promise.all(
      Array.from(
        { length: count },
        (_, index) =>
          new Promise<{ finish: () => Promise<string> }>((resolve, reject) => {
            const req = request({
              host: '127.0.0.1',
              port: f.sandbox.connectivity.httpPort,
              method: 'POST',
              path: 'http://erp.virtual:8000/echo',
              agent: false,
              headers: { host: 'erp.virtual:8000', 'proxy-authorization': `Bearer ${token}`, 'content-type': 'text/plain' },
            });
            req.on('response', (res) => {
              let text = '';
              res.setEncoding('utf8');
              res.on('data', (chunk: string) => (text += chunk));
              const done = once(res, 'end').then(() => text);
              resolve({
                finish: () => {
                  req.end(`-${index}`);
                  return done;
                },
              });
            });
            req.on('error', reject);
            req.write(`stream`);
            req.flushHeaders();
          }),
      ),
    );
    assert.ok(primary.stats().activeStreams >= count, JSON.stringify(primary.stats()));
    const bodies = await Promise.all(open.map((item) => item.finish()));
    assert.deepEqual(
      bodies,
      Array.from({ length: count }, (_, index) => `stream-${index}`),
    );
    assert.equal(primary.stats().connections, connections);
    assert.equal(f.sandbox.connectivity.tunnels.accepted, accepted);
  });

  it('HTTPS mapping: TLS to the backend with the trusted CA, hostInHeader internal, Location rewritten from https', async () => {
    const mapping = {
      virtualHost: 'erp-tls.virtual',
      virtualPort: 443,
      localHost: '127.0.0.1',
      localPort: tlsErp.port,
      protocol: 'HTTPS' as const,
      hostInHeader: 'internal' as const,
    };
    const trusted = connector({ locationId: 'tls', trustedCaPem: f.sandbox.caPem, mappings: [{ ...mapping, resources: [{ id: '/', enabled: true }] }] });
    await trusted.connect();
    const headers = { 'SAP-Connectivity-SCC-Location_ID': 'tls' };
    const response = await proxyRequest(f, 'http://erp-tls.virtual:443/whoami', { token, headers });
    assert.equal(response.status, 200, response.text);
    const seen = response.json<{ headers: Record<string, string> }>();
    assert.equal(seen.headers.host, `127.0.0.1:${tlsErp.port}`);
    assert.equal(seen.headers['x-forwarded-host'], 'erp-tls.virtual:443');
    const redirect = await proxyRequest(f, 'http://erp-tls.virtual:443/redirect?to=/whoami', { token, headers });
    assert.equal(redirect.headers.location, 'http://erp-tls.virtual:443/whoami');

    const untrusted = connector({ locationId: 'untrusted', mappings: [{ ...mapping, resources: [{ id: '/', enabled: true }] }] });
    await untrusted.connect();
    const failed = await proxyRequest(f, 'http://erp-tls.virtual:443/whoami', { token, headers: { 'SAP-Connectivity-SCC-Location_ID': 'untrusted' } });
    assert.equal(failed.status, 502);
    assert.match(failed.text, /could not reach the backend of erp-tls\.virtual:443/);
  });

  it('answers 502 when the backend is down, and applies changed mappings at once', async () => {
    const erpPort = f.sandbox.onPremise.erp.port;
    const down = connector({
      locationId: 'down-http',
      mappings: [
        { virtualHost: 'down.virtual', virtualPort: 80, localHost: '127.0.0.1', localPort: 1, protocol: 'HTTP', resources: [{ id: '/', enabled: true }] },
      ],
    });
    await down.connect();
    const headers = { 'SAP-Connectivity-SCC-Location_ID': 'down-http' };
    const response = await proxyRequest(f, 'http://down.virtual/whoami', { token, headers });
    assert.equal(response.status, 502);
    const disabled = {
      virtualHost: 'erp.virtual',
      virtualPort: 8000,
      localHost: '127.0.0.1',
      localPort: erpPort,
      protocol: 'HTTP' as const,
      resources: [{ id: '/whoami', enabled: false }],
    };
    down.setMappings([disabled]);
    assert.equal((await proxyRequest(f, whoami, { token, headers })).status, 403);
    down.setMappings([{ ...disabled, resources: [{ id: '/whoami', enabled: true }] }]);
    assert.equal((await proxyRequest(f, whoami, { token, headers })).status, 200);
  });
});
