import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { RequestListener, Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { ErrorCode, isBtpError } from '../../../../src/core/errors';
import type { BtpError } from '../../../../src/core/errors';
import { HttpAgents } from '../../../../src/core/http/agents';
import { headerValue, safeOrigin, sendRequest } from '../../../../src/core/http/request';
import { createCertificateAuthority, issueServerCertificate } from '../../../../src/sandbox/pki';

const service = 'Destination service';
const agents = new HttpAgents({ timeoutMs: 5_000 });
after(() => agents.close());

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** Runs `body` against a loopback server with `handler`, closing the server afterwards. */
async function withServer<T>(handler: RequestListener, body: (origin: string) => Promise<T>): Promise<T> {
  const server = createServer(handler);
  const port = await listen(server);
  try {
    return await body(`http://127.0.0.1:${port}`);
  } finally {
    await close(server);
  }
}

async function expectBtpError(promise: Promise<unknown>, code: ErrorCode): Promise<BtpError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isBtpError(error), `expected a BtpError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  return assert.fail(`expected ${code}, but the request succeeded`);
}

describe('sendRequest', () => {
  it('returns status, headers and the body as text', async () => {
    await withServer(
      (req, res) => {
        res.setHeader('Set-Cookie', ['a=1', 'b=2']);
        res.setHeader('ETag', '"v1"');
        res.writeHead(201, { 'content-type': 'application/json' });
        let received = '';
        req.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
        req.on('end', () => res.end(JSON.stringify({ method: req.method, url: req.url, auth: req.headers.authorization, received })));
      },
      async (origin) => {
        const response = await sendRequest(
          { method: 'POST', url: `${origin}/path?x=1`, headers: { authorization: 'Bearer t' }, body: 'ünïcode' },
          { dispatcher: agents.default, service },
        );
        assert.equal(response.status, 201);
        assert.deepEqual(JSON.parse(response.text), { method: 'POST', url: '/path?x=1', auth: 'Bearer t', received: 'ünïcode' });
        assert.equal(headerValue(response.headers, 'ETag'), '"v1"');
        assert.equal(headerValue(response.headers, 'set-cookie'), 'a=1');
        assert.equal(headerValue(response.headers, 'x-missing'), undefined);
      },
    );
  });

  it('reports a refused connection as Unreachable naming the origin but not the path or query', async () => {
    const server = createServer();
    const port = await listen(server);
    await close(server);
    const url = `http://127.0.0.1:${port}/destination-configuration/v1/destinations/secret-name?access_token=tok-123`;
    const error = await expectBtpError(sendRequest({ method: 'GET', url }, { dispatcher: agents.default, service }), ErrorCode.Unreachable);
    assert.ok(error.message.startsWith(`${service} at http://127.0.0.1:${port} could not be reached (ECONNREFUSED).`), error.message);
    assert.match(error.message, /Nothing listens there/);
    for (const fragment of ['/destination-configuration', 'secret-name', 'access_token', 'tok-123']) {
      assert.ok(!error.message.includes(fragment), `${fragment} in ${error.message}`);
      assert.ok(!JSON.stringify(error).includes(fragment), `${fragment} in toJSON`);
    }
    assert.deepEqual(error.details, { code: 'ECONNREFUSED' });
  });

  it('keeps URL credentials out of the message', async () => {
    const server = createServer();
    const port = await listen(server);
    await close(server);
    const promise = sendRequest({ method: 'GET', url: `http://user:pass-word-1@127.0.0.1:${port}/x` }, { dispatcher: agents.default, service });
    const error = await expectBtpError(promise, ErrorCode.Unreachable);
    assert.ok(!error.message.includes('pass-word-1') && !error.message.includes('user:'), error.message);
    assert.ok(error.message.includes(`http://127.0.0.1:${port}`), error.message);
  });

  it('reports a server that never answers as Timeout', async () => {
    const quick = new HttpAgents({ timeoutMs: 200 });
    try {
      await withServer(
        () => undefined,
        async (origin) => {
          const error = await expectBtpError(
            sendRequest({ method: 'GET', url: `${origin}/slow?q=1` }, { dispatcher: quick.default, service }),
            ErrorCode.Timeout,
          );
          assert.equal(error.message, `${service} at ${origin} did not answer in time (UND_ERR_HEADERS_TIMEOUT).`);
        },
      );
    } finally {
      await quick.close();
    }
  });

  it('reports a body that stalls half-way as Timeout', async () => {
    const quick = new HttpAgents({ timeoutMs: 200 });
    try {
      await withServer(
        (_req, res) => {
          res.writeHead(200, { 'content-length': '100' });
          res.write('only part of it');
        },
        async (origin) => {
          const error = await expectBtpError(sendRequest({ method: 'GET', url: origin }, { dispatcher: quick.default, service }), ErrorCode.Timeout);
          assert.match(error.message, /UND_ERR_BODY_TIMEOUT/);
        },
      );
    } finally {
      await quick.close();
    }
  });

  it('reports a cancelled request as Timeout with code ABORTED', async () => {
    const controller = new AbortController();
    await withServer(
      () => controller.abort(),
      async (origin) => {
        const promise = sendRequest({ method: 'GET', url: origin }, { dispatcher: agents.default, service, signal: controller.signal });
        const error = await expectBtpError(promise, ErrorCode.Timeout);
        assert.equal(error.message, `The request to ${service} at ${origin} was cancelled.`);
        assert.deepEqual(error.details, { code: 'ABORTED' });
      },
    );
  });

  it('drops a body larger than maxBodyBytes with ServiceError, and accepts one of exactly that size', async () => {
    await withServer(
      (req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('x'.repeat(req.url === '/big' ? 64 * 1024 : 1000));
      },
      async (origin) => {
        const options = { dispatcher: agents.default, service, maxBodyBytes: 1000 };
        const error = await expectBtpError(sendRequest({ method: 'GET', url: `${origin}/big` }, options), ErrorCode.ServiceError);
        assert.equal(error.message, `${service} at ${origin} sent more than 1000 bytes; the answer was dropped.`);
        assert.equal(error.status, 200);
        const exact = await sendRequest({ method: 'GET', url: `${origin}/exact` }, options);
        assert.equal(exact.text.length, 1000);
      },
    );
  });

  it('names an invalid URL without echoing it', () => {
    assert.equal(safeOrigin('not a url?password=x'), '(invalid URL)');
    assert.equal(safeOrigin('https://u:p@host.example:8443/a/b?c=d#e'), 'https://host.example:8443');
  });
});

