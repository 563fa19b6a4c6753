import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Agent, request as httpRequest, createServer as createHttpServer, type Server as HttpServer, type ServerResponse } from 'node:http';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ForwardManager } from '../../../src/core/forward/forwardManager';

// Stopping a forward: close() stops accepting, lets requests in flight finish until its bound, then cuts the rest;
// destroy() (a bound of 0) cuts at once. The bound is an AbortSignal the test aborts: no timing is involved.

/** An upstream that answers a request only when the test releases it. */
class HeldUpstream {
  readonly server: HttpServer;
  private readonly waiting: ((res: ServerResponse) => void)[] = [];
  private readonly held: ServerResponse[] = [];

  constructor() {
    this.server = createHttpServer((req, res) => {
      req.resume();
      const next = this.waiting.shift();
      if (next) next(res);
      else this.held.push(res);
    });
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** The next request to arrive (or the oldest one held), as the response to answer it with. */
  next(): Promise<ServerResponse> {
    const held = this.held.shift();
    return held ? Promise.resolve(held) : new Promise((resolve) => this.waiting.push(resolve));
  }
}

function client(url: string, type = 'HTTP') {
  const destination = type === 'HTTP' ? { URL: url } : { Address: url };
  return {
    find: async (name: string) =>
      ({
        destinationConfiguration: { Name: name, Type: type, ProxyType: 'Internet', Authentication: 'NoAuthentication', ...destination },
        authTokens: [],
      }) as never,
  };
}

/**
 * A GET on a connection of its own (`Connection: close`, unless an agent keeps it alive): resolves to status and
 * body, rejects when the forward cuts it.
 */
function get(port: number, path: string, agent: Agent | false = false): Promise<{ status: number; body: string; connection?: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, ...(agent ? { connection: res.headers.connection } : {}) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** 'answered', or the error code of a request the forward cut (settled at once: no rejection goes unhandled). */
function outcome(response: Promise<unknown>): Promise<string> {
  return response.then(
    () => 'answered',
    (error: NodeJS.ErrnoException) => error.code ?? 'error',
  );
}

function refused(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });
}

describe('HTTP forward: close() drains, destroy() cuts', () => {
  const upstream = new HeldUpstream();
  let manager: ForwardManager;

  before(async () => {
    await new Promise<void>((resolve) => upstream.server.listen(0, '127.0.0.1', resolve));
    manager = new ForwardManager({ client: client(`http://127.0.0.1:${upstream.port}`) });
  });
  after(async () => {
    await manager.dispose({ graceMs: 0 });
    upstream.server.closeAllConnections();
    upstream.server.close();
  });

  it('a request in flight completes; one held past the bound is cut; new connections are refused at once', async () => {
    const info = await manager.start({ destination: 'api' });
    const first = get(info.port, '/first');
    const answerFirst = await upstream.next();
    const second = get(info.port, '/second');
    const secondCut = outcome(second);
    const answerSecond = await upstream.next();
    const bound = new AbortController();
    let stopped = false;
    const stopping = manager.stop(info.id, { signal: bound.signal, graceMs: 600_000 }).then(() => (stopped = true));
    assert.equal(await refused(info.port), 'ECONNREFUSED', 'the port still accepted a connection while closing');
    answerFirst.end('first answer');
    assert.deepEqual(await first, { status: 200, body: 'first answer' });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(stopped, false, 'close() finished while a request was still in flight');
    bound.abort();
    assert.equal(await secondCut, 'ECONNRESET');
    await stopping;
    answerSecond.destroy();
  });

  it('close() resolves once the last request in flight is answered (its connection does not linger as keep-alive)', async () => {
    const info = await manager.start({ destination: 'api' });
    const keepAlive = new Agent({ keepAlive: true });
    const only = get(info.port, '/only', keepAlive);
    const answer = await upstream.next();
    // A bound the test never reaches: only the finished request can end the close.
    const stopping = manager.stop(info.id, { graceMs: 600_000 });
    answer.end('done');
    // Answered while closing: the answer tells the client not to reuse the connection.
    assert.deepEqual(await only, { status: 200, body: 'done', connection: 'close' });
    await stopping;
    keepAlive.destroy();
  });

  it('an idle keep-alive connection does not hold close() up', async () => {
    const info = await manager.start({ destination: 'api' });
    const socket = connect(info.port, '127.0.0.1');
    await once(socket, 'connect');
    socket.write(`GET /idle HTTP/1.1\r\nHost: 127.0.0.1:${info.port}\r\nConnection: keep-alive\r\n\r\n`);
    (await upstream.next()).end('kept');
    // The answer arrived: the connection is idle now, and stays open (keep-alive).
    const [chunk] = (await once(socket, 'data')) as [Buffer];
    assert.match(chunk.toString(), /^HTTP\/1\.1 200/);
    const closedBySever = once(socket, 'close');
    await manager.stop(info.id, { graceMs: 600_000 });
    await closedBySever;
  });

  it('destroy() (a bound of 0) cuts a request in flight at once', async () => {
    const info = await manager.start({ destination: 'api' });
    const pending = outcome(get(info.port, '/held'));
    const answer = await upstream.next();
    await manager.stop(info.id, { graceMs: 0 });
    assert.equal(await pending, 'ECONNRESET');
    answer.destroy();
  });
});

describe('TCP forward: close() lets an open connection finish, destroy() cuts it', () => {
  let backend: Server;
  const backendSockets = new Set<Socket>();
  let manager: ForwardManager;

  before(async () => {
    backend = createServer({ allowHalfOpen: true }, (socket) => {
      backendSockets.add(socket);
      socket.once('close', () => backendSockets.delete(socket));
      socket.on('error', () => undefined);
      socket.pipe(socket);
    });
    await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
    manager = new ForwardManager({ client: client(`127.0.0.1:${(backend.address() as AddressInfo).port}`, 'TCP') });
  });
  after(async () => {
    await manager.dispose({ graceMs: 0 });
    for (const socket of backendSockets) socket.destroy();
    backend.close();
  });

  it('while closing, an open connection still carries bytes; close() resolves when it ends', async () => {
    const info = await manager.start({ destination: 'tcp' });
    const socket = connect(info.port, '127.0.0.1');
    socket.write('ping');
    assert.equal(((await once(socket, 'data')) as [Buffer])[0].toString(), 'ping');
    const stopping = manager.stop(info.id, { graceMs: 600_000 });
    assert.equal(await refused(info.port), 'ECONNREFUSED');
    socket.write('still there');
    assert.equal(((await once(socket, 'data')) as [Buffer])[0].toString(), 'still there');
    socket.end();
    await stopping;
  });

  it('the bound cuts a connection that stays open', async () => {
    const info = await manager.start({ destination: 'tcp' });
    const socket = connect(info.port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.write('ping');
    await once(socket, 'data');
    const bound = new AbortController();
    const stopping = manager.stop(info.id, { signal: bound.signal, graceMs: 600_000 });
    const closed = once(socket, 'close');
    bound.abort();
    await stopping;
    await closed;
  });
});
