import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, it, type TestContext } from 'node:test';
import { PROVIDER_TENANT_ID } from '../../../src/sandbox/base/world';
import { CloudConnector } from '../../../src/sandbox/cloudConnector/connector';
import { connectivityToken, proxyRequest } from '../../support/connectivityClient';
import { startSandboxFixture, type SandboxFixture } from '../../support/sandboxFixture';
import { openWebSocket } from '../../support/webSocketClient';

// Bodies and WebSockets through the proxy, the HTTP/2 tunnel and the Cloud Connector.

let f: SandboxFixture;
let token: string;
before(async () => {
  f = await startSandboxFixture();
  token = await connectivityToken(f);
});
after(async () => {
  await f.close();
});

describe('streaming through the connectivity proxy', () => {
  it('carries a 16 MiB body both ways (upload and echoed download) with equal sha256', async () => {
    const chunkCount = 256;
    const chunks = Array.from({ length: chunkCount }, () => randomBytes(64 * 1024));
    const sent = createHash('sha256');
    for (const chunk of chunks) sent.update(chunk);
    const received = createHash('sha256');
    let receivedBytes = 0;
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: f.sandbox.connectivity.httpPort,
          method: 'POST',
          path: 'http://erp.virtual:8000/echo',
          agent: false,
          headers: { host: 'erp.virtual:8000', 'proxy-authorization': `Bearer ${token}`, 'content-type': 'application/octet-stream' },
        },
        (res) => {
          res.on('data', (chunk: Buffer) => {
            receivedBytes += chunk.length;
            received.update(chunk);
          });
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      pipeline(Readable.from(chunks), req).catch(reject);
    });
    assert.equal(status, 200);
    assert.equal(receivedBytes, chunkCount * 64 * 1024);
    assert.equal(received.digest('hex'), sent.digest('hex'));
  });
});

/** A backend of the test's own behind a Cloud Connector with its own location ID. */
async function ownBackend(t: TestContext, locationId: string, handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<void> {
  const backend = createServer(handle);
  backend.listen(0, '127.0.0.1');
  await once(backend, 'listening');
  const connector = new CloudConnector({
    tunnelUrl: f.sandbox.connectivity.tunnelUrl,
    secret: f.sandbox.identity.connectorSecret,
    subaccountId: PROVIDER_TENANT_ID,
    locationId,
    mappings: [
      {
        virtualHost: 'own.virtual',
        virtualPort: 80,
        localHost: '127.0.0.1',
        localPort: (backend.address() as AddressInfo).port,
        protocol: 'HTTP',
        resources: [{ id: '/', enabled: true, exactMatchOnly: false }],
      },
    ],
  });
  t.after(async () => {
    await connector.close();
    backend.closeAllConnections();
    await new Promise((resolve) => backend.close(resolve));
  });
  await connector.connect();
}

describe('response heads and bodiless requests through the connectivity proxy', () => {
  it(
    'sends the head of a response whose body has not come yet: a backend that holds its body until the client has the head',
    { timeout: 20_000 },
    async (t) => {
      // The proxy writes a small response's head together with its body; it must not wait for a body that is slow.
      let release!: () => void;
      const headSeen = new Promise<void>((resolve) => (release = resolve));
      await ownBackend(t, 'slow-body', (req, res) => {
        req.resume();
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.flushHeaders();
        void headSeen.then(() => res.end('the body, after the head'));
      });
      const result = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port: f.sandbox.connectivity.httpPort,
            path: 'http://own.virtual:80/slow',
            agent: false,
            headers: { host: 'own.virtual:80', 'proxy-authorization': `Bearer ${token}`, 'SAP-Connectivity-SCC-Location_ID': 'slow-body' },
          },
          (res) => {
            release();
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end();
      });
      assert.deepEqual(result, { status: 200, body: 'the body, after the head' });
    },
  );

  it('a request without a body reaches the backend as one (POST with Content-Length: 0, GET, DELETE), one with a body unchanged', async (t) => {
    const seen: { method: string; length: string | undefined; chunked: boolean; body: string }[] = [];
    await ownBackend(t, 'bodies', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        seen.push({
          method: req.method ?? '',
          length: req.headers['content-length'],
          chunked: req.headers['transfer-encoding'] === 'chunked',
          body: Buffer.concat(chunks).toString(),
        });
        res.end('ok');
      });
    });
    const send = (method: string, headers: Record<string, string>, body?: string) =>
      proxyRequest(f, 'http://own.virtual:80/b', {
        method,
        token,
        headers: { 'SAP-Connectivity-SCC-Location_ID': 'bodies', ...headers },
        ...(body === undefined ? {} : { body }),
      });
    for (const [method, headers, body] of [
      ['POST', { 'content-length': '0' }, ''],
      ['GET', {}, undefined],
      ['DELETE', {}, undefined],
      ['POST', { 'content-length': '4' }, 'data'],
      ['PUT', { 'transfer-encoding': 'chunked' }, 'chunked data'],
    ] as const) {
      const response = await send(method, headers, body);
      assert.equal(response.status, 200, `${method}: ${response.text}`);
    }
    assert.deepEqual(seen, [
      { method: 'POST', length: '0', chunked: false, body: '' },
      { method: 'GET', length: undefined, chunked: false, body: '' },
      { method: 'DELETE', length: undefined, chunked: false, body: '' },
      { method: 'POST', length: '4', chunked: false, body: 'data' },
      { method: 'PUT', length: undefined, chunked: true, body: 'chunked data' },
    ]);
  });
});

