import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { writeSandboxFiles, type SandboxFiles } from '../../../src/sandbox/files';
import { startSandboxFixture, type SandboxFixture } from '../../support/sandboxFixture';
import { osEnv } from '../../support/platform';

// The unchanged SAP Cloud SDK (4.9.1) on the seeded OnPremise destinations: it reads the connectivity binding
// from VCAP_SERVICES, sends absolute-form requests to the proxy port, and reaches the on-premise ERP through the
// Cloud Connector. One fresh child process per scenario (the SDK caches bindings and tokens per process).

const clientScript = join(import.meta.dirname, '..', 'sapClients', 'cloudSdkClient.mjs');

interface StepResult {
  readonly ok: boolean;
  readonly status?: number;
  readonly data?: { service: string; path: string; user: string | null; headers: Record<string, string> };
  readonly error?: { messages: string[]; response: { status: number; data: unknown } | null };
}

let f: SandboxFixture;
let directory: string;
let files: SandboxFiles;
let vcapServices: string;
before(async () => {
  f = await startSandboxFixture();
  directory = await mkdtemp(join(tmpdir(), 'btp-connect-sdk-onpremise-'));
  files = await writeSandboxFiles(f.sandbox, directory);
  vcapServices = await readFile(files.vcapServices, 'utf8');
});
after(async () => {
  await f.close();
  await rm(directory, { recursive: true, force: true });
});

async function sdkRequest(scenario: string, options: Record<string, unknown>, request: Record<string, unknown>): Promise<StepResult> {
  const env = {
    ...osEnv(),
    PATH: process.env.PATH ?? '',
    VCAP_SERVICES: vcapServices,
    NODE_EXTRA_CA_CERTS: files.ca,
    SDK_PLAN: JSON.stringify({ scenario, steps: [{ call: 'executeHttpRequest', options, request }] }),
  };
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, [clientScript], { env, timeout: 30_000, killSignal: 'SIGKILL' }, (error, out, err) => {
      if (error) reject(new Error(`SDK child failed: ${error.message}\n${out}\n${err}`));
      else resolve(out);
    });
  });
  const line = stdout.split('\n').find((text) => text.startsWith('@@result '));
  assert.ok(line, stdout);
  const [step] = (JSON.parse(line.slice('@@result '.length)) as { steps: StepResult[] }).steps;
  assert.ok(step);
  return step;
}

describe('SAP Cloud SDK on OnPremise destinations through the sandbox proxy', () => {
  it('onprem-erp-basic: absolute-form request via the proxy port, Basic credentials and sap-client reach the ERP (check 20)', async () => {
    const step = await sdkRequest('basic', { destinationName: 'onprem-erp-basic' }, { method: 'get', url: '/whoami' });
    assert.ok(step.ok, JSON.stringify(step.error));
    assert.equal(step.data?.service, 'sandbox-on-premise-erp');
    assert.equal(step.data?.headers.host, 'erp.virtual:8000');
    assert.equal(step.data?.headers.authorization, `Basic ${Buffer.from('ERPUSER:erp-password-1').toString('base64')}`);
    assert.equal(step.data?.headers['sap-client'], '100');
    assert.equal(step.data?.headers['proxy-authorization'], undefined);
  });

  it('onprem-erp-loc2: CloudConnectorLocationId picks the connector registered with location ID loc2', async () => {
    const loc2 = f.sandbox.connectors.find((connector) => connector.locationId === 'loc2');
    assert.ok(loc2);
    const streams = loc2.stats().totalStreams;
    const step = await sdkRequest(
      'loc2',
      { destinationName: 'onprem-erp-loc2' },
      { method: 'get', url: '/sap/opu/odata/sap/API_BUSINESS_PARTNER/A_BusinessPartner' },
    );
    assert.ok(step.ok, JSON.stringify(step.error));
    assert.equal(step.status, 200);
    assert.equal(loc2.stats().totalStreams, streams + 1);
  });

  it('onprem-erp-principal with a user JWT: the ERP sees that user (check 23)', async () => {
    const jwt = await f.userToken('alice');
    const step = await sdkRequest('principal', { destinationName: 'onprem-erp-principal', jwt }, { method: 'get', url: '/whoami' });
    assert.ok(step.ok, JSON.stringify(step.error));
    assert.equal(step.data?.user, 'alice');
    assert.equal(step.data?.headers.authorization, undefined);
  });

  it('check 27: an https:// OnPremise URL makes the SDK send CONNECT, which the proxy answers with 405', async () => {
    const scope = { tenantId: f.sandbox.identity.world.provider.id };
    const value = { Name: 'onprem-https', Type: 'HTTP', URL: 'https://erp.virtual:443', ProxyType: 'OnPremise', Authentication: 'NoAuthentication' };
    await f.sandbox.store.apply([{ kind: 'create', scope, collection: 'destinations', name: value.Name, value }]);
    const step = await sdkRequest('https', { destinationName: 'onprem-https' }, { method: 'get', url: '/whoami' });
    assert.equal(step.ok, false);
    assert.equal(step.error?.response?.status, 405);
    assert.match(step.error?.messages[0] ?? '', /Request failed with status code 405/);
  });

  it('a path the Cloud Connector does not expose fails with 403 Access denied', async () => {
    const step = await sdkRequest('denied', { destinationName: 'onprem-erp-basic' }, { method: 'get', url: '/secret' });
    assert.equal(step.ok, false);
    assert.equal(step.error?.response?.status, 403);
    assert.match(String(step.error?.response?.data), /Access denied to system erp\.virtual:8000/);
  });
});
