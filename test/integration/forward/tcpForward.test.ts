import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ForwardManager } from '../../../src/core/forward/forwardManager';
import { startSandboxFixture, type SandboxFixture } from '../../support/sandboxFixture';

// TCP forwards to Internet TCP destinations: bytes, half-close, resets, and 1 GiB with equal digests.

let f: SandboxFixture;
let manager: ForwardManager;
let backend: Server;
let backendPort = 0;
const sockets = new Set<Socket>();
let mode: 'echo' | 'reply-after-end' | 'reset' | 'gigabyte' = 'echo';
const gigabyte = 1024 * 1024 * 1024;
let sentDigest = '';

before(async () => {
  f = await startSandboxFixture();
  manager = new ForwardManager({ client: f.client });
  backend = createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    if (mode === 'echo') socket.pipe(socket);
    if (mode === 'reply-after-end') {
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
      socket.on('end', () => socket.end(`got ${text.length} bytes`));
    }
    if (mode === 'reset') socket.once('data', () => socket.resetAndDestroy());
    if (mode === 'gigabyte') void sendGigabyte(socket);
  });
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
  backendPort = (backend.address() as AddressInfo).port;
  await f.client.create('subaccount', { Name: 'tcp-backend', Type: 'TCP', Address: `127.0.0.1:${backendPort}`, ProxyType: 'Internet' });
});
after(async () => {
  await manager.dispose();
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => backend.close(() => resolve()));
  await f.close();
});

async function sendGigabyte(socket: Socket): Promise<void> {
  const block = Buffer.alloc(1024 * 1024);
  for (let index = 0; index < block.length; index++) block[index] = (index * 31 + 7) & 0xff;
  const hash = createHash('sha256');
  for (let sent = 0; sent < gigabyte; sent += block.length) {
    hash.update(block);
    if (!socket.write(block)) await once(socket, 'drain');
  }
  sentDigest = hash.digest('hex');
  socket.end();
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true }, () => resolve(socket));
    socket.once('error', reject);
  });
}

describe('TCP forward', () => {
  it('binds loopback, relays bytes both ways and counts them', async () => {
    mode = 'echo';
    const info = await manager.start({ destination: 'tcp-backend' });
    assert.equal(info.kind, 'tcp');
    assert.match(info.localAddress, /^127\.0\.0\.1:\d+$/);
    const socket = await open(info.port);
    socket.write('hello over tcp');
    const [echo] = (await once(socket, 'data')) as [Buffer];
    assert.equal(echo.toString(), 'hello over tcp');
    socket.end();
    await once(socket, 'close');
    await manager.stop(info.id);
  });

  it('passes a half-close on: the client ends its side and still reads the answer', async () => {
    mode = 'reply-after-end';
    const info = await manager.start({ destination: 'tcp-backend' });
    const socket = await open(info.port);
    socket.end('twelve bytes');
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    await once(socket, 'end');
    assert.equal(answer, 'got 12 bytes');
    await manager.stop(info.id);
  });

  it('an upstream reset closes the client connection', async () => {
    mode = 'reset';
    const info = await manager.start({ destination: 'tcp-backend' });
    const socket = await open(info.port);
    socket.on('error', () => undefined);
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.write('x');
    await closed;
    assert.equal(socket.destroyed, true);
    const state = manager.get(info.id);
    assert.equal(state?.counters.errors, 1);
    await manager.stop(info.id);
  });

  it('a backend that is down closes the client at once and counts an error', async () => {
    await f.client.create('subaccount', { Name: 'tcp-down', Type: 'TCP', Address: '127.0.0.1:9', ProxyType: 'Internet' });
    const info = await manager.start({ destination: 'tcp-down' });
    const socket = await open(info.port);
    const failure = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
      socket.once('error', resolve);
      socket.once('close', () => resolve(undefined));
    });
    assert.equal(failure?.code, 'ECONNRESET');
    assert.equal(manager.get(info.id)?.counters.errors, 1);
    assert.equal(manager.get(info.id)?.lastError?.code, 'BTP_BACKEND_UNREACHABLE');
    await manager.stop(info.id);
  });

  it('carries 1 GiB with equal sha256 at both ends', async () => {
    mode = 'gigabyte';
    const info = await manager.start({ destination: 'tcp-backend' });
    const socket = await open(info.port);
    const hash = createHash('sha256');
    let received = 0;
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      hash.update(chunk);
    });
    await once(socket, 'end');
    assert.equal(received, gigabyte);
    assert.equal(hash.digest('hex'), sentDigest);
    socket.destroy();
    await manager.stop(info.id);
  });
});
