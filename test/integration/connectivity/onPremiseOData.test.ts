import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connectivityToken, proxyRequest, type ProxyRequestInit } from '../../support/connectivityClient';
import { startSandboxFixture, type SandboxFixture } from '../../support/sandboxFixture';

// The on-premise OData service, only through the proxy and the Cloud Connector: CRUD on A_BusinessPartner.

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
const set = `${base}/A_BusinessPartner`;
type Partner = Record<string, string> & { __metadata?: { uri: string } };

const call = (url: string, init: Omit<ProxyRequestInit, 'token'> & { json?: unknown } = {}) =>
  proxyRequest(f, url, {
    token,
    ...init,
    headers: { accept: 'application/json', ...(init.json === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
    ...(init.json === undefined ? {} : { body: JSON.stringify(init.json) }),
  });

describe('on-premise OData through the Cloud Connector', () => {
  it('lists the seeded business partners, with $top/$skip, links on the virtual host', async () => {
    const all = await call(set);
    assert.equal(all.status, 200, all.text);
    const results = all.json<{ d: { results: Partner[] } }>().d.results;
    assert.deepEqual(
      results.map((partner) => partner.BusinessPartner),
      ['1000001', '1000002', '1000003', '1000004'],
    );
    assert.equal(results[0]?.__metadata?.uri, `${set}('1000001')`);
    const page = await call(`${set}?$top=2&$skip=1&$inlinecount=allpages`);
    const body = page.json<{ d: { __count: string; results: Partner[] } }>().d;
    assert.deepEqual(
      body.results.map((partner) => partner.BusinessPartner),
      ['1000002', '1000003'],
    );
    assert.equal(body.__count, '4');
    assert.equal((await call(`${set}?$top=-1`)).status, 400);
  });

  it('reads one partner by key; an unknown key is 404 with an OData error', async () => {
    const one = await call(`${set}('1000003')`);
    assert.equal(one.status, 200);
    assert.equal(one.json<{ d: Partner }>().d.BusinessPartnerFullName, 'Ada Lovelace');
    const missing = await call(`${set}('9999999')`);
    assert.equal(missing.status, 404);
    assert.equal(missing.json<{ error: { code: string } }>().error.code, '/IWBEP/CM_MGW_RT/020');
  });

  it('creates (201 + Location), updates (PATCH 204), and deletes (204) a partner, with a CSRF token and its session', async () => {
    const fetched = await call(base, { headers: { 'x-csrf-token': 'Fetch' } });
    const cookie = ([] as string[])
      .concat(fetched.headers['set-cookie'] ?? [])
      .map((value) => value.split(';')[0])
      .join('; ');
    const csrf = { 'x-csrf-token': String(fetched.headers['x-csrf-token']), cookie };
    const write = (url: string, init: Parameters<typeof call>[1]) => call(url, { ...init, headers: { ...csrf, ...init?.headers } });
    assert.equal((await call(set, { method: 'POST', json: {} })).status, 403, 'no token');
    assert.equal((await write(set, { method: 'POST', json: { BusinessPartnerCategory: '2', Ignored: 'x' } })).status, 400, 'an unknown property');
    const created = await write(set, { method: 'POST', json: { BusinessPartnerCategory: '2', BusinessPartnerFullName: 'Initech' } });
    assert.equal(created.status, 201, created.text);
    const partner = created.json<{ d: Partner }>().d;
    assert.equal(partner.BusinessPartner, '1000005');
    assert.equal(created.headers.location, `${set}('1000005')`);
    assert.equal((await write(set, { method: 'POST', json: { BusinessPartner: '1000005' } })).status, 400);

    const patched = await write(`${set}('1000005')`, { method: 'PATCH', json: { BusinessPartnerFullName: 'Initech Corporation' } });
    assert.equal(patched.status, 204);
    assert.equal(patched.text, '');
    assert.equal((await call(`${set}('1000005')`)).json<{ d: Partner }>().d.BusinessPartnerFullName, 'Initech Corporation');
    assert.equal((await write(`${set}('1000005')`, { method: 'PATCH', json: { BusinessPartner: '1' } })).status, 400);

    assert.equal((await write(`${set}('1000005')`, { method: 'DELETE' })).status, 204);
    assert.equal((await call(`${set}('1000005')`)).status, 404);
    assert.equal((await write(set, { method: 'POST', body: 'not json', headers: { 'content-type': 'application/json' } })).status, 400);
  });

  it('hands out a CSRF token on x-csrf-token: Fetch, as SAP Gateway does', async () => {
    const response = await call(base, { headers: { 'x-csrf-token': 'Fetch' } });
    assert.equal(response.status, 200);
    assert.match(String(response.headers['x-csrf-token']), /^[A-Za-z0-9+/=]{24}$/);
    assert.match(String(response.headers['set-cookie']), /SAP_SESSIONID_ERP_100=/);
    assert.deepEqual(response.json(), { d: { EntitySets: ['A_BusinessPartner', 'A_BusinessPartnerAddress'] } });
  });

  it('is the same system behind location loc2', async () => {
    const response = await call(`${set}('1000001')`, { headers: { 'SAP-Connectivity-SCC-Location_ID': 'loc2' } });
    assert.equal(response.status, 200);
    assert.equal(response.json<{ d: Partner }>().d.BusinessPartnerFullName, 'Acme Corporation');
  });
});
