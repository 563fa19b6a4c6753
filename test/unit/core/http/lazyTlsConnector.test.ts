import assert from 'node:assert/strict';
import { lookup as dnsLookup } from 'node:dns';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { LookupFunction } from '../../../../src/core/http/outbound';
import { lazyTlsConnector } from '../../../../src/core/http/lazyTlsConnector';
import { Agent } from '../../../../src/core/http/undici';
import { createCertificateAuthority, issueServerCertificate } from '../../../../src/sandbox/pki';

// A cold process spends ~30 ms reading the OS trust store and building a TLS context. The connector makes the TLS
// options only when an https connection needs them (issue 18); the connection itself is undici's, as before.

const ca = createCertificateAuthority({ commonName: 'Lazy TLS Test CA' });
const leaf = issueServerCertificate(ca, { commonName: 'localhost', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
let https: Server;
let http: Server;
const port = (server: Server) => (server.address() as AddressInfo).port;

before(async () => {
  https = createHttpsServer({ cert: leaf.certPem, key: leaf.keyPem }, (_req, res) => res.end('secure'));
  http = createHttpServer((_req, res) => res.end('plain'));
  await Promise.all([https, http].map((server) => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))));
});
after(() => {
  https.close();
  http.close();
});

/** A lookup that answers as the OS would and records when it was asked. */
function recordingLookup(events: string[]): LookupFunction {
  return (hostname, options, callback) => {
    events.push(`lookup ${hostname}`);
    dnsLookup(hostname, { ...options, family: 4 }, callback as never);
  };
}

async function get(agent: Agent, origin: string): Promise<string> {
  const { body } = await agent.request({ origin, path: '/', method: 'GET' });
  return body.text();
}

describe('lazyTlsConnector', () => {
  it('an http:// service never makes the TLS options (no trust store read)', async () => {
    let made = 0;
    const agent = new Agent({ connect: lazyTlsConnector({ timeout: 10_000 }, () => (made++, { ca: [ca.certPem] })) });
    try {
      assert.equal(await get(agent, `http://127.0.0.1:${port(http)}`), 'plain');
      assert.equal(made, 0);
    } finally {
      await agent.close();
    }
  });

  it('https: the TLS options are made for the first https connection, once for every connection after it', async () => {
    const events: string[] = [];
    const connector = lazyTlsConnector({ timeout: 10_000, lookup: recordingLookup(events) }, () => {
      events.push('tls options');
      return { ca: [ca.certPem] };
    });
    const agent = new Agent({ connect: connector, pipelining: 0 });
    const origin = `https://localhost:${port(https)}`;
    try {
      assert.equal(await get(agent, `http://localhost:${port(http)}`), 'plain');
      assert.deepEqual(events, ['lookup localhost'], 'none for http://');
      assert.equal(await get(agent, origin), 'secure');
      // A second and third connection at the same time (pipelining off): the options built once are reused.
      await Promise.all([get(agent, origin), get(agent, origin)]);
      assert.equal(events.filter((event) => event === 'tls options').length, 1);
    } finally {
      await agent.close();
    }
  });

  it("https to a name whose first address refuses reaches the next one (Node's address fallback under TLS)", async () => {
    // ::1 first, as a dual-stack name resolves; the server listens on 127.0.0.1 only.
    const lookup: LookupFunction = (_hostname, options, callback) => {
      const addresses = [
        { address: '::1', family: 6 },
        { address: '127.0.0.1', family: 4 },
      ];
      if ((options as { all?: boolean }).all) callback(null, addresses);
      else callback(null, '::1', 6);
    };
    const agent = new Agent({ connect: lazyTlsConnector({ timeout: 10_000, lookup }, () => ({ ca: [ca.certPem] })) });
    try {
      assert.equal(await get(agent, `https://localhost:${port(https)}`), 'secure');
    } finally {
      await agent.close();
    }
  });

  it("https still checks the server's certificate against the options it was given, and a refused port is an error", async () => {
    const untrusting = new Agent({ connect: lazyTlsConnector({ timeout: 10_000 }, () => ({})) });
    try {
      await assert.rejects(get(untrusting, `https://127.0.0.1:${port(https)}`), /self-signed|unable to (get|verify)/i);
    } finally {
      await untrusting.close();
    }
    const closed = createHttpServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const gone = port(closed);
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const agent = new Agent({ connect: lazyTlsConnector({ timeout: 10_000 }, () => ({ ca: [ca.certPem] })) });
    try {
      await assert.rejects(get(agent, `https://127.0.0.1:${gone}`), (error: NodeJS.ErrnoException) => error.code === 'ECONNREFUSED');
    } finally {
      await agent.close();
    }
  });
});
