import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connectivityToken, proxyRequest } from '../../support/connectivityClient';
import { startSandboxFixture, type SandboxFixture } from '../../support/sandboxFixture';

// Gateway's CSRF check as a client without a forward meets it: through the connectivity proxy and the Cloud
// Connector, with the cookies in the client's own hands. A token is good only with the session cookie it was
// handed out with; no token, another session's token, or the token without its cookie is 403 "X-CSRF-Token: Required".

let f: SandboxFixture;
let token: string;
before(async () => {
  f = await startSandboxFixture();
  token = await connectivityToken(f);
});
after(async () => {
  await f.close();
});

const base = 'http://erp.virtual:8000/sap/opu/odata/sap/API_BUSINESS_PARTNER';
const basic = `Basic ${Buffer.from('ERPUSER:erp-password-1').toString('base64')}`;
const call = (url: string, method = 'GET', headers: Record<string, string> = {}, body?: string) =>
  proxyRequest(f, url, { token, method, headers: { authorization: basic, accept: 'application/json', ...headers }, ...(body === undefined ? {} : { body }) });

async function fetchSession(method = 'HEAD'): Promise<{ token: string; cookie: string }> {
  const response = await call(base, method, { 'X-CSRF-Token': 'Fetch' });
  assert.equal(response.status, 200);
  const cookies = ([] as string[]).concat(response.headers['set-cookie'] ?? []);
  assert.match(cookies[0] ?? '', /^SAP_SESSIONID_ERP_100=/);
  return { token: String(response.headers['x-csrf-token']), cookie: cookies.map((cookie) => cookie.split(';')[0]).join('; ') };
}

describe('Gateway CSRF sessions through the Cloud Connector', () => {
  it('HEAD on the service root hands out a token and a session; the token works with its own cookie only', async () => {
    const a = await fetchSession('HEAD');
    const b = await fetchSession('GET');
    assert.notEqual(a.token, b.token);
    const post = (headers: Record<string, string>) =>
      call(
        `${base}/A_BusinessPartner`,
        'POST',
        { 'content-type': 'application/json', ...headers },
        JSON.stringify({ BusinessPartnerFullName: 'Session test' }),
      );
    for (const [why, headers] of [
      ['no token', {}],
      ['no cookie', { 'x-csrf-token': a.token }],
      ['a foreign session', { 'x-csrf-token': a.token, cookie: b.cookie }],
      ['a wrong token', { 'x-csrf-token': 'nonsense', cookie: a.cookie }],
    ] as const) {
      const refused = await post(headers);
      assert.equal(refused.status, 403, why);
      assert.equal(refused.headers['x-csrf-token'], 'Required', why);
      assert.equal(refused.text, 'CSRF token validation failed', why);
    }
    const created = await post({ 'x-csrf-token': a.token, cookie: a.cookie });
    assert.equal(created.status, 201, created.text);
    // Fetching again within the session gives the same token and no new cookie.
    const again = await call(base, 'GET', { 'x-csrf-token': 'fetch', cookie: a.cookie });
    assert.equal(again.headers['x-csrf-token'], a.token);
    assert.equal(again.headers['set-cookie'], undefined);
  });

  it("a wrong password is 401 with SAP's realm, before any CSRF check", async () => {
    const response = await proxyRequest(f, `${base}/A_BusinessPartner`, {
      token,
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from('ERPUSER:wrong').toString('base64')}` },
      body: '{}',
    });
    assert.equal(response.status, 401);
    assert.equal(response.headers['www-authenticate'], 'Basic realm="SAP NetWeaver Application Server [ERP/100]"');
  });
});
