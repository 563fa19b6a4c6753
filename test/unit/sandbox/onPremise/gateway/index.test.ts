import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { GatewayService, servicePath } from '../../../../../src/sandbox/onPremise/gateway';

// SAP Gateway's OData V2 behaviour of the sandbox ERP's API_BUSINESS_PARTNER, over plain HTTP (the Cloud Connector
// gate is left out here; the integration tests go through it).

let server: Server;
let root: string;
const basic = `Basic ${Buffer.from('ERPUSER:erp-password-1').toString('base64')}`;

before(async () => {
  const gateway = new GatewayService({ pageSize: 3 });
  server = createServer((req, res) => {
    void gateway.handle(req, res, new URL(req.url ?? '/', 'http://erp')).then((handled) => {
      if (!handled) res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  root = `http://127.0.0.1:${(server.address() as AddressInfo).port}${servicePath}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

type Entity = Record<string, unknown> & { __metadata: { id: string; uri: string; type: string } };
const get = async (path: string, headers: Record<string, string> = {}) =>
  fetch(`${root}/${path}`, { headers: { authorization: basic, accept: 'application/json', ...headers } });
const results = async (path: string): Promise<{ results: Entity[]; __count?: string; __next?: string }> => {
  const response = await get(path);
  assert.equal(response.status, 200, await response.clone().text());
  return ((await response.json()) as { d: { results: Entity[] } }).d;
};
const keys = (rows: Entity[]) => rows.map((row) => row.BusinessPartner);

async function session(): Promise<{ token: string; cookie: string }> {
  const response = await fetch(`${root}/`, { method: 'HEAD', headers: { authorization: basic, 'x-csrf-token': 'Fetch' } });
  assert.equal(response.status, 200);
  return {
    token: response.headers.get('x-csrf-token') as string,
    cookie: response.headers
      .getSetCookie()
      .map((cookie) => cookie.split(';')[0])
      .join('; '),
  };
}

describe('Gateway OData V2: reads', () => {
  it('service document and $metadata with the sap: annotations', async () => {
    assert.deepEqual(await (await get('')).json(), { d: { EntitySets: ['A_BusinessPartner', 'A_BusinessPartnerAddress'] } });
    const metadata = await get('$metadata');
    assert.equal(metadata.headers.get('content-type'), 'application/xml');
    const xml = await metadata.text();
    assert.match(xml, /<edmx:Edmx Version="1.0"/);
    assert.match(xml, /m:IsDefaultEntityContainer="true"/);
    assert.match(xml, /<Property Name="BusinessPartnerFullName" Type="Edm.String" Nullable="true" MaxLength="81" sap:label="Full Name"/);
    assert.match(
      xml,
      /<NavigationProperty Name="to_BusinessPartnerAddress" Relationship="API_BUSINESS_PARTNER.assoc_A_BusinessPartnerType_to_BusinessPartnerAddress"/,
    );
    assert.match(xml, /<EntitySet Name="A_BusinessPartner" EntityType="API_BUSINESS_PARTNER.A_BusinessPartnerType" sap:creatable="true"/);
  });

  it('pages on the server (__next with $skiptoken) and counts with $inlinecount', async () => {
    const first = await results('A_BusinessPartner?$inlinecount=allpages');
    assert.deepEqual(keys(first.results), ['1000001', '1000002', '1000003']);
    assert.equal(first.__count, '4');
    assert.equal(first.__next, `${root}/A_BusinessPartner?$inlinecount=allpages&$skiptoken=3`);
    const second = await results(String(first.__next).slice(root.length + 1));
    assert.deepEqual(keys(second.results), ['1000004']);
    assert.equal(second.__next, undefined);
    assert.equal(first.results[0]?.__metadata.uri, `${root}/A_BusinessPartner('1000001')`);
    assert.equal(first.results[0]?.__metadata.type, 'API_BUSINESS_PARTNER.A_BusinessPartnerType');
    assert.deepEqual(first.results[0]?.to_BusinessPartnerAddress, { __deferred: { uri: `${root}/A_BusinessPartner('1000001')/to_BusinessPartnerAddress` } });
  });

  it('$filter: comparisons, and/or/not, substringof, startswith, literals with quotes', async () => {
    const cases: [string, string[]][] = [
      ["BusinessPartner eq '1000003'", ['1000003']],
      ["BusinessPartnerCategory ne '1'", ['1000001', '1000002']],
      ["BusinessPartner gt '1000002' and BusinessPartner le '1000004'", ['1000003', '1000004']],
      ["BusinessPartner lt '1000002' or BusinessPartner ge '1000004'", ['1000001', '1000004']],
      ["not (BusinessPartnerCategory eq '2')", ['1000003', '1000004']],
      ["substringof('Lovelace', BusinessPartnerFullName)", ['1000003']],
      ["startswith(BusinessPartnerFullName,'G') eq true", ['1000002', '1000004']],
      ["tolower(FirstName) eq 'grace'", ['1000004']],
      ["BusinessPartnerFullName eq 'O''Brien'", []],
      ['BusinessPartnerIsBlocked eq false and length(SearchTerm1) gt 5', ['1000002', '1000003', '1000004']],
    ];
    for (const [filter, expected] of cases)
      assert.deepEqual(keys((await results(`A_BusinessPartner?$filter=${encodeURIComponent(filter)}`)).results), expected, filter);
    const bad = await get(`A_BusinessPartner?$filter=${encodeURIComponent("Nope eq '1'")}`);
    assert.equal(bad.status, 400);
    const error = ((await bad.json()) as { error: { code: string; message: { lang: string; value: string }; innererror: { transactionid: string } } }).error;
    assert.equal(error.message.lang, 'en');
    assert.match(error.message.value, /Property 'Nope' not found/);
    assert.match(error.innererror.transactionid, /^[0-9A-F]{32}$/);
    assert.equal((await get(`A_BusinessPartner?$filter=${encodeURIComponent('BusinessPartner eq 1')}`)).status, 400);
    assert.equal((await get('A_BusinessPartner?$unknown=1')).status, 400);
  });

  it('$select, $orderby (several, asc/desc), $top, $skip, /$count', async () => {
    const selected = await results(
      'A_BusinessPartner?$select=BusinessPartner,LastName&$orderby=BusinessPartnerCategory asc,BusinessPartner desc&$top=3&$skip=1',
    );
    assert.deepEqual(keys(selected.results), ['1000003', '1000002', '1000001']);
    assert.deepEqual(Object.keys(selected.results[0] ?? {}), ['__metadata', 'BusinessPartner', 'LastName']);
    const count = await get(`A_BusinessPartner/$count?$filter=${encodeURIComponent("BusinessPartnerCategory eq '1'")}`);
    assert.equal(await count.text(), '2');
    assert.equal((await get('A_BusinessPartner?$top=-1')).status, 400);
  });

  it('$expand and navigation paths', async () => {
    const expanded = await results(
      `A_BusinessPartner?$filter=${encodeURIComponent("BusinessPartner eq '1000001'")}&$expand=to_BusinessPartnerAddress&$select=BusinessPartner,to_BusinessPartnerAddress/CityName`,
    );
    const addresses = (expanded.results[0]?.to_BusinessPartnerAddress as { results: Entity[] }).results;
    assert.deepEqual(
      addresses.map((address) => address.CityName),
      ['Berlin', 'Hamburg'],
    );
    assert.deepEqual(Object.keys(addresses[0] ?? {}), ['__metadata', 'CityName']);
    assert.equal(addresses[0]?.__metadata.uri, `${root}/A_BusinessPartnerAddress(BusinessPartner='1000001',AddressID='1')`);
    const navigated = await results("A_BusinessPartner('1000001')/to_BusinessPartnerAddress?$orderby=CityName desc");
    assert.deepEqual(
      navigated.results.map((address) => address.CityName),
      ['Hamburg', 'Berlin'],
    );
    const one = await get("A_BusinessPartnerAddress(BusinessPartner='1000003',AddressID='4')");
    assert.equal(((await one.json()) as { d: Entity }).d.CityName, 'London');
    assert.equal((await get("A_BusinessPartner('9999999')/to_BusinessPartnerAddress")).status, 404);
    assert.equal((await get('A_Nothing')).status, 404);
  });
});

describe('Gateway OData V2: logon, CSRF, writes, $batch', () => {
  it('checks Basic credentials and the client', async () => {
    const wrong = await get('', { authorization: `Basic ${Buffer.from('ERPUSER:wrong').toString('base64')}` });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.headers.get('www-authenticate'), 'Basic realm="SAP NetWeaver Application Server [ERP/100]"');
    assert.equal((await get('?sap-client=999')).status, 401);
    assert.equal((await get('', { 'sap-client': '999' })).status, 401);
    assert.equal((await get('?sap-client=100')).status, 200);
  });

  it('hands out a token bound to SAP_SESSIONID_ERP_100 on Fetch (any case); writes without it are 403 Required', async () => {
    const fetched = await get('$metadata', { 'x-csrf-token': 'fEtCh' });
    assert.match(String(fetched.headers.get('x-csrf-token')), /^[A-Za-z0-9+/=]{24}$/);
    assert.match(fetched.headers.getSetCookie()[0] ?? '', /^SAP_SESSIONID_ERP_100=[\w-]+; path=\/; HttpOnly$/);
    const post = (headers: Record<string, string>) =>
      fetch(`${root}/A_BusinessPartner`, { method: 'POST', headers: { authorization: basic, 'content-type': 'application/json', ...headers }, body: '{}' });
    const missing = await post({});
    assert.equal(missing.status, 403);
    assert.equal(missing.headers.get('x-csrf-token'), 'Required');
    assert.equal(await missing.text(), 'CSRF token validation failed');
    const a = await session();
    const b = await session();
    assert.equal((await post({ 'x-csrf-token': a.token })).status, 403, 'the token without its session');
    assert.equal((await post({ 'x-csrf-token': a.token, cookie: b.cookie })).status, 403, 'a foreign session');
    const created = await post({ 'x-csrf-token': a.token, cookie: a.cookie });
    assert.equal(created.status, 201);
    const key = ((await created.json()) as { d: Entity }).d.BusinessPartner;
    const remove = await fetch(`${root}/A_BusinessPartner('${String(key)}')`, {
      method: 'POST',
      headers: { authorization: basic, 'x-http-method': 'DELETE', 'x-csrf-token': a.token, cookie: a.cookie },
    });
    assert.equal(remove.status, 204);
  });

  it('creates, merges (X-HTTP-Method tunnelling), puts, deletes; rejects unknown properties', async () => {
    const { token, cookie } = await session();
    const write = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
      fetch(`${root}/${path}`, {
        method,
        headers: { authorization: basic, 'content-type': 'application/json', 'x-csrf-token': token, cookie, ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const created = await write('POST', 'A_BusinessPartner', {
      BusinessPartnerCategory: '2',
      BusinessPartnerFullName: 'Initech',
      to_BusinessPartnerAddress: [{ CityName: 'Austin', Country: 'US' }],
    });
    assert.equal(created.status, 201);
    const entity = ((await created.json()) as { d: Entity }).d;
    const key = String(entity.BusinessPartner);
    assert.equal(entity.CreatedByUser, 'ERPUSER');
    assert.equal(created.headers.get('location'), `${root}/A_BusinessPartner('${key}')`);
    assert.equal((await write('POST', 'A_BusinessPartner', { Ignored: 'x' })).status, 400);
    assert.equal((await write('POST', 'A_BusinessPartner', { SearchTerm1: 'X'.repeat(21) })).status, 400);
    assert.equal((await write('POST', `A_BusinessPartner('${key}')`, { SearchTerm1: 'INITECH' }, { 'x-http-method': 'MERGE' })).status, 204);
    let read = ((await (await get(`A_BusinessPartner('${key}')?$expand=to_BusinessPartnerAddress`)).json()) as { d: Entity }).d;
    assert.equal(read.SearchTerm1, 'INITECH');
    assert.equal(read.BusinessPartnerFullName, 'Initech');
    assert.deepEqual(
      (read.to_BusinessPartnerAddress as { results: Entity[] }).results.map((address) => address.CityName),
      ['Austin'],
    );
    assert.equal((await write('PUT', `A_BusinessPartner('${key}')`, { BusinessPartnerFullName: 'Initech Corp.' })).status, 204);
    read = ((await (await get(`A_BusinessPartner('${key}')`)).json()) as { d: Entity }).d;
    assert.equal(read.SearchTerm1, '', 'PUT replaces');
    assert.equal((await write('PATCH', `A_BusinessPartner('${key}')`, { BusinessPartner: '1' })).status, 400);
    assert.equal((await write('DELETE', `A_BusinessPartner('${key}')`)).status, 204);
    assert.equal((await get(`A_BusinessPartner('${key}')`)).status, 404);
  });

  it('POST on a navigation creates a related entity; $format=xml is refused; HEAD has no body', async () => {
    const { token, cookie } = await session();
    const created = await fetch(`${root}/A_BusinessPartner('1000004')/to_BusinessPartnerAddress`, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/json', 'x-csrf-token': token, cookie },
      body: JSON.stringify({ CityName: 'Arlington', Country: 'US' }),
    });
    assert.equal(created.status, 201);
    const address = ((await created.json()) as { d: Entity }).d;
    assert.equal(address.BusinessPartner, '1000004');
    assert.match(String(created.headers.get('location')), /A_BusinessPartnerAddress\(BusinessPartner='1000004',AddressID='\d+'\)$/);
    assert.equal((await get('A_BusinessPartner?$format=xml')).status, 400);
    const head = await fetch(`${root}/`, { method: 'HEAD', headers: { authorization: basic } });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
  });

  it("a session belongs to its user: a propagated user cannot write with ERPUSER's token", async () => {
    const { token, cookie } = await session();
    const asAlice = await fetch(`${root}/A_BusinessPartner`, {
      method: 'POST',
      headers: { 'x-emulated-user': 'alice', 'content-type': 'application/json', 'x-csrf-token': token, cookie },
      body: '{}',
    });
    assert.equal(asAlice.status, 403);
    const fetched = await fetch(`${root}/`, { method: 'HEAD', headers: { 'x-emulated-user': 'alice', 'x-csrf-token': 'Fetch' } });
    const own = {
      token: fetched.headers.get('x-csrf-token') as string,
      cookie: fetched.headers
        .getSetCookie()
        .map((value) => value.split(';')[0])
        .join('; '),
    };
    const created = await fetch(`${root}/A_BusinessPartner`, {
      method: 'POST',
      headers: { 'x-emulated-user': 'alice', 'content-type': 'application/json', 'x-csrf-token': own.token, cookie: own.cookie },
      body: '{"BusinessPartnerFullName":"By Alice","CreatedByUser":"MALLORY"}',
    });
    assert.equal(created.status, 201);
    assert.equal(((await created.json()) as { d: Entity }).d.CreatedByUser, 'ALICE', 'the logon user, whatever the payload says');
  });

  it('$batch: queries outside change sets, atomic change sets', async () => {
    const { token, cookie } = await session();
    const batch = (body: string) =>
      fetch(`${root}/$batch`, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'multipart/mixed; boundary=batch_1', 'x-csrf-token': token, cookie },
        body: body.replace(/\n/g, '\r\n'),
      });
    const change = (method: string, url: string, body: unknown) =>
      `--changeset_1\nContent-Type: application/http\nContent-Transfer-Encoding: binary\n\n${method} ${url} HTTP/1.1\nContent-Type: application/json\n\n${JSON.stringify(body)}\n`;
    const query = (url: string) =>
      `--batch_1\nContent-Type: application/http\nContent-Transfer-Encoding: binary\n\nGET ${url} HTTP/1.1\nAccept: application/json\n\n\n`;
    const changeSet = (...changes: string[]) => `--batch_1\nContent-Type: multipart/mixed; boundary=changeset_1\n\n${changes.join('')}--changeset_1--\n\n`;

    const good = await batch(
      query(`A_BusinessPartner?$filter=${encodeURIComponent("BusinessPartner eq '1000002'")}`) +
        changeSet(
          change('POST', 'A_BusinessPartner', { BusinessPartner: '3000001', BusinessPartnerFullName: 'Batch One' }),
          change('MERGE', "A_BusinessPartner('1000002')", { SearchTerm1: 'GLOBEX2' }),
        ) +
        '--batch_1--\n',
    );
    assert.equal(good.status, 202);
    const text = await good.text();
    assert.match(String(good.headers.get('content-type')), /^multipart\/mixed; boundary=batch_/);
    assert.match(text, /HTTP\/1.1 200 OK[\s\S]*"BusinessPartner":"1000002"/);
    assert.match(text, /Content-Type: multipart\/mixed; boundary=changeset_[\s\S]*HTTP\/1.1 201 Created[\s\S]*HTTP\/1.1 204 No Content/);

    const bad = await batch(
      changeSet(change('POST', 'A_BusinessPartner', { BusinessPartner: '3000002' }), change('POST', 'A_BusinessPartner', { Nope: 1 })) + '--batch_1--\n',
    );
    assert.equal(bad.status, 202);
    const badText = await bad.text();
    assert.match(badText, /HTTP\/1.1 400 Bad Request/);
    assert.doesNotMatch(badText, /201 Created/);
    assert.equal((await get("A_BusinessPartner('3000002')")).status, 404, 'the change set was rolled back');
    assert.equal((await get("A_BusinessPartner('3000001')")).status, 200);
    // Content-ID: a later change addresses the entity an earlier one created.
    const referenced = await batch(
      changeSet(
        change('POST', 'A_BusinessPartner', { BusinessPartner: '3000003', BusinessPartnerFullName: 'Referenced' }).replace(
          'Content-Transfer-Encoding: binary\n',
          'Content-Transfer-Encoding: binary\nContent-ID: partner\n',
        ),
        change('POST', '$partner/to_BusinessPartnerAddress', { CityName: 'Referenced City' }),
      ) + '--batch_1--\n',
    );
    assert.doesNotMatch(await referenced.text(), /HTTP\/1.1 4\d\d/);
    const cities = await results("A_BusinessPartner('3000003')/to_BusinessPartnerAddress");
    assert.deepEqual(
      cities.results.map((address) => address.CityName),
      ['Referenced City'],
    );
    const unprotected = await fetch(`${root}/$batch`, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'multipart/mixed; boundary=batch_1' },
      body: '--batch_1--',
    });
    assert.equal(unprotected.status, 403);
  });
});
