import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import * as vscode from 'vscode';
import { parseCredentials } from '../../../src/core/bindings/parseCredentials';
import type { DestinationBinding } from '../../../src/core/bindings/types';
import { DestinationServiceClient } from '../../../src/core/destinationService/client';
import { HttpAgents } from '../../../src/core/http/agents';
import type { OutboundNetwork } from '../../../src/core/http/outbound';
import { createCertificateAuthority, issueServerCertificate } from '../../../src/sandbox/pki';
import { startBasicAuthProxy, type BasicAuthProxy } from '../../support/basicAuthProxy';
import { extensionApi } from './api';

// Behind a corporate network, VS Code's own settings decide: `http.proxy` and `http.proxyAuthorization` carry a
// forward's Internet upstream through the proxy, `btpConnect.http.caFile` makes a corporate CA trusted. Changed
// settings reach the next forward without a reload.

const settings = () => vscode.workspace.getConfiguration();
let proxy: BasicAuthProxy;
let tlsServer: Server;
let service: DestinationServiceClient;
let serviceAgents: HttpAgents;

/** Resolves once the extension has built a network other than `before` (it rebuilds on a settings change). */
async function networkAfter(before: OutboundNetwork): Promise<OutboundNetwork> {
  const api = await extensionApi();
  // Bounded: the rebuild reads a file at most; 30 s is a watchdog, not a measurement.
  for (let attempt = 0; attempt < 1_500; attempt++) {
    if (api.ctx.registry.network !== before) return api.ctx.registry.network;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('the extension did not rebuild its network after the settings changed');
}

async function getThroughForward(destination: string, path: string): Promise<{ status: number; body: string }> {
  const api = await extensionApi();
  const live = await api.ctx.registry.get('sandbox');
  const info = await live.startForward({ destination, port: 0, allowWebSocket: false, passCookies: false });
  try {
    // undici's own client: VS Code patches Node's http and fetch for its proxy support, which would send even this
    // loopback request to the proxy under test.
    const response = await request(`${api.ctx.registry.urlForApps(info)}${path}`);
    return { status: response.statusCode, body: await response.body.text() };
  } finally {
    await live.forwards.stop(info.id);
  }
}

describe('corporate proxies and CAs from VS Code settings', () => {
  before(async () => {
    const api = await extensionApi();
    const sandbox = api.ctx.sandbox.running ?? (await api.ctx.sandbox.start());
    proxy = await startBasicAuthProxy({ users: { vscode: 'vscode-proxy-password' }, hosts: { api: Number(new URL(sandbox.endpoints.internetApiUrl).port) } });
    serviceAgents = new HttpAgents({ extraCaPem: sandbox.caPem });
    service = new DestinationServiceClient({
      binding: parseCredentials(sandbox.keys.destination, { expected: 'destination' }) as DestinationBinding,
      agents: serviceAgents,
    });
    await service.create('subaccount', {
      Name: 'corp-proxied',
      Type: 'HTTP',
      URL: `http://api.btp.test:${new URL(sandbox.endpoints.internetApiUrl).port}/v1`,
      ProxyType: 'Internet',
      Authentication: 'NoAuthentication',
    });
  });

  after(async () => {
    for (const key of ['http.proxy', 'http.proxyAuthorization', 'btpConnect.http.caFile'])
      await settings().update(key, undefined, vscode.ConfigurationTarget.Global);
    await proxy?.close();
    tlsServer?.close();
    await serviceAgents?.close();
    await vscode.commands.executeCommand('btpConnect.stopSandbox');
  });

  it('http.proxy with http.proxyAuthorization: a forward of an Internet destination goes through the proxy', async () => {
    const api = await extensionApi();
    const before = api.ctx.registry.network;
    await settings().update('http.proxy', proxy.url(), vscode.ConfigurationTarget.Global);
    await settings().update(
      'http.proxyAuthorization',
      `Basic ${Buffer.from('vscode:vscode-proxy-password').toString('base64')}`,
      vscode.ConfigurationTarget.Global,
    );
    let network = await networkAfter(before);
    // Two updates, two rebuilds: the first may have read http.proxy alone; wait for the one with the credentials too.
    while (network.route('http://api.btp.test/')?.credentials !== 'authorization') network = await networkAfter(network);
    const response = await getThroughForward('corp-proxied', '/items?top=1');
    assert.equal(response.status, 200, response.body);
    assert.equal((JSON.parse(response.body) as { path: string }).path, '/v1/items');
    assert.equal(proxy.count('api.btp.test', 'vscode'), 1, JSON.stringify(proxy.log));
  });

  it('btpConnect.http.caFile: an HTTPS destination signed by a corporate CA is refused without it and reached with it', async () => {
    const api = await extensionApi();
    const ca = createCertificateAuthority({ commonName: 'Corp Root CA in VS Code' });
    const certificate = issueServerCertificate(ca, { commonName: 'localhost', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
    tlsServer = createHttpsServer({ cert: certificate.certPem, key: certificate.keyPem }, (_req, res) => res.end('corporate'));
    await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
    await service.create('subaccount', {
      Name: 'corp-tls',
      Type: 'HTTP',
      URL: `https://127.0.0.1:${(tlsServer.address() as AddressInfo).port}`,
      ProxyType: 'Internet',
      Authentication: 'NoAuthentication',
    });
    const refused = await getThroughForward('corp-tls', '/');
    assert.equal(refused.status, 502, refused.body);

    const file = join(mkdtempSync(join(tmpdir(), 'btp-ca-')), 'corp-ca.pem');
    writeFileSync(file, ca.certPem);
    const before = api.ctx.registry.network;
    await settings().update('btpConnect.http.caFile', file, vscode.ConfigurationTarget.Global);
    const network = await networkAfter(before);
    assert.match(network.describe(), /corp-ca\.pem/);
    const reached = await getThroughForward('corp-tls', '/');
    assert.deepEqual(reached, { status: 200, body: 'corporate' });
  });
});
