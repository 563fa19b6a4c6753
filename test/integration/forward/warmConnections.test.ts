import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { parseCredentials } from '../../../src/core/bindings/parseCredentials';
import type { ConnectivityBinding } from '../../../src/core/bindings/types';
import { ConnectivityAccess } from '../../../src/core/connectivity/connectivityAccess';
import { ForwardManager } from '../../../src/core/forward/forwardManager';
import { FaultProxy } from '../../support/faultProxy';
import { startSandboxFixture, type SandboxFixture } from '../../support/sandboxFixture';

// The first request after a forward's start must find its connection open (issue 18: ≤ 1 round trip more than a
// warm one): the forward opens the upstream's, or the connectivity proxy's, connection while it starts, and sends
// nothing on it until a request of the user's comes.

/**
 * The connection the forward opened while it started. Without one the test fails after a generous ceiling
 * (not a liveness bound: a loopback connect takes milliseconds) instead of hanging with its servers open.
 */
async function opened(connection: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const ceiling = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('the forward opened no connection ahead of the first request')), 30_000);
  });
  try {
    await Promise.race([connection, ceiling]);
  } finally {
    clearTimeout(timer);
  }
}

describe('a forward opens the connection of its first request while it starts', () => {
  let upstream: Server;
  const accepted: Socket[] = [];
  const requests: { method: string; url: string; socket: Socket }[] = [];

  before(async () => {
    upstream = createServer((req: IncomingMessage, res) => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', socket: req.socket });
      res.end('ok');
    });
    upstream.on('connection', (socket: Socket) => accepted.push(socket));
    upstream.listen(0, '127.0.0.1');
    await once(upstream, 'listening');
  });
  after(async () => {
    upstream.closeAllConnections();
    await new Promise((resolve) => upstream.close(resolve));
  });

  it('Internet: the upstream connection is open before the first request, which then goes out on it, alone', async () => {
    const port = (upstream.address() as AddressInfo).port;
    const client = {
      find: async (name: string) =>
        ({
          destinationConfiguration: { Name: name, Type: 'HTTP', URL: `http://127.0.0.1:${port}`, ProxyType: 'Internet', Authentication: 'NoAuthentication' },
          authTokens: [],
        }) as never,
    };
    const manager = new ForwardManager({ client });
    const connected = accepted.length > 0 ? Promise.resolve() : once(upstream, 'connection');
    try {
      const info = await manager.start({ destination: 'api' });
      await opened(connected);
      assert.equal(requests.length, 0, 'nothing was sent on the warmed connection');
      const response = await request(`${info.localAddress}/first`);
      assert.equal(await response.body.text(), 'ok');
      assert.equal(accepted.length, 1, 'the first request opened no connection of its own');
      assert.deepEqual(
        requests.map(({ method, url }) => `${method} ${url}`),
        ['GET /first'],
        'the upstream saw only the request the user sent',
      );
      assert.equal(requests[0]?.socket, accepted[0], 'the request went out on the connection opened at start');
    } finally {
      await manager.dispose();
    }
  });
});

describe('an OnPremise forward opens its connection to the connectivity proxy while it starts', () => {
  let f: SandboxFixture;
  let proxy: FaultProxy;
  let connectivity: ConnectivityAccess;

  before(async () => {
    f = await startSandboxFixture();
    proxy = await FaultProxy.start({ port: f.sandbox.connectivity.httpPort });
    const binding = parseCredentials(f.sandbox.keys.connectivity, { expected: 'connectivity' }) as ConnectivityBinding;
    connectivity = new ConnectivityAccess(binding, f.agents, {
      http: () => ({ host: '127.0.0.1', port: proxy.port }),
      socks5: () => ({ host: '127.0.0.1', port: f.sandbox.connectivity.socks5Port }),
    });
  });
  after(async () => {
    await connectivity.close();
    await proxy.close();
    await f.close();
  });

  it('before any request: one connection, not a byte on it (no token); the first request then takes it', async () => {
    const manager = new ForwardManager({ client: f.client, connectivity });
    const connected = once(proxy, 'connection');
    try {
      const info = await manager.start({ destination: 'onprem-erp-basic' });
      await opened(connected);
      assert.equal(proxy.stats.bytes.up, 0, 'nothing reached the proxy before a request');
      const response = await request(`${info.localAddress}/sap/opu/odata/sap/API_BUSINESS_PARTNER/A_BusinessPartner`);
      await response.body.dump();
      assert.equal(response.statusCode, 200);
      assert.equal(proxy.stats.connections, 1, 'the first request opened no connection of its own');
      assert.ok(proxy.stats.bytes.up > 0);
    } finally {
      await manager.dispose();
    }
  });
});
