import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { checkDestination } from '../../../src/core/diagnosis/checkDestination';
import { ErrorCode } from '../../../src/core/errors';
import { ForwardManager, type ForwardInfo } from '../../../src/core/forward/forwardManager';
import { startSandboxFixture, type SandboxFixture } from '../../support/sandboxFixture';

// ClientCertificateAuthentication through our forward: the sandbox's mTLS API answers only clients that presented a
// certificate of the sandbox CA, so a 200 proves the key store from certificates[] went into the TLS handshake.

let f: SandboxFixture;
let manager: ForwardManager;
const wrongPassword = 'wrong-keystore-password-9';

before(async () => {
  f = await startSandboxFixture();
  manager = new ForwardManager({ client: f.client });
  const { value } = await f.client.get('subaccount', 'internet-client-certificate');
  await f.client.create('subaccount', { ...value, Name: 'p12-wrong-password', KeyStorePassword: wrongPassword });
  await f.client.create('subaccount', { ...value, Name: 'p12-no-password', KeyStorePassword: '' });
  await f.client.create('subaccount', { ...value, Name: 'mtls-without-certificate', Authentication: 'NoAuthentication' });
});
after(async () => {
  await manager.dispose();
  await f.close();
});

async function get(info: ForwardInfo, path: string) {
  const response = await request(`${info.localAddress}${path}`);
  const text = await response.body.text();
  return { status: response.statusCode, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

describe('forward with ClientCertificateAuthentication', () => {
  it('a PKCS#12 key store (.p12 + KeyStorePassword) reaches the mTLS API with the sandbox client certificate', async () => {
    const info = await manager.start({ destination: 'internet-client-certificate' });
    const answer = await get(info, '/x?y=1');
    assert.equal(answer.status, 200, answer.text);
    const body = answer.json() as { service: string; path: string; clientCertificate: { subject: string; issuer: string } };
    assert.equal(body.service, 'sandbox-mtls-api');
    assert.equal(body.path, '/internet-client-certificate/x');
    assert.equal(body.clientCertificate.subject, 'CN=sandbox-backend-client');
  });

  it('the PEM key store variant reaches it too', async () => {
    const info = await manager.start({ destination: 'internet-client-certificate-pem' });
    const answer = await get(info, '/x');
    assert.equal(answer.status, 200, answer.text);
    assert.equal((answer.json() as { clientCertificate: { subject: string } }).clientCertificate.subject, 'CN=sandbox-backend-client');
  });

  it("without a client certificate the mTLS API refuses (the control: the 200s above are the certificate's doing)", async () => {
    const info = await manager.start({ destination: 'mtls-without-certificate' });
    const answer = await get(info, '/x');
    assert.equal(answer.status, 401, answer.text);
    assert.match(answer.text, /client certificate issued by the sandbox CA is required \(none was presented\)/);
  });

  it('a wrong KeyStorePassword: a coded 502 naming KeyStorePassword (never its value), and check fails at the auth token hop', async () => {
    const info = await manager.start({ destination: 'p12-wrong-password' });
    const answer = await get(info, '/x');
    assert.equal(answer.status, 502);
    const error = (answer.json() as { error: { code: string; message: string } }).error;
    assert.equal(error.code, ErrorCode.InvalidInput);
    assert.match(
      error.message,
      /KeyStorePassword of destination "p12-wrong-password" does not open the key store "backend-client\.p12" \(mac verify failure\)/,
    );
    assert.ok(!answer.text.includes(wrongPassword));

    const result = await checkDestination('p12-wrong-password', { client: f.client, agents: f.agents });
    assert.equal(result.firstFailure?.hop, 'authToken', JSON.stringify(result.hops));
    assert.equal(result.firstFailure?.code, ErrorCode.InvalidInput);
    assert.match(result.firstFailure?.fix ?? '', /Set KeyStorePassword of destination "p12-wrong-password"/);
    assert.ok(!JSON.stringify(result).includes(wrongPassword));
  });

  it('a password-protected key store without KeyStorePassword says that the property is not set', async () => {
    const info = await manager.start({ destination: 'p12-no-password' });
    const answer = await get(info, '/x');
    assert.equal(answer.status, 502);
    const error = (answer.json() as { error: { code: string; message: string } }).error;
    assert.equal(error.code, ErrorCode.InvalidInput);
    assert.match(error.message, /The key store "backend-client\.p12" of destination "p12-no-password" is password-protected and KeyStorePassword is not set/);
  });

  it('check: the p12 destination is healthy end to end (TLS with the client certificate, 200)', async () => {
    const result = await checkDestination('internet-client-certificate', { client: f.client, agents: f.agents });
    assert.equal(result.firstFailure, undefined, JSON.stringify(result.hops));
    assert.equal(result.status, 200);
    assert.equal(
      result.hops.find((hop) => hop.hop === 'authToken')?.detail,
      'ClientCertificateAuthentication: key store backend-client.p12 for the TLS handshake',
    );
  });
});
