import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { ForwardInfo } from '../../../src/core/forward/forwardManager';
import { startSandboxForward, type SandboxForward } from '../../support/sandboxForward';

// CAP (@sap/cds 10, unchanged) as a remote OData V2 service (`kind: 'odata-v2'`, `csrf: true`) over a forward of
// onprem-erp-basic to the sandbox ERP's Gateway: CQL with where/columns/orderBy/expand becomes $filter/$select/
// $orderby/$expand and returns the right rows; INSERT/UPDATE/DELETE go through Gateway's CSRF check. CAP keeps
// global state, so it runs in a child process (capClient.mjs) with a small model of the service (the .cds here).

const execFileAsync = promisify(execFile);
let sandbox: SandboxForward;
let forward: ForwardInfo;

before(async () => {
  sandbox = await startSandboxForward('onprem-erp-basic');
  forward = sandbox.forward;
});
after(() => sandbox.close());

describe('CAP remote service (odata-v2) against Gateway through a forward', () => {
  it('reads with $filter/$select/$orderby/$expand and creates, updates, deletes through CSRF', { timeout: 60_000 }, async () => {
    const { stdout } = await execFileAsync(process.execPath, [join(__dirname, 'capClient.mjs'), forward.localAddress], {
      cwd: process.cwd(),
      env: { ...process.env, NO_PROXY: '*' },
    });
    const line = stdout.split('\n').find((candidate) => candidate.startsWith('@@result '));
    assert.ok(line, stdout);
    const result = JSON.parse(line.slice('@@result '.length)) as Record<string, unknown>;
    assert.equal(result.error, undefined, JSON.stringify(result));
    assert.deepEqual(result.one, { BusinessPartner: '1000003', BusinessPartnerFullName: 'Ada Lovelace' });
    assert.deepEqual(result.persons, [{ BusinessPartner: '1000004' }, { BusinessPartner: '1000003' }]);
    assert.deepEqual(result.expanded, [{ BusinessPartner: '1000001', to_BusinessPartnerAddress: [{ CityName: 'Berlin' }, { CityName: 'Hamburg' }] }]);
    assert.deepEqual(result.updated, { BusinessPartnerFullName: 'CAP Inc.', SearchTerm1: 'CAP' });
    assert.equal(result.deleted ?? null, null);
  });
});
