import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { executeHttpRequest } from '@sap-cloud-sdk/http-client';
import type { ForwardInfo } from '../../../src/core/forward/forwardManager';
import { startSandboxForward, type SandboxForward } from '../../support/sandboxForward';

// The SAP Cloud SDK's HTTP client (@sap-cloud-sdk/http-client, unchanged) against the sandbox ERP's SAP Gateway,
// through a local forward of onprem-erp-basic: forward → connectivity proxy → Cloud Connector → Gateway. Reads use
// $filter/$select/$expand; writes go with `fetchCsrfToken: true`: the SDK fetches the token with a HEAD on the path,
// the forward keeps the session cookie, Gateway checks both.

const service = '/sap/opu/odata/sap/API_BUSINESS_PARTNER';
let sandbox: SandboxForward;
let forward: ForwardInfo;

before(async () => {
  sandbox = await startSandboxForward('onprem-erp-basic');
  forward = sandbox.forward;
});
after(() => sandbox.close());

type Entity = Record<string, unknown>;
const destination = () => ({ url: forward.localAddress });
/** `fetchCsrfToken` is the SDK 4 option (on by default for writes); reads go without it. */
const sdk = (request: { method: 'get' | 'post' | 'patch' | 'delete'; url: string; data?: unknown }, fetchCsrfToken = false) =>
  executeHttpRequest(destination(), { ...request, headers: { accept: 'application/json' } }, { fetchCsrfToken });
const query = (options: Record<string, string>) =>
  `?${Object.entries(options)
    .map(([name, value]) => `${name}=${encodeURIComponent(value)}`)
    .join('&')}`;

describe('SAP Cloud SDK executeHttpRequest against Gateway through a forward', () => {
  it('reads with $filter, $select, $expand and gets the right rows', async () => {
    const response = await sdk({
      method: 'get',
      url: `${service}/A_BusinessPartner${query({ $filter: "BusinessPartnerCategory eq '2' and substringof('Acme',BusinessPartnerFullName)", $select: 'BusinessPartner,BusinessPartnerFullName,to_BusinessPartnerAddress/CityName', $expand: 'to_BusinessPartnerAddress' })}`,
    });
    assert.equal(response.status, 200);
    const rows = (response.data as { d: { results: Entity[] } }).d.results;
    assert.deepEqual(
      rows.map((row) => [
        row.BusinessPartner,
        row.BusinessPartnerFullName,
        (row.to_BusinessPartnerAddress as { results: Entity[] }).results.map((address) => address.CityName),
      ]),
      [['1000001', 'Acme Corporation', ['Berlin', 'Hamburg']]],
    );
    assert.equal(rows[0]?.FirstName, undefined, '$select left the rest out');
  });

  it('creates, updates (PATCH) and deletes with fetchCsrfToken: true', async () => {
    const created = await sdk(
      {
        method: 'post',
        url: `${service}/A_BusinessPartner`,
        data: { BusinessPartnerCategory: '2', BusinessPartnerFullName: 'Cloud SDK GmbH', SearchTerm1: 'SDK' },
      },
      true,
    );
    assert.equal(created.status, 201);
    const key = String((created.data as { d: Entity }).d.BusinessPartner);
    const patched = await sdk({ method: 'patch', url: `${service}/A_BusinessPartner('${key}')`, data: { SearchTerm1: 'SDK2' } }, true);
    assert.equal(patched.status, 204);
    const read = await sdk({ method: 'get', url: `${service}/A_BusinessPartner('${key}')` });
    assert.equal((read.data as { d: Entity }).d.SearchTerm1, 'SDK2');
    const deleted = await sdk({ method: 'delete', url: `${service}/A_BusinessPartner('${key}')` }, true);
    assert.equal(deleted.status, 204);
    await assert.rejects(
      sdk({ method: 'get', url: `${service}/A_BusinessPartner('${key}')` }),
      (error: { response?: { status: number; data: { error: { code: string; message: { value: string } } } } }) => {
        assert.equal(error.response?.status, 404);
        assert.equal(error.response.data.error.code, '/IWBEP/CM_MGW_RT/020');
        return true;
      },
    );
  });

  it('without a CSRF token the write is refused with 403 and x-csrf-token: Required', async () => {
    await assert.rejects(
      sdk({ method: 'post', url: `${service}/A_BusinessPartner`, data: { BusinessPartnerFullName: 'No token' } }, false),
      (error: { response?: { status: number; headers: Record<string, string> } }) => {
        assert.equal(error.response?.status, 403);
        assert.equal(error.response.headers['x-csrf-token'], 'Required');
        return true;
      },
    );
  });
});
