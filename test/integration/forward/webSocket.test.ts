import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { ForwardManager } from '../../../src/core/forward/forwardManager';
import { ALL_DESTINATIONS } from '../../../src/core/forward/router';
import { startSandboxFixture, type SandboxFixture } from '../../support/sandboxFixture';
import { startWebSocketEcho, upgradeRequest } from '../../support/webSocketEcho';

// WebSocket upgrades through an HTTP forward: only where allowed, only from local origins, with credentials.

let f: SandboxFixture;
let manager: ForwardManager;
let echo: Awaited<ReturnType<typeof startWebSocketEcho>>;

before(async () => {
  f = await startSandboxFixture();
  manager = new ForwardManager({ client: f.client });
  echo = await startWebSocketEcho();
  await f.client.create('subaccount', {
    Name: 'ws-api',
    Type: 'HTTP',
    URL: `http://127.0.0.1:${echo.port}/socket`,
    ProxyType: 'Internet',
    Authentication: 'BasicAuthentication',
    User: 'ws',
    Password: 'ws-password-1',
  });
});
after(async () => {
  await manager.dispose();
  await echo.close();
  await f.close();
});

describe('WebSocket upgrades through an HTTP forward', () => {
  it('passes the upgrade with the destination credentials and relays frames both ways', async () => {
    const info = await manager.start({ destination: 'ws-api', allowWebSocket: true });
    const { status, socket } = await upgradeRequest(info.port, { Origin: `http://127.0.0.1:${info.port}`, Authorization: 'Basic Y2FuYXJ5' });
    assert.equal(status, 'HTTP/1.1 101 Switching Protocols');
    const seen = echo.upgrades.at(-1);
    assert.equal(seen?.authorization, `Basic ${Buffer.from('ws:ws-password-1').toString('base64')}`);
    assert.equal(seen?.host, `127.0.0.1:${echo.port}`);
    socket.write('frame-bytes');
    const [chunk] = (await once(socket, 'data')) as [Buffer];
    assert.equal(chunk.toString(), 'frame-bytes');
    socket.destroy();
  });

  it('refuses upgrades on forwards that do not allow them, and from foreign or IP-literal origins', async () => {
    const closed = await manager.start({ destination: 'ws-api' });
    assert.equal((await upgradeRequest(closed.port, {})).status, 'HTTP/1.1 403 Forbidden');
    const open = await manager.start({ destination: 'ws-api', allowWebSocket: true });
    const before = echo.upgrades.length;
    for (const origin of ['http://evil.example', 'http://192.168.1.5:8080', `http://127.0.0.1:${open.port + 1}`]) {
      assert.equal((await upgradeRequest(open.port, { Origin: origin })).status, 'HTTP/1.1 403 Forbidden', origin);
    }
    assert.equal(echo.upgrades.length, before, 'nothing reached the upstream');
  });

  it('through one port for all destinations: the first path segment picks the destination of the upgrade', async () => {
    const all = await manager.start({ destination: ALL_DESTINATIONS, allowWebSocket: true });
    const { status, socket } = await upgradeRequest(all.port, { Origin: `http://127.0.0.1:${all.port}` }, '/ws-api/chat');
    assert.equal(status, 'HTTP/1.1 101 Switching Protocols');
    assert.equal(echo.upgrades.at(-1)?.authorization, `Basic ${Buffer.from('ws:ws-password-1').toString('base64')}`);
    socket.destroy();
    const before = echo.upgrades.length;
    assert.equal((await upgradeRequest(all.port, {}, '/')).status, 'HTTP/1.1 400 Bad Request');
    assert.equal(echo.upgrades.length, before);
  });
});
