import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { Socket, type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Pool, buildConnector } from 'undici';
import { WarmConnector } from '../../../../src/core/http/warmConnector';
import { createCertificateAuthority, issueServerCertificate } from '../../../../src/sandbox/pki';

// WarmConnector gives undici's pools a connection opened ahead of their first request. What must hold: the
// request takes that connection even while it is still connecting, a spare that failed or that the server closed
// is never handed out, and nothing is ever sent on a spare.

describe('WarmConnector', () => {
  let server: Server;
  let origin: string;
  const accepted: Socket[] = [];
  let onConnection: ((socket: Socket) => void) | undefined;

  before(async () => {
    server = createServer((req, res) => res.end(`${req.method} ${req.url}`));
    server.on('connection', (socket: Socket) => {
      accepted.push(socket);
      onConnection?.(socket);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const fresh = () => {
    accepted.length = 0;
    onConnection = undefined;
  };

  async function get(pool: Pool, path: string): Promise<string> {
    const { body } = await pool.request({ method: 'GET', path });
    return body.text();
  }

  it('a request sent while the spare is still connecting goes out on it', async () => {
    fresh();
    const connector = new WarmConnector(buildConnector({}), 10_000);
    const pool = new Pool(origin, { connect: connector.connect });
    try {
      assert.equal(connector.warm(origin), true);
      assert.equal(connector.warm(origin), false, 'one spare per origin');
      assert.equal(await get(pool, '/first'), 'GET /first');
      assert.equal(accepted.length, 1);
    } finally {
      connector.close();
      await pool.close();
    }
  });

  it('a spare whose connect failed is not handed out: the request connects on its own', async () => {
    fresh();
    const real = buildConnector({});
    let calls = 0;
    const connector = new WarmConnector((options, callback) => {
      calls++;
      if (calls > 1) return real(options, callback);
      const socket = new Socket();
      process.nextTick(() => callback(new Error('refused'), null));
      return socket;
    }, 10_000);
    const pool = new Pool(origin, { connect: connector.connect });
    try {
      connector.warm(origin);
      assert.equal(await get(pool, '/after-failure'), 'GET /after-failure');
      assert.equal(calls, 2);
    } finally {
      connector.close();
      await pool.close();
    }
  });

  it('a spare the server closed while idle is retired, and the next request gets a working connection', async () => {
    fresh();
    const closed = new Promise<void>((resolve) => {
      onConnection = (socket) => {
        onConnection = undefined;
        // The server gives up on the idle connection (its idle timeout); the spare must notice.
        socket.once('close', () => resolve());
        socket.end();
      };
    });
    const connector = new WarmConnector(buildConnector({}), 10_000);
    const pool = new Pool(origin, { connect: connector.connect });
    try {
      connector.warm(origin);
      await closed;
      assert.equal(await get(pool, '/after-close'), 'GET /after-close');
      assert.equal(accepted.length, 2, 'the closed spare was not reused');
    } finally {
      connector.close();
      await pool.close();
    }
  });

  it('close() destroys a spare nobody took', async () => {
    fresh();
    const gone = new Promise<void>((resolve) => (onConnection = (socket) => socket.once('close', () => resolve())));
    const connector = new WarmConnector(buildConnector({}), 10_000);
    connector.warm(origin);
    await once(server, 'connection');
    connector.close();
    await gone;
    assert.equal(accepted.length, 1);
  });

  it('https: the TLS handshake is done ahead (verified for the host name), and the request goes out on that session', async () => {
    const ca = createCertificateAuthority({ commonName: 'Warm Test CA' });
    const leaf = issueServerCertificate(ca, { commonName: 'localhost', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
    const tlsServer = createHttpsServer({ cert: leaf.certPem, key: leaf.keyPem }, (req, res) => res.end(`${req.method} ${req.url}`));
    const handshakes: unknown[] = [];
    tlsServer.on('secureConnection', (socket) => handshakes.push(socket));
    tlsServer.listen(0, '127.0.0.1');
    await once(tlsServer, 'listening');
    const tlsOrigin = `https://localhost:${(tlsServer.address() as AddressInfo).port}`;
    const connector = new WarmConnector(buildConnector({ ca: [ca.certPem] }), 10_000);
    const pool = new Pool(tlsOrigin, { connect: connector.connect });
    try {
      const handshaken = once(tlsServer, 'secureConnection');
      assert.equal(connector.warm(tlsOrigin), true);
      await handshaken;
      assert.equal(await get(pool, '/tls'), 'GET /tls');
      assert.equal(handshakes.length, 1, 'no second handshake for the first request');
    } finally {
      connector.close();
      await pool.close();
      tlsServer.closeAllConnections();
      await new Promise((resolve) => tlsServer.close(resolve));
    }
  });

  it('a TCP connection opened earlier (the CLI entry) becomes the spare: the request goes out on it, no second connection', async () => {
    fresh();
    const connector = new WarmConnector(buildConnector({}), 10_000);
    const pool = new Pool(origin, { connect: connector.connect });
    const early = new Socket().connect(Number(new URL(origin).port), '127.0.0.1');
    try {
      assert.equal(connector.warm(origin, early), true);
      assert.equal(await get(pool, '/early'), 'GET /early');
      assert.equal(accepted.length, 1);
      assert.equal(accepted[0]?.remotePort, early.localPort, 'the early connection carried the request');
    } finally {
      connector.close();
      await pool.close();
    }
  });

  it('https over an early TCP connection: TLS is set up on it (verified for the host name), no second connection', async () => {
    const ca = createCertificateAuthority({ commonName: 'Warm Test CA' });
    const leaf = issueServerCertificate(ca, { commonName: 'localhost', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
    const tlsServer = createHttpsServer({ cert: leaf.certPem, key: leaf.keyPem }, (req, res) => res.end(`${req.method} ${req.url}`));
    const connections: Socket[] = [];
    tlsServer.on('connection', (socket: Socket) => connections.push(socket));
    tlsServer.listen(0, '127.0.0.1');
    await once(tlsServer, 'listening');
    const port = (tlsServer.address() as AddressInfo).port;
    const tlsOrigin = `https://localhost:${port}`;
    const connector = new WarmConnector(buildConnector({ ca: [ca.certPem] }), 10_000);
    const pool = new Pool(tlsOrigin, { connect: connector.connect });
    const early = new Socket().connect(port, '127.0.0.1');
    try {
      assert.equal(connector.warm(tlsOrigin, early), true);
      assert.equal(await get(pool, '/early-tls'), 'GET /early-tls');
      assert.equal(connections.length, 1);
      assert.equal(connections[0]?.remotePort, early.localPort);
    } finally {
      connector.close();
      await pool.close();
      tlsServer.closeAllConnections();
      await new Promise((resolve) => tlsServer.close(resolve));
    }
  });

  it('an early connection that failed is not handed out, and one given while a spare exists is closed', async () => {
    fresh();
    const connector = new WarmConnector(buildConnector({}), 10_000);
    const pool = new Pool(origin, { connect: connector.connect });
    const refused = new Socket();
    refused.on('error', () => undefined);
    // Port 1 on loopback: nothing listens there, the connect fails.
    refused.connect(1, '127.0.0.1');
    try {
      assert.equal(connector.warm(origin, refused), true);
      assert.equal(await get(pool, '/after-failure'), 'GET /after-failure');
      const spare = new Socket().connect(Number(new URL(origin).port), '127.0.0.1');
      const extra = new Socket().connect(Number(new URL(origin).port), '127.0.0.1');
      extra.on('error', () => undefined);
      assert.equal(connector.warm(`${origin}/other`, spare), true);
      assert.equal(connector.warm(origin, extra), false);
      assert.equal(extra.destroyed, true);
    } finally {
      connector.close();
      await pool.close();
    }
  });
});
