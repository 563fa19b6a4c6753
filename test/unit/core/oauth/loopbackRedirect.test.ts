import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import { describe, it } from 'node:test';
import { ErrorCode, isBtpError } from '../../../../src/core/errors';
import { LoopbackRedirect } from '../../../../src/core/oauth/loopbackRedirect';
import { createPkce, createState, pkceChallenge } from '../../../../src/core/oauth/pkce';
import { authorizationUrl } from '../../../../src/core/oauth/userLogin';
import type { DestinationBinding } from '../../../../src/core/bindings/types';

// PKCE and state, and the one-shot loopback listener the authorization code comes back to: what it refuses, and
// that nothing it refuses ends the sign-in.

interface Answer {
  readonly status?: number;
  readonly error?: string;
  readonly text: string;
  readonly headers: Record<string, string | string[] | undefined>;
}

/** A raw request with any method and Host (undici would not send a foreign Host), to 127.0.0.1 unless `address`. */
function call(port: number, path: string, options: { method?: string; host?: string; address?: string } = {}): Promise<Answer> {
  return new Promise((resolve) => {
    const address = options.address ?? '127.0.0.1';
    const hostHeader = options.host ?? `${address.includes(':') ? `[${address}]` : address}:${port}`;
    const req = request({ host: address, port, path, method: options.method ?? 'GET', headers: { host: hostHeader }, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, headers: res.headers }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message, text: '', headers: {} }));
    req.end();
  });
}

/** Whether ::1 can be bound here (containers may have no IPv6). */
function ipv6Loopback(): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(0, '::1', () => server.close(() => resolve(true)));
  });
}

