import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import { describe, it } from 'node:test';
import { createSigningKey, keySet, signJwt, signingKeyFromPem, signingKeyToPem, verifyJwt } from '../../../../src/sandbox/base/jwt';

// RSA key generation is the slow part: two keys serve every test.
const key = createSigningKey();
const otherKey = createSigningKey();
const nowSeconds = 1_700_000_000;
const payload = { sub: 'demo-user', zid: 'tenant-a', scope: ['uaa.resource'], exp: nowSeconds + 600 };

const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const decode = (part: string | undefined) => JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;

describe('sandbox JWT', () => {
  it('round-trips header and payload through sign and verify', () => {
    const token = signJwt(key, payload, { jku: 'https://tenant-a.localhost/token_keys' });
    const result = verifyJwt(key, token, nowSeconds);
    assert.ok(result.ok, JSON.stringify(result));
    assert.deepEqual(result.payload, payload);
    assert.deepEqual(result.header, { alg: 'RS256', typ: 'JWT', kid: key.kid, jku: 'https://tenant-a.localhost/token_keys' });
  });

  it('gives keys distinct sandbox kids', () => {
    assert.match(key.kid, /^sandbox-[0-9a-f]{8}$/);
    assert.notEqual(key.kid, otherKey.kid);
  });

  it('survives a PEM round trip of the key', () => {
    const restored = signingKeyFromPem(key.kid, signingKeyToPem(key));
    assert.match(signingKeyToPem(key), /^-----BEGIN PRIVATE KEY-----/);
    assert.equal(verifyJwt(restored, signJwt(key, payload), nowSeconds).ok, true);
    assert.equal(verifyJwt(key, signJwt(restored, payload), nowSeconds).ok, true);
  });

  it('reports a tampered payload as a bad signature', () => {
    const [header, , signature] = signJwt(key, payload).split('.');
    const forged = `${header}.${segment({ ...payload, zid: 'tenant-b' })}.${signature}`;
    assert.deepEqual(verifyJwt(key, forged, nowSeconds), { ok: false, reason: 'signature' });
  });

  it('reports a token signed with another key as a bad signature', () => {
    assert.deepEqual(verifyJwt(key, signJwt(otherKey, payload, { kid: key.kid }), nowSeconds), { ok: false, reason: 'signature' });
  });

  it('reports a stripped or garbage signature as a bad signature', () => {
    const [header, body] = signJwt(key, payload).split('.');
    assert.deepEqual(verifyJwt(key, `${header}.${body}.`, nowSeconds), { ok: false, reason: 'signature' });
    assert.deepEqual(verifyJwt(key, `${header}.${body}.AAAA`, nowSeconds), { ok: false, reason: 'signature' });
  });

  it('refuses alg none and HS256 as malformed, even with a valid RS256 signature attached', () => {
    const [, body, signature] = signJwt(key, payload).split('.');
    for (const alg of ['none', 'HS256', 'rs256', undefined]) {
      const token = `${segment({ alg, typ: 'JWT', kid: key.kid })}.${body}.${alg === 'none' ? '' : signature}`;
      assert.deepEqual(verifyJwt(key, token, nowSeconds), { ok: false, reason: 'malformed' }, `alg ${alg}`);
    }
  });

  it('refuses tokens that are not three JSON-object segments as malformed', () => {
    const [header, body, signature] = signJwt(key, payload).split('.');
    const malformed = [
      '',
      'abc',
      `${header}.${body}`,
      `${header}.${body}.${signature}.extra`,
      `${header}.!!!.${signature}`,
      `${header}.${segment([1, 2])}.${signature}`,
      `${header}.${segment('text')}.${signature}`,
      `${segment(null)}.${body}.${signature}`,
    ];
    for (const token of malformed) assert.deepEqual(verifyJwt(key, token, nowSeconds), { ok: false, reason: 'malformed' }, token);
  });

  it('reports expiry at exp and for a token without a numeric exp', () => {
    const token = signJwt(key, payload);
    assert.equal(verifyJwt(key, token, payload.exp - 1).ok, true);
    assert.deepEqual(verifyJwt(key, token, payload.exp), { ok: false, reason: 'expired' });
    assert.deepEqual(verifyJwt(key, signJwt(key, { sub: 'x' }), nowSeconds), { ok: false, reason: 'expired' });
    assert.deepEqual(verifyJwt(key, signJwt(key, { exp: String(nowSeconds + 600) }), nowSeconds), { ok: false, reason: 'expired' });
  });

  it('uses the current time by default', () => {
    const current = Math.floor(Date.now() / 1000);
    assert.equal(verifyJwt(key, signJwt(key, { exp: current + 600 })).ok, true);
    assert.deepEqual(verifyJwt(key, signJwt(key, { exp: current - 600 })), { ok: false, reason: 'expired' });
  });

  it('publishes a key set whose JWK and PEM both verify a token with node:crypto', () => {
    const { keys } = keySet(key);
    assert.equal(keys.length, 1);
    const [jwk] = keys;
    assert.ok(jwk);
    assert.equal(jwk.kid, key.kid);
    assert.equal(jwk.kty, 'RSA');
    assert.equal(jwk.alg, 'RS256');
    assert.equal(jwk.use, 'sig');
    assert.equal(typeof jwk.n, 'string');
    assert.equal(jwk.e, 'AQAB');
    assert.match(String(jwk.value), /^-----BEGIN PUBLIC KEY-----\n[\s\S]+-----END PUBLIC KEY-----\n?$/);

    const token = signJwt(key, payload);
    const [header, body, signature] = token.split('.');
    assert.equal(decode(header).kid, jwk.kid, 'the token names the published key');
    const input = Buffer.from(`${header}.${body}`);
    const sig = Buffer.from(signature ?? '', 'base64url');
    const fromPem = createPublicKey(String(jwk.value));
    const fromJwk = createPublicKey({ key: { kty: 'RSA', n: String(jwk.n), e: String(jwk.e) }, format: 'jwk' });
    assert.equal(verify('sha256', input, fromPem, sig), true);
    assert.equal(verify('sha256', input, fromJwk, sig), true);
    assert.equal(verify('sha256', input, createPublicKey(String(keySet(otherKey).keys[0]?.value)), sig), false);
  });
});