describe('WebSocket through the connectivity proxy', () => {
  const headers = () => ({ 'proxy-authorization': `Bearer ${token}` });

  it('upgrades on a resource with websocketUpgradeAllowed and echoes text, binary and fragmented messages', async () => {
    const result = await openWebSocket(f.sandbox.connectivity.httpPort, 'http://erp.virtual:8000/ws', headers());
    assert.ok(result.upgraded, JSON.stringify(result));
    const ws = result.socket;
    ws.send(0x1, 'hello on-premise');
    assert.deepEqual(await ws.next(), { opcode: 0x1, data: Buffer.from('hello on-premise') });
    const binary = randomBytes(70_000);
    ws.send(0x2, binary);
    const echoed = await ws.next();
    assert.equal(echoed.opcode, 0x2);
    assert.ok(echoed.data.equals(binary));
    ws.send(0x1, 'frag', false);
    ws.send(0x0, 'mented');
    assert.equal((await ws.next()).data.toString(), 'fragmented');
    ws.send(0x9, 'ping?');
    assert.deepEqual(await ws.next(), { opcode: 0xa, data: Buffer.from('ping?') });
    ws.send(0x8, Buffer.from([0x03, 0xe8]));
    assert.deepEqual(await ws.next(), { opcode: 0x8, data: Buffer.from([0x03, 0xe8]) });
    ws.close();
  });

  it('the upgrade request reaches the backend with the virtual Host and the propagated user', async () => {
    const alice = await f.userToken('alice');
    const result = await openWebSocket(f.sandbox.connectivity.httpPort, 'http://erp.virtual:8000/ws', {
      ...headers(),
      'SAP-Connectivity-Authentication': `Bearer ${alice}`,
    });
    assert.ok(result.upgraded);
    result.socket.send(0x1, 'WHOAMI');
    assert.deepEqual(JSON.parse((await result.socket.next()).data.toString()), { user: 'alice', host: 'erp.virtual:8000' });
    result.socket.close();
  });

  it('refuses the upgrade with 403 on a resource without websocketUpgradeAllowed, 407 without a token, 503 without a connector', async () => {
    const denied = await openWebSocket(f.sandbox.connectivity.httpPort, 'http://erp.virtual:8000/whoami', headers());
    assert.equal(denied.upgraded, false);
    assert.equal(!denied.upgraded && denied.status, 403);
    assert.match(!denied.upgraded ? denied.text : '', /Access denied to system erp\.virtual:8000/);
    const anonymous = await openWebSocket(f.sandbox.connectivity.httpPort, 'http://erp.virtual:8000/ws', {});
    assert.equal(!anonymous.upgraded && anonymous.status, 407);
    const nowhere = await openWebSocket(f.sandbox.connectivity.httpPort, 'http://erp.virtual:8000/ws', {
      ...headers(),
      'SAP-Connectivity-SCC-Location_ID': 'nowhere',
    });
    assert.equal(!nowhere.upgraded && nowhere.status, 503);
  });
});
