import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { SUBSCRIBER_TENANT_ID } from '../../../src/sandbox/base/world';
import { connectivityToken, connectivityUserToken, proxyRequest } from '../../support/connectivityClient';
import { startSandboxFixture, type SandboxFixture } from '../../support/sandboxFixture';

// Spec §8 check 23: principal propagation through the HTTP proxy. erp.virtual:8000 on the default location has
// principal type X509_GENERAL; the same system behind location loc2 has NONE.

let f: SandboxFixture;
let token: string;
let alice: string;
before(async () => {
  f = await startSandboxFixture();
  token = await connectivityToken(f);
  alice = await f.userToken('alice');
});
after(async () => {
  await f.close();
});

interface WhoAmI {
  headers: Record<string, string>;
  user: string | null;
  clientCertificate: { subject: string; issuer: string; validFrom: string; validTo: string; trusted: boolean } | null;
}

const whoami = 'http://erp.virtual:8000/whoami';

describe('check 23: principal propagation', () => {
  it('SAP-Connectivity-Authentication with a user JWT (no Authorization) reaches the backend as a CA-issued user certificate and X-Emulated-User', async () => {
    const response = await proxyRequest(f, whoami, { token, headers: { 'SAP-Connectivity-Authentication': `Bearer ${alice}` } });
    assert.equal(response.status, 200, response.text);
    const seen = response.json<WhoAmI>();
    assert.equal(seen.user, 'alice');
    assert.equal(seen.headers.authorization, undefined);
    assert.equal(seen.headers['sap-connectivity-authentication'], undefined);
    const certificate = seen.clientCertificate;
    assert.ok(certificate, 'SSL_CLIENT_CERT arrived');
    assert.match(certificate.subject, /(^|\n)CN=alice$/m);
    assert.match(certificate.issuer, /CN=BTP Connect Sandbox CA/);
    assert.equal(certificate.trusted, true);
    // Short-lived: valid for at most a day (plus the hour of clock skew the CA backdates).
    assert.ok(Date.parse(certificate.validTo) - Date.parse(certificate.validFrom) <= 25 * 3600 * 1000);
    // The header itself is base64 DER that the sandbox CA verifies.
    const raw = new X509Certificate(Buffer.from(seen.headers.ssl_client_cert ?? '', 'base64'));
    assert.ok(raw.verify(new X509Certificate(f.sandbox.caPem).publicKey));
  });

  it('takes the user from a jwt-bearer exchanged connectivity token in Proxy-Authorization', async () => {
    const bob = await connectivityUserToken(f, await f.userToken('bob'));
    const response = await proxyRequest(f, whoami, { token: bob });
    assert.equal(response.status, 200, response.text);
    assert.equal(response.json<WhoAmI>().user, 'bob');
  });

  it('a mapping with authenticationMode NONE (location loc2) ignores the propagated user', async () => {
    const response = await proxyRequest(f, whoami, {
      token,
      headers: { 'SAP-Connectivity-Authentication': `Bearer ${alice}`, 'SAP-Connectivity-SCC-Location_ID': 'loc2' },
    });
    assert.equal(response.status, 200, response.text);
    const seen = response.json<WhoAmI>();
    assert.equal(seen.user, null);
    assert.equal(seen.clientCertificate, null);
    assert.equal(seen.headers['sap-connectivity-authentication'], undefined);
  });

  it('without a propagated user the X509 mapping forwards no certificate', async () => {
    const seen = (await proxyRequest(f, whoami, { token })).json<WhoAmI>();
    assert.equal(seen.user, null);
    assert.equal(seen.clientCertificate, null);
  });

  it('a forged propagation header cannot replace the verified user', async () => {
    const response = await proxyRequest(f, whoami, {
      token,
      headers: { 'SAP-Connectivity-Authentication': `Bearer ${alice}`, 'X-Emulated-User': 'mallory', SSL_CLIENT_CERT: 'forged' },
    });
    const seen = response.json<WhoAmI>();
    assert.equal(seen.user, 'alice');
    assert.match(seen.clientCertificate?.subject ?? '', /CN=alice/);
  });

  it('refuses an invalid user token (407), a user of another subaccount (407) and a user in both headers (400)', async () => {
    const invalid = await proxyRequest(f, whoami, { token, headers: { 'SAP-Connectivity-Authentication': `Bearer ${alice.slice(0, -6)}AAAAAA` } });
    assert.equal(invalid.status, 407);
    assert.match(invalid.text, /SAP-Connectivity-Authentication is invalid/);
    const carol = await f.userToken('carol', 'subscriber');
    const foreign = await proxyRequest(f, whoami, { token, headers: { 'SAP-Connectivity-Authentication': `Bearer ${carol}` } });
    assert.equal(foreign.status, 407);
    const bob = await connectivityUserToken(f, await f.userToken('bob'));
    const both = await proxyRequest(f, whoami, { token: bob, headers: { 'SAP-Connectivity-Authentication': `Bearer ${alice}` } });
    assert.equal(both.status, 400);
    const clientOnly = await proxyRequest(f, whoami, { token, headers: { 'SAP-Connectivity-Authentication': `Bearer ${token}` } });
    assert.equal(clientOnly.status, 407);
    assert.match(clientOnly.text, /carries no user/);
  });

  it('a subscriber user with the subscriber connectivity token gets 503: no Cloud Connector serves that subaccount', async () => {
    const carol = await f.userToken('carol', 'subscriber');
    const response = await proxyRequest(f, whoami, {
      token: await connectivityToken(f, SUBSCRIBER_TENANT_ID),
      headers: { 'SAP-Connectivity-Authentication': `Bearer ${carol}` },
    });
    assert.equal(response.status, 503);
  });
});
