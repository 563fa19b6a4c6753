import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectFailure, responseVerdict, tlsFailure } from '../../../../src/core/diagnosis/verdicts';
import { ErrorCode } from '../../../../src/core/errors';

// The pure verdicts of a connection check: certificate codes, connect errors and backend statuses in words.

describe('check verdicts', () => {
  it('names the certificate problem and the destination property that fixes it', () => {
    const table: [string, RegExp, RegExp][] = [
      ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', /its issuer is not a trusted CA/, /TrustStoreLocation/],
      ['SELF_SIGNED_CERT_IN_CHAIN', /chain ends in a CA that is not trusted/, /TrustStoreLocation/],
      ['DEPTH_ZERO_SELF_SIGNED_CERT', /it is self-signed/, /TrustStoreLocation/],
      ['CERT_HAS_EXPIRED', /it has expired/, /currently valid certificate/],
      ['ERR_TLS_CERT_ALTNAME_INVALID', /it does not name this host/, /host name the certificate is issued for/],
    ];
    for (const [code, detail, fix] of table) {
      const failure = tlsFailure(code, 'api.example.com', { subject: 'CN=api', issuer: 'CN=Corp CA', validTo: 'Jan  1 00:00:00 2020 GMT' });
      assert.equal(failure.code, ErrorCode.Unreachable, code);
      assert.match(failure.detail, detail, code);
      assert.match(failure.detail, /\(subject CN=api, issuer CN=Corp CA, valid to Jan {2}1 00:00:00 2020 GMT\)/, code);
      assert.match(failure.fix, fix, code);
    }
    const handshake = tlsFailure('ERR_SSL_WRONG_VERSION_NUMBER', 'api.example.com');
    assert.match(handshake.detail, /TLS handshake with api\.example\.com failed \(ERR_SSL_WRONG_VERSION_NUMBER\)/);
    assert.match(handshake.fix, /scheme matches the port/);
  });

  it('tells DNS, refused and timed-out connections apart, for the backend and for the proxy', () => {
    const error = (code: string) => Object.assign(new Error(code), { code });
    const backend = { host: 'api.example.com', port: 443 };
    assert.equal(
      connectFailure(error('ENOTFOUND'), backend, 'backend').detail,
      'api.example.com:443 could not be reached: the host name api.example.com does not resolve.',
    );
    assert.match(connectFailure(error('ENOTFOUND'), backend, 'backend').fix, /ProxyType OnPremise/);
    assert.equal(connectFailure(error('ETIMEDOUT'), backend, 'backend').code, ErrorCode.Timeout);
    assert.equal(connectFailure(error('ECONNREFUSED'), backend, 'backend').code, ErrorCode.BackendUnreachable);
    const proxy = connectFailure(error('ECONNREFUSED'), { host: 'connectivityproxy.internal', port: 20003 }, 'connectivityProxy');
    assert.equal(proxy.code, ErrorCode.ProxyUnreachable);
    assert.match(proxy.fix, /btp-connect tunnel setup/);
    assert.match(proxy.fix, /"onpremise_proxy_http_port"/);
    assert.match(connectFailure(error('ECONNREFUSED'), { host: 'x', port: 20004 }, 'socks5').fix, /"onpremise_socks5_proxy_port"/);
  });

  it('takes a backend answer below 500 as reachable, except 401 and 403, which point at the credentials', () => {
    assert.deepEqual(responseVerdict(200, 'NoAuthentication', 'd'), { ok: true, detail: '200 OK' });
    assert.deepEqual(responseVerdict(302, 'NoAuthentication', 'd'), { ok: true, detail: '302 Found' });
    const notFound = responseVerdict(404, 'NoAuthentication', 'd');
    assert.ok(notFound.ok);
    assert.match(notFound.detail, /^404 Not Found: the system answers/);
    const table: [number, string, string, RegExp][] = [
      [401, 'NoAuthentication', ErrorCode.Unauthorized, /sends none: set its Authentication/],
      [401, 'OAuth2ClientCredentials', ErrorCode.Unauthorized, /credentials of destination "d" \(OAuth2ClientCredentials\)/],
      [403, 'BasicAuthentication', ErrorCode.Forbidden, /"User" and "Password" of destination "d", and that this user has the authorisations/],
      [500, 'BasicAuthentication', ErrorCode.ServiceError, /system itself is failing/],
    ];
    for (const [status, authentication, code, fix] of table) {
      const verdict = responseVerdict(status, authentication, 'd');
      assert.ok(!verdict.ok, `${status}`);
      assert.equal(verdict.failure.code, code);
      assert.match(verdict.failure.fix, fix);
    }
  });
});
