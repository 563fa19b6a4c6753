import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { parseCredentials } from '../../../src/core/bindings/parseCredentials';
import type { ConnectivityBinding } from '../../../src/core/bindings/types';
import { ConnectivityAccess } from '../../../src/core/connectivity/connectivityAccess';
import { ForwardManager } from '../../../src/core/forward/forwardManager';
import { startSandboxFixture, type SandboxFixture } from '../../support/sandboxFixture';
import { upgradeRequest } from '../../support/webSocketEcho';

// Forwards to OnPremise destinations: local port → connectivity proxy → Cloud Connector tunnel → on-premise system.

let f: SandboxFixture;
let connectivity: ConnectivityAccess;
let manager: ForwardManager;
const partners = '/sap/opu/odata/sap/API_BUSINESS_PARTNER/A_BusinessPartner';

before(async () => {
  f = await startSandboxFixture();
  connectivity = new ConnectivityAccess(parseCredentials(f.sandbox.keys.connectivity, { expected: 'connectivity' }) as ConnectivityBinding, f.agents);
  manager = new ForwardManager({ client: f.client, connectivity });
});
after(async () => {
  await manager.dispose();
  await connectivity.close();
  await f.close();
});

function lines(socket: Socket): AsyncIterator<string> {
  let buffer = '';
  const queue: string[] = [];
  let wake: (() => void) | undefined;
  socket.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let end: number;
    while ((end = buffer.indexOf('\n')) >= 0) {
      queue.push(buffer.slice(0, end).replace(/\r$/, ''));
      buffer = buffer.slice(end + 1);
    }
    wake?.();
  });
  return {
    async next() {
      while (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      return { value: queue.shift() as string, done: false };
    },
  };
}

describe('HTTP forward to an OnPremise destination', () => {
  it('reads and writes on-premise OData through 127.0.0.1:PORT, with the Basic credentials of the destination', async () => {
    const info = await manager.start({ destination: 'onprem-erp-basic' });
    assert.equal(info.onPremise, true);
    const list = await request(`${info.localAddress}${partners}`);
    const body = (await list.body.json()) as { d: { results: { BusinessPartner: string }[] } };
    assert.equal(list.statusCode, 200);
    assert.ok(body.d.results.length > 0);

    // SAP Gateway wants a CSRF token for writes; the forward keeps the session cookie it is bound to.
    const fetched = await request(`${info.localAddress}${partners}`, { headers: { 'x-csrf-token': 'Fetch' } });
    await fetched.body.dump();
    const token = String(fetched.headers['x-csrf-token']);
    const created = await request(`${info.localAddress}${partners}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': token },
      body: JSON.stringify({ BusinessPartner: '2000042', BusinessPartnerFullName: 'Forwarded Ltd' }),
    });
    await created.body.dump();
    assert.equal(created.statusCode, 201);
    const read = await request(`${info.localAddress}${partners}('2000042')`);
    assert.match(await read.body.text(), /Forwarded Ltd/);

    const whoami = (await (await request(`${info.localAddress}/whoami`)).body.json()) as { headers: Record<string, string> };
    assert.equal(whoami.headers.host, 'erp.virtual:8000');
    assert.equal(whoami.headers.authorization, `Basic ${Buffer.from('ERPUSER:erp-password-1').toString('base64')}`);
    assert.equal(whoami.headers['sap-client'], '100');
    assert.equal(whoami.headers['proxy-authorization'], undefined);
  });

  it('rewrites redirects the Cloud Connector mapped to the virtual host back to the forward', async () => {
    const info = await manager.start({ destination: 'onprem-erp-basic' });
    const response = await request(`${info.localAddress}/redirect?to=/whoami`);
    await response.body.dump();
    assert.equal(response.statusCode, 302);
    assert.equal(response.headers.location, `http://127.0.0.1:${info.port}/whoami`);
  });

  it('uses the location ID of the destination, and passes the access-control refusal of the Cloud Connector on', async () => {
    const loc2 = await manager.start({ destination: 'onprem-erp-loc2' });
    assert.equal((await request(`${loc2.localAddress}${partners}`)).statusCode, 200);
    const denied = await request(`${loc2.localAddress}/not-exposed`);
    assert.equal(denied.statusCode, 403);
    assert.match(await denied.body.text(), /Access denied to system erp\.virtual:8000/);
  });

  it('says 503 when the Cloud Connector is gone, and recovers when it is back', async () => {
    const info = await manager.start({ destination: 'onprem-erp-basic' });
    const connector = f.sandbox.connectors[0];
    assert.ok(connector);
    await connector.disconnect();
    const down = await request(`${info.localAddress}${partners}`);
    assert.equal(down.statusCode, 503);
    assert.match(await down.body.text(), /no SAP Cloud Connector/);
    await connector.connect();
    const up = await request(`${info.localAddress}${partners}`);
    await up.body.dump();
    assert.equal(up.statusCode, 200);
  });

  it('passes WebSocket upgrades through the proxy and the tunnel when the forward allows them', async () => {
    const info = await manager.start({ destination: 'onprem-erp-basic', allowWebSocket: true });
    const { status, socket } = await upgradeRequest(info.port, {}, '/ws');
    assert.equal(status, 'HTTP/1.1 101 Switching Protocols');
    // A masked text frame "hi" (client frames must be masked), answered unmasked by the echo service.
    const mask = Buffer.from([1, 2, 3, 4]);
    const payload = Buffer.from('hi').map((byte, index) => byte ^ (mask[index % 4] ?? 0));
    socket.write(Buffer.concat([Buffer.from([0x81, 0x80 | 2]), mask, payload]));
    const [frame] = (await once(socket, 'data')) as [Buffer];
    assert.equal(frame.subarray(2).toString(), 'hi');
    socket.destroy();
  });
});

describe('TCP forward to OnPremise destinations through SOCKS5', () => {
  it('talks to the on-premise line service through 127.0.0.1:PORT', async () => {
    const info = await manager.start({ destination: 'onprem-tcp-db' });
    assert.equal(info.kind, 'tcp');
    const socket = connect(info.port, '127.0.0.1');
    const reader = lines(socket);
    socket.write('PING\r\n');
    assert.equal((await reader.next()).value, 'PONG');
    socket.write('ECHO through the tunnel\r\n');
    assert.equal((await reader.next()).value, 'through the tunnel');
    socket.write('QUIT\r\n');
    await once(socket, 'close');
  });

  it('a destination whose virtual host is not exposed fails with the Cloud Connector reason', async () => {
    await f.client.create('subaccount', { Name: 'onprem-tcp-hidden', Type: 'TCP', Address: 'hidden.virtual:7000', ProxyType: 'OnPremise' });
    const info = await manager.start({ destination: 'onprem-tcp-hidden' });
    const socket = connect(info.port, '127.0.0.1');
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.once('close', resolve));
    assert.equal(manager.get(info.id)?.lastError?.code, 'BTP_NOT_EXPOSED');
  });
});