describe('sendRequest over TLS', () => {
  const ca = createCertificateAuthority({ commonName: 'BTP Connect Test CA' });
  const leaf = issueServerCertificate(ca, { commonName: 'localhost', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
  const wrongName = issueServerCertificate(ca, { commonName: 'elsewhere.localhost', dnsNames: ['elsewhere.localhost'] });

  async function withTlsServer(pair: { certPem: string; keyPem: string }, body: (origin: string) => Promise<void>): Promise<void> {
    const server = createTlsServer({ cert: pair.certPem, key: pair.keyPem }, (_req, res) => res.end('secure hello'));
    const port = await listen(server);
    try {
      await body(`https://127.0.0.1:${port}`);
    } finally {
      await close(server);
    }
  }

  it('reports an untrusted certificate as Unreachable naming the CA its chain ends at and how to trust it', async () => {
    await withTlsServer(leaf, async (origin) => {
      const error = await expectBtpError(
        sendRequest({ method: 'GET', url: `${origin}/x?y=z` }, { dispatcher: agents.default, service }),
        ErrorCode.Unreachable,
      );
      assert.match(error.message, /Its TLS certificate is not trusted: the chain ends at "CN=BTP Connect Test CA", which is not among the trusted CAs\./);
      assert.match(error.message, /pass --ca <file> \(CLI\), set NODE_EXTRA_CA_CERTS=<file>, or set btpConnect\.http\.caFile \(VS Code\)/);
      assert.ok(error.message.startsWith(`${service} at ${origin} could not be reached (`), error.message);
      assert.ok(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN'].includes(String(error.details?.code)), String(error.details?.code));
    });
  });

  it('succeeds once the CA is passed as extraCaPem', async () => {
    const trusting = new HttpAgents({ extraCaPem: ca.certPem });
    try {
      await withTlsServer(leaf, async (origin) => {
        const response = await sendRequest({ method: 'GET', url: origin }, { dispatcher: trusting.default, service });
        assert.equal(response.status, 200);
        assert.equal(response.text, 'secure hello');
      });
    } finally {
      await trusting.close();
    }
  });

  it('reports a trusted certificate for another host name with the trust hint', async () => {
    const trusting = new HttpAgents({ extraCaPem: ca.certPem });
    try {
      await withTlsServer(wrongName, async (origin) => {
        const error = await expectBtpError(sendRequest({ method: 'GET', url: origin }, { dispatcher: trusting.default, service }), ErrorCode.Unreachable);
        assert.equal(error.details?.code, 'ERR_TLS_CERT_ALTNAME_INVALID');
        assert.match(error.message, /TLS certificate is not trusted/);
      });
    } finally {
      await trusting.close();
    }
  });
});
