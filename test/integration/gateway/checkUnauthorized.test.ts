import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ExitCode } from '../../../src/cli/exitCodes';
import { runCli } from '../../support/cliHarness';
import { startSandboxFixture, type SandboxFixture } from '../../support/sandboxFixture';

// Gateway checks Basic credentials: an OnPremise destination with a wrong password passes every hop up to the
// backend, whose 401 (with SAP's `WWW-Authenticate` realm) `btp-connect check` names, with the fix.

let f: SandboxFixture;
let dir: string;
const partners = '/sap/opu/odata/sap/API_BUSINESS_PARTNER/A_BusinessPartner';
const keys = () => ['--key', join(dir, 'destination.json'), '--connectivity-key', join(dir, 'connectivity.json')];
const cli = (...argv: string[]) => runCli(['check', ...argv], { cwd: dir, env: { BTP_CONNECT_CONFIG_DIR: join(dir, 'config') } });

before(async () => {
  f = await startSandboxFixture();
  dir = await mkdtemp(join(tmpdir(), 'btp-gateway-check-'));
  await writeFile(join(dir, 'destination.json'), JSON.stringify(f.sandbox.keys.destination));
  await writeFile(join(dir, 'connectivity.json'), JSON.stringify(f.sandbox.keys.connectivity));
  await f.client.create('subaccount', {
    Name: 'erp-wrong-password',
    Type: 'HTTP',
    URL: 'http://erp.virtual:8000',
    ProxyType: 'OnPremise',
    Authentication: 'BasicAuthentication',
    User: 'ERPUSER',
    Password: 'not-the-password',
  });
});
after(async () => {
  await f.close();
  await rm(dir, { recursive: true, force: true });
});

describe('btp-connect check against Gateway with a wrong Basic password', () => {
  it("every hop to the backend works; the response is the backend's 401 and the fix names User and Password", async () => {
    const result = await cli('erp-wrong-password', '--path', partners, ...keys());
    assert.equal(result.code, ExitCode.AccessDenied, result.stdout + result.stderr);
    assert.match(result.stdout, /^✓ Cloud Connector/m);
    assert.match(result.stdout, /^✓ backend/m);
    assert.match(result.stdout, /^✗ response +\S+ ms {2}The system answered 401 Unauthorized\.$/m);
    assert.match(result.stdout, /Fix: Check "User" and "Password" of destination "erp-wrong-password"\./);
    assert.ok(!result.stdout.includes('not-the-password'));

    const right = await cli('onprem-erp-basic', '--path', partners, ...keys());
    assert.equal(right.code, ExitCode.Ok, right.stdout);
  });
});
