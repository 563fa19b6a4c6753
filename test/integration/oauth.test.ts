import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { parseCredentials } from '../../src/core/bindings/parseCredentials';
import { ErrorCode, isBtpError } from '../../src/core/errors';
import { HttpAgents } from '../../src/core/http/agents';
import { ServiceTokens } from '../../src/core/oauth/serviceTokens';
import { requestToken, type TokenClient } from '../../src/core/oauth/tokenRequest';
import { PROVIDER_TENANT_ID, SUBSCRIBER_TENANT_ID } from '../../src/sandbox/base/world';
import { decodeClaims, startSandboxFixture, type SandboxFixture } from '../support/sandboxFixture';

// The core OAuth client: grants against the sandbox token service, and the wire format against a recorder.

let f: SandboxFixture;
before(async () => {
  f = await startSandboxFixture();
});
after(async () => {
  await f.close();
});

interface Recorded {
  headers: IncomingMessage['headers'];
  body: string;
}

/** A token endpoint that records requests and answers with the given status and body. */
async function recorder(status: number, body: string): Promise<{ url: string; requests: Recorded[]; server: Server }> {
  const requests: Recorded[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      requests.push({ headers: req.headers, body: text });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth/token`, requests, server };
}

const secretClient = (tokenUrl: string, extra: Partial<TokenClient> = {}): TokenClient => ({
  tokenUrl,
  clientId: 'sb-client!b1',
  auth: { kind: 'secret', clientSecret: 's3cr$t&=x' },
  ...extra,
});

describe('OAuth wire format', () => {
  it('client_credentials sends the credentials in the form body in xssec order, no Authorization header', async () => {
    const rec = await recorder(200, '{"access_token":"t","token_type":"bearer","expires_in":60}');
    try {
      const token = await requestToken(secretClient(rec.url, { headers: { 'x-zid': 'zone-1' } }), { type: 'client_credentials' }, { agents: f.agents });
      assert.equal(token.accessToken, 't');
      assert.equal(token.expiresIn, 60);
      const [request] = rec.requests;
      assert.equal(request?.body, 'grant_type=client_credentials&client_id=sb-client%21b1&client_secret=s3cr%24t%26%3Dx');
      assert.equal(request?.headers.authorization, undefined);
      assert.equal(request?.headers['x-zid'], 'zone-1');
      assert.equal(request?.headers['content-type'], 'application/x-www-form-urlencoded');
      assert.equal(request?.headers.accept, 'application/json');
    } finally {
      rec.server.close();
    }
  });

  it('basic client authentication puts id:secret in Authorization (raw, as UAA expects) and none in the body', async () => {
    const rec = await recorder(200, '{"access_token":"t","expires_in":60}');
    try {
      await requestToken(secretClient(rec.url, { clientAuthentication: 'basic' }), { type: 'password', username: 'u', password: 'p' }, { agents: f.agents });
      const request = rec.requests[0];
      assert.equal(request?.headers.authorization, `Basic ${Buffer.from('sb-client!b1:s3cr$t&=x').toString('base64')}`);
      assert.equal(request?.body, 'grant_type=password&username=u&password=p');
    } finally {
      rec.server.close();
    }
  });

  it('maps answers: 401 OAuth error → TokenRejected (no secret in the message), 500 → TokenFailed, 200 without access_token → TokenFailed', async () => {
    for (const [status, body, code] of [
      [401, '{"error":"unauthorized","error_description":"Bad credentials"}', ErrorCode.TokenRejected],
      [500, 'oops', ErrorCode.TokenFailed],
      [200, '{"token_type":"bearer"}', ErrorCode.TokenFailed],
    ] as const) {
      const rec = await recorder(status, body);
      try {
        await assert.rejects(requestToken(secretClient(rec.url), { type: 'client_credentials' }, { agents: f.agents }), (error: unknown) => {
          assert.ok(isBtpError(error, code), String(error));
          assert.doesNotMatch(error.message, /s3cr/);
          if (status === 401) assert.match(error.message, /rejected client "sb-client!b1" \(401, unauthorized: Bad credentials\)/);
          return true;
        });
      } finally {
        rec.server.close();
      }
    }
  });
});

describe('OAuth grants against the sandbox token service', () => {
  it('50 concurrent cold calls cause exactly one token request', async () => {
    const binding = parseCredentials(f.sandbox.keys.connectivity, { expected: 'connectivity' });
    const agents = new HttpAgents({ extraCaPem: f.sandbox.caPem });
    const counts = f.sandbox.tokenService.requestCount;
    const before = counts.get(binding.clientId) ?? 0;
    try {
      const tokens = new ServiceTokens(binding, agents);
      const results = await Promise.all(Array.from({ length: 50 }, () => tokens.clientCredentials()));
      assert.equal(new Set(results.map((token) => token.accessToken)).size, 1);
      assert.equal((counts.get(binding.clientId) ?? 0) - before, 1);
      await tokens.clientCredentials();
      assert.equal((counts.get(binding.clientId) ?? 0) - before, 1, 'a warm call is served from the cache');
    } finally {
      await agents.close();
    }
  });

  it('tenant tokens: zid goes to the HTTPS uaadomain with x-zid, and each tenant is cached apart', async () => {
    const tokens = new ServiceTokens(f.binding, f.agents);
    const subscriber = await tokens.clientCredentials({ zid: SUBSCRIBER_TENANT_ID });
    const provider = await tokens.clientCredentials();
    assert.equal(decodeClaims(subscriber.accessToken).zid, SUBSCRIBER_TENANT_ID);
    assert.equal(decodeClaims(provider.accessToken).zid, PROVIDER_TENANT_ID);
    const bySubdomain = await tokens.clientCredentials({ subdomain: 'subscriber' }).catch((error: unknown) => error);
    // `https://subscriber.localhost:<port>` needs a hosts entry on most machines (spec §2.3): either it works
    // (the name resolves to loopback) or it fails as Unreachable, never as something else.
    if (isBtpError(bySubdomain)) assert.equal(bySubdomain.code, ErrorCode.Unreachable);
    else assert.equal(decodeClaims((bySubdomain as { accessToken: string }).accessToken).zid, SUBSCRIBER_TENANT_ID);
  });

  it('password, refresh_token and jwt-bearer grants carry the user; the user exchange keeps the user tenant', async () => {
    const app = parseCredentials(f.sandbox.keys.xsuaa, { expected: 'xsuaa' });
    const alice = f.sandbox.identity.world.user(PROVIDER_TENANT_ID, 'alice');
    const client: TokenClient = { tokenUrl: `${app.url}/oauth/token`, clientId: app.clientId, auth: app.auth };
    const login = await requestToken(client, { type: 'password', username: 'alice', password: alice?.password ?? '' }, { agents: f.agents });
    assert.equal(decodeClaims(login.accessToken).user_name, 'alice');
    assert.ok(login.refreshToken);
    const refreshed = await requestToken(client, { type: 'refresh_token', refreshToken: login.refreshToken ?? '' }, { agents: f.agents });
    assert.equal(decodeClaims(refreshed.accessToken).user_name, 'alice');
    await assert.rejects(requestToken(client, { type: 'password', username: 'alice', password: 'wrong' }, { agents: f.agents }), (error: unknown) =>
      isBtpError(error, ErrorCode.TokenRejected),
    );

    const carol = await f.userToken('carol', 'subscriber');
    const exchanged = await new ServiceTokens(f.binding, f.agents).exchangeUserToken(carol);
    const claims = decodeClaims(exchanged.accessToken);
    assert.equal(claims.user_name, 'carol');
    assert.equal(claims.zid, SUBSCRIBER_TENANT_ID);
    assert.equal(claims.client_id, f.binding.clientId);
  });

  it('X.509 credentials authenticate by client certificate over mTLS; without the certificate the token is refused', async () => {
    const binding = parseCredentials(f.sandbox.keys.destinationX509, { expected: 'destination' });
    const token = await new ServiceTokens(binding, f.agents).clientCredentials();
    assert.equal(decodeClaims(token.accessToken).client_id, binding.clientId);
    if (binding.auth.kind !== 'x509') assert.fail('expected an X.509 binding');
    const withoutCertificate: TokenClient = {
      tokenUrl: `${binding.auth.certUrl}/oauth/token`,
      clientId: binding.clientId,
      auth: { kind: 'secret', clientSecret: 'none' },
    };
    await assert.rejects(requestToken(withoutCertificate, { type: 'client_credentials' }, { agents: f.agents }), (error: unknown) =>
      isBtpError(error, ErrorCode.TokenRejected),
    );
  });
});
