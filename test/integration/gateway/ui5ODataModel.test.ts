import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseCredentials } from '../../../src/core/bindings/parseCredentials';
import type { ConnectivityBinding } from '../../../src/core/bindings/types';
import { ConnectivityAccess } from '../../../src/core/connectivity/connectivityAccess';
import { OriginAllowList } from '../../../src/core/forward/allowedOrigins';
import { ForwardManager, type ForwardInfo } from '../../../src/core/forward/forwardManager';
import { pickFreePorts } from '../../../src/core/tunnel/freePorts';
import { inChromium, noChromium } from '../../support/browserPage';
import { repoRoot } from '../../support/sandboxProcess';
import { startSandboxFixture, type SandboxFixture } from '../../support/sandboxFixture';
import { startUi5Serve } from '../../support/ui5Serve';

// A UI5 app (OpenUI5 1.152 from npm, served by `ui5 serve` of @ui5/cli 4 straight from node_modules: no framework
// download) in Debian's Chromium: the v2 ODataModel loads $metadata, fetches the CSRF token with a HEAD, and sends
// its reads and its create as $batch (the default) — through ui5-middleware-simpleproxy → a forward of
// onprem-erp-basic → connectivity proxy → Cloud Connector → the sandbox ERP's Gateway. The list shows the seeded
// partners, the create lands in the ERP, and Gateway saw only $batch for data.

const app = join(__dirname, 'ui5app');
const placeholder = 'http://127.0.0.1:8410';
const noOpenUi5 =
  !existsSync(join(repoRoot, 'node_modules', '@openui5', 'sap.m', 'package.json')) &&
  'OpenUI5 (@openui5/sap.m, sap.ui.core, themelib_sap_horizon) is not installed: npm install';
const skip = noChromium || noOpenUi5;

let f: SandboxFixture;
let connectivity: ConnectivityAccess;
let manager: ForwardManager;
let forward: ForwardInfo;
let dir: string;
let devServer: { origin: string; stop(): Promise<void> } | undefined;
const allowList = new OriginAllowList();
const gatewayRequests: string[] = [];

before(async () => {
  if (skip) return;
  f = await startSandboxFixture();
  connectivity = new ConnectivityAccess(parseCredentials(f.sandbox.keys.connectivity, { expected: 'connectivity' }) as ConnectivityBinding, f.agents);
  manager = new ForwardManager({ client: f.client, connectivity, allowedOrigins: allowList });
  forward = await manager.start({ destination: 'onprem-erp-basic' });
  dir = await mkdtemp(join(tmpdir(), 'btp-gateway-ui5-'));
  // What reached Gateway, seen inside the ERP (method and path below the service).
  const gateway = f.sandbox.onPremise.erp.gateway;
  const handle = gateway.handle.bind(gateway);
  gateway.handle = async (req, res, url) => {
    if (url.pathname.includes('API_BUSINESS_PARTNER')) gatewayRequests.push(`${req.method} ${url.pathname.replace(/^.*API_BUSINESS_PARTNER/, '')}`);
    return handle(req, res, url);
  };
  devServer = await startDevServer(forward.localAddress);
  allowList.add([devServer.origin]);
});
after(async () => {
  await devServer?.stop();
  if (skip) return;
  await manager.dispose();
  await connectivity.close();
  await f.close();
  await rm(dir, { recursive: true, force: true });
});

/** `ui5 serve` in the fixture app with its proxy pointed at the forward; hermetic HOME, nothing downloaded. */
async function startDevServer(forwardAddress: string): Promise<{ origin: string; stop(): Promise<void> }> {
  const [port] = await pickFreePorts(1);
  const config = join(dir, `ui5-${port}.yaml`);
  await writeFile(config, (await readFile(join(app, 'ui5.yaml'), 'utf8')).replaceAll(placeholder, forwardAddress));
  return startUi5Serve({ cwd: app, config, port: port as number, tempDir: dir, label: 'OpenUI5 app' });
}

describe('UI5 v2 ODataModel (batching on) in Chromium against Gateway through a forward', { skip }, () => {
  it('lists the partners and creates one through forward → connectivity proxy → Cloud Connector → Gateway', { timeout: 180_000 }, async () => {
    const origin = devServer?.origin as string;
    const result = await inChromium(`${origin}/index.html?name=${encodeURIComponent('UI5 Batch Ltd.')}`, async (page) => {
      await page.waitForSelector('body[data-done]', { timeout: 120_000 });
      return JSON.parse((await page.$eval('body', (body) => body.dataset.result)) ?? '{}') as {
        listed?: { key: string; name: string }[];
        created?: string;
        after?: number;
        error?: string;
      };
    });
    assert.equal(result.error, undefined, JSON.stringify(result));
    assert.deepEqual(result.listed?.slice(0, 4), [
      { key: '1000001', name: 'Acme Corporation' },
      { key: '1000002', name: 'Globex Ltd.' },
      { key: '1000003', name: 'Ada Lovelace' },
      { key: '1000004', name: 'Grace Hopper' },
    ]);
    assert.match(result.created ?? '', /^\d+$/);
    assert.equal(result.after, (result.listed?.length ?? 0) + 1);
    const read = f.sandbox.onPremise.erp.gateway.odata.store.rows('A_BusinessPartner').find((row) => row.BusinessPartner === result.created);
    assert.equal(read?.BusinessPartnerFullName, 'UI5 Batch Ltd.');
    // $metadata and the token first; then data only as $batch.
    assert.ok(gatewayRequests.includes('GET /$metadata'), gatewayRequests.join('\n'));
    assert.ok(
      gatewayRequests.some((line) => line.startsWith('HEAD ')),
      gatewayRequests.join('\n'),
    );
    assert.deepEqual(
      [...new Set(gatewayRequests.filter((line) => !line.endsWith('/$metadata') && !line.startsWith('HEAD ')))],
      ['POST /$batch'],
      gatewayRequests.join('\n'),
    );
  });
});
