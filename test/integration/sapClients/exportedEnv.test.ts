// What "Export for local apps" writes, read by SAP's own clients unchanged: the `destinations` variable by the SAP
// Cloud SDK (connectivity + http-client 4.9.1) and a default-env.json by the approuter (21.2.0), each in a child
// process with no VCAP_SERVICES. Both reach the sandbox's on-premise system through a local forward that injects
// the destination's credentials; the exported entries carry none.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseCredentials } from '../../../src/core/bindings/parseCredentials';
import type { ConnectivityBinding } from '../../../src/core/bindings/types';
import { ConnectivityAccess } from '../../../src/core/connectivity/connectivityAccess';
import { ForwardManager } from '../../../src/core/forward/forwardManager';
import { mergeDefaultEnv } from '../../../src/core/localEnv/defaultEnv';
import { envDestinations } from '../../../src/core/localEnv/destinationsVariable';
import { runResultChild } from '../../support/resultChild';
import { startSandboxFixture, type SandboxFixture } from '../../support/sandboxFixture';
import { osEnv } from '../../support/platform';

const partners = '/sap/opu/odata/sap/API_BUSINESS_PARTNER/A_BusinessPartner';
const erpBasic = `Basic ${Buffer.from('ERPUSER:erp-password-1').toString('base64')}`;

let f: SandboxFixture;
let connectivity: ConnectivityAccess;
let manager: ForwardManager;
let workingDirectory: string;
let exported: ReturnType<typeof envDestinations>;

before(async () => {
  f = await startSandboxFixture();
  connectivity = new ConnectivityAccess(parseCredentials(f.sandbox.keys.connectivity, { expected: 'connectivity' }) as ConnectivityBinding, f.agents);
  manager = new ForwardManager({ client: f.client, connectivity });
  const forward = await manager.start({ destination: 'onprem-erp-basic' });
  exported = envDestinations([{ destination: forward.destination, kind: 'http', localAddress: forward.localAddress }]);
  workingDirectory = await mkdtemp(join(tmpdir(), 'btp-exported-env-'));
});
after(async () => {
  await manager.dispose();
  await connectivity.close();
  await f.close();
  await rm(workingDirectory, { recursive: true, force: true });
});

/** Only what a fresh shell without BTP settings has: no VCAP_SERVICES, no proxies. */
const bareEnv = (extra: Record<string, string>): Record<string, string> => ({ ...osEnv(), PATH: process.env.PATH ?? '', ...extra });

interface SdkStep {
  readonly call: string;
  readonly ok: boolean;
  readonly destination?: { name: string; url: string; authentication: string; hasPassword: boolean };
  readonly status?: number;
  readonly data?: { d?: { results?: unknown[] }; headers?: Record<string, string> };
  readonly error?: { messages: string[] };
}

describe('exported destinations read by SAP clients', () => {
  it('SAP Cloud SDK: the `destinations` variable resolves to the forward and reaches on-premise OData', async () => {
    const steps = [
      { call: 'getDestination', options: { destinationName: 'onprem-erp-basic' } },
      { call: 'executeHttpRequest', options: { destinationName: 'onprem-erp-basic' }, request: { method: 'get', url: partners } },
      { call: 'executeHttpRequest', options: { destinationName: 'onprem-erp-basic' }, request: { method: 'get', url: '/whoami' } },
    ];
    const { result } = await runResultChild<{ scenario: string; steps: SdkStep[] }>(
      'SDK',
      'exported-destinations',
      [join(import.meta.dirname, 'cloudSdkClient.mjs')],
      {
        env: bareEnv({ destinations: JSON.stringify(exported), SDK_PLAN: JSON.stringify({ scenario: 'exported-destinations', steps }) }),
      },
    );
    const [found, list, whoami] = result.steps;
    assert.ok(found?.ok && list?.ok && whoami?.ok, JSON.stringify(result.steps));
    assert.equal(found.destination?.url, exported[0]!.url);
    assert.equal(found.destination?.hasPassword, false, 'the exported entry carries no credentials');
    assert.equal(list.status, 200);
    assert.ok((list.data?.d?.results?.length ?? 0) > 0);
    assert.equal(whoami.data?.headers?.authorization, erpBasic, "the forward injected the destination's credentials");
  });

  it('approuter: a default-env.json written by the export (into an existing file) routes to on-premise OData', async () => {
    const file = join(workingDirectory, 'default-env.json');
    await writeFile(file, JSON.stringify({ PORT: '5000', destinations: [{ name: 'own', url: 'http://127.0.0.1:9' }] }));
    await writeFile(file, JSON.stringify(mergeDefaultEnv(JSON.parse(await readFile(file, 'utf8')), exported, file), null, 2));
    const plan = {
      scenario: 'exported-default-env',
      xsappConfig: {
        authenticationMethod: 'none',
        routes: [{ source: '^/erp/(.*)$', target: '$1', destination: 'onprem-erp-basic', authenticationType: 'none', csrfProtection: false }],
      },
      startupTokens: 0,
      requests: [
        { name: 'partners', path: `/erp${partners}` },
        { name: 'whoami', path: '/erp/whoami' },
      ],
    };
    const { result } = await runResultChild<{
      scenario: string;
      started: boolean;
      startError: string | null;
      responses: { name: string; status: number; json: { d?: { results?: unknown[] }; headers?: Record<string, string> } | null; text: string | null }[];
    }>('approuter', plan.scenario, [join(import.meta.dirname, 'approuterClient.mjs')], {
      env: bareEnv({ XS_BIND_ADDRESS: '127.0.0.1', APPROUTER_PLAN: JSON.stringify(plan) }),
      cwd: workingDirectory,
    });
    assert.equal(result.startError, null);
    const [list, whoami] = result.responses;
    assert.equal(list?.status, 200, list?.text ?? '');
    assert.ok((list.json?.d?.results?.length ?? 0) > 0);
    assert.equal(whoami?.json?.headers?.authorization, erpBasic);
  });
});