describe('PKCE and state', () => {
  it('S256 of the RFC 7636 appendix B verifier is its challenge', () => {
    assert.equal(pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'), 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('verifiers are 43 base64url characters, fresh each time, and their challenge matches', () => {
    const first = createPkce();
    const second = createPkce();
    assert.match(first.verifier, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(first.verifier, second.verifier);
    assert.equal(first.challenge, pkceChallenge(first.verifier));
    assert.equal(first.method, 'S256');
  });

  it('states are unguessable (192 bits) and unique', () => {
    const states = new Set(Array.from({ length: 100 }, createState));
    assert.equal(states.size, 100);
    for (const state of states) assert.match(state, /^[A-Za-z0-9_-]{32}$/);
  });

  it('the authorization URL carries the request and no secret of the binding', () => {
    const binding = {
      kind: 'destination',
      clientId: 'sb-x!b1|destination-xsappname!b9',
      url: 'https://sub.authentication.eu10.hana.ondemand.com/',
      auth: { kind: 'secret', clientSecret: 'S3cret!' },
    } as unknown as DestinationBinding;
    const url = new URL(
      authorizationUrl(binding, {
        clientId: binding.clientId,
        redirectUri: 'http://127.0.0.1:5000/cb',
        state: 'st',
        codeChallenge: 'ch',
        loginHint: '{"origin":"idp"}',
      }),
    );
    assert.equal(`${url.origin}${url.pathname}`, 'https://sub.authentication.eu10.hana.ondemand.com/oauth/authorize');
    assert.deepEqual(Object.fromEntries(url.searchParams), {
      response_type: 'code',
      client_id: 'sb-x!b1|destination-xsappname!b9',
      redirect_uri: 'http://127.0.0.1:5000/cb',
      state: 'st',
      code_challenge: 'ch',
      code_challenge_method: 'S256',
      login_hint: '{"origin":"idp"}',
    });
    assert.doesNotMatch(url.toString(), /S3cret/);
  });
});

describe('loopback redirect listener', () => {
  it('names localhost in its redirect URI (XSUAA registers http:// only for localhost) and resolves with the code of the first valid callback', async () => {
    const listener = await LoopbackRedirect.listen({ state: 'good-state' });
    assert.equal(listener.redirectUri, `http://localhost:${listener.port}/btp-connect/callback`);
    const answer = await call(listener.port, '/btp-connect/callback?code=the-code&state=good-state');
    assert.equal(answer.status, 200);
    assert.match(answer.text, /You can close this tab/);
    assert.match(String(answer.headers['content-security-policy']), /default-src 'none'/);
    assert.equal(answer.headers['referrer-policy'], 'no-referrer');
    assert.deepEqual(await listener.result, { code: 'the-code' });
    await listener.close();
  });

  it('listens on ::1 too, on the same port, for browsers that resolve localhost to IPv6; closing closes both', async (t) => {
    if (!(await ipv6Loopback())) return t.skip('this machine has no IPv6 loopback');
    const listener = await LoopbackRedirect.listen({ state: 's' });
    const answer = await call(listener.port, '/btp-connect/callback?code=over-ipv6&state=s', { address: '::1', host: `localhost:${listener.port}` });
    assert.equal(answer.status, 200);
    assert.deepEqual(await listener.result, { code: 'over-ipv6' });
    await listener.close();
    assert.equal((await call(listener.port, '/btp-connect/callback?code=c&state=s', { address: '::1' })).error, 'ECONNREFUSED');
    assert.equal((await call(listener.port, '/btp-connect/callback?code=c&state=s')).error, 'ECONNREFUSED');
  });

  it('refuses a wrong or repeated state, a wrong path, other methods and a foreign Host, and keeps waiting', async () => {
    const listener = await LoopbackRedirect.listen({ state: 'good-state' });
    const port = listener.port;
    const refusals: [string, Answer, number][] = [
      ['wrong state', await call(port, '/btp-connect/callback?code=c&state=bad-state'), 400],
      ['no state', await call(port, '/btp-connect/callback?code=c'), 400],
      ['two states', await call(port, '/btp-connect/callback?code=c&state=good-state&state=bad'), 400],
      ['no code', await call(port, '/btp-connect/callback?state=good-state'), 400],
      ['two codes', await call(port, '/btp-connect/callback?state=good-state&code=a&code=b'), 400],
      ['wrong path', await call(port, '/other?code=c&state=good-state'), 404],
      ['path prefix', await call(port, '/btp-connect/callback/x?code=c&state=good-state'), 404],
      ['POST', await call(port, '/btp-connect/callback?code=c&state=good-state', { method: 'POST' }), 405],
      ['foreign Host', await call(port, '/btp-connect/callback?code=c&state=good-state', { host: 'evil.example' }), 403],
      ['other port in Host', await call(port, '/btp-connect/callback?code=c&state=good-state', { host: `127.0.0.1:${port + 1}` }), 403],
    ];
    for (const [what, answer, status] of refusals) assert.equal(answer.status, status, what);
    assert.equal(listener.settled, false, 'no refusal ends the sign-in');
    assert.equal((await call(port, '/btp-connect/callback?code=c&state=good-state', { host: `localhost:${port}` })).status, 200);
    assert.deepEqual(await listener.result, { code: 'c' });
  });

  it('a second callback gets nothing: the listener is done after the first', async () => {
    const listener = await LoopbackRedirect.listen({ state: 's' });
    assert.equal((await call(listener.port, '/btp-connect/callback?code=first&state=s')).status, 200);
    const second = await call(listener.port, '/btp-connect/callback?code=second&state=s');
    assert.ok(second.status === 410 || second.error === 'ECONNREFUSED' || second.error === 'ECONNRESET', JSON.stringify(second));
    assert.deepEqual(await listener.result, { code: 'first' });
    await listener.close();
    assert.equal((await call(listener.port, '/btp-connect/callback?code=third&state=s')).error, 'ECONNREFUSED');
  });

  it('an error callback with our state ends the sign-in with SignInFailed, and escapes what it shows', async () => {
    const listener = await LoopbackRedirect.listen({ state: 's' });
    const answer = await call(listener.port, `/btp-connect/callback?state=s&error=access_denied&error_description=${encodeURIComponent('<b>no</b>')}`);
    assert.equal(answer.status, 200);
    assert.doesNotMatch(answer.text, /<b>/);
    assert.match(answer.text, /&#60;b&#62;no/);
    await assert.rejects(listener.result, (error) => isBtpError(error, ErrorCode.SignInFailed) && /access_denied/.test(error.message));
  });

  it('an error callback without our state is refused and changes nothing', async () => {
    const listener = await LoopbackRedirect.listen({ state: 's' });
    assert.equal((await call(listener.port, '/btp-connect/callback?state=x&error=access_denied')).status, 400);
    assert.equal(listener.settled, false);
    await listener.close();
    await assert.rejects(listener.result, (error) => isBtpError(error, ErrorCode.SignInFailed));
  });

  it('times out with a Timeout error and closes its port', async () => {
    const listener = await LoopbackRedirect.listen({ state: 's', timeoutMs: 50 });
    await assert.rejects(listener.result, (error) => isBtpError(error, ErrorCode.Timeout) && /sign in again/.test(error.message));
    await listener.close();
    assert.equal((await call(listener.port, '/btp-connect/callback?code=c&state=s')).error, 'ECONNREFUSED');
  });

  it('the abort signal cancels it; an aborted signal refuses to start', async () => {
    const controller = new AbortController();
    const listener = await LoopbackRedirect.listen({ state: 's', signal: controller.signal });
    controller.abort();
    await assert.rejects(listener.result, (error) => isBtpError(error, ErrorCode.SignInFailed) && /cancelled/.test(error.message));
    await assert.rejects(LoopbackRedirect.listen({ state: 's', signal: controller.signal }), (error) => isBtpError(error, ErrorCode.SignInFailed));
  });

  it('allowHost admits the forwarded address of a remote setup (asExternalUri)', async () => {
    const listener = await LoopbackRedirect.listen({ state: 's' });
    assert.equal((await call(listener.port, '/btp-connect/callback?code=c&state=s', { host: 'localhost:39999' })).status, 403);
    listener.allowHost('localhost:39999');
    assert.equal((await call(listener.port, '/btp-connect/callback?code=c&state=s', { host: 'LOCALHOST:39999' })).status, 200);
    assert.deepEqual(await listener.result, { code: 'c' });
  });
});
