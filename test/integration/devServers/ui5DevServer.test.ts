import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { ExitCode } from '../../../src/cli/exitCodes';
import { parseCredentials } from '../../../src/core/bindings/parseCredentials';
import type { ConnectivityBinding } from '../../../src/core/bindings/types';
import { ConnectivityAccess } from '../../../src/core/connectivity/connectivityAccess';
import { OriginAllowList } from '../../../src/core/forward/allowedOrigins';
import { ForwardManager, type ForwardInfo } from '../../../src/core/forward/forwardManager';
import { createLogger } from '../../../src/core/log';
import { pickFreePorts } from '../../../src/core/tunnel/freePorts';
import { inChromium, noChromium } from '../../support/browserPage';
import { runForwardUntil } from '../../support/cliHarness';
import { startSandboxFixture, type SandboxFixture } from '../../support/sandboxFixture';
import { startUi5Serve } from '../../support/ui5Serve';

// Issue 13: `ui5 serve` with ui5-middleware-simpleproxy or fiori-tools-proxy proxying /sap to a forward. GETs
// worked, but every POST/PATCH/DELETE of the app got 403 BTP_LOCAL_REQUEST_REFUSED: the browser sends
// `Origin: http://localhost:PORT` with every write and both proxies pass it on. Here a real `ui5 serve` serves a
// minimal app (fixtures/) whose app.js writes through the dev server to an OnPremise forward (forward →
// connectivity proxy → Cloud Connector → on-premise ERP of the sandbox), driven by Debian's Chromium. With the dev
// server's origin allowed on the forward the writes land in the ERP; without it they get a 403 naming the origin
// and the flag that allows it.

const fixtures = join(__dirname, 'fixtures');
/** The forward address the fixtures' ui5 yaml files name (README's example); each dev server gets a copy with the real one. */
const placeholder = 'http://127.0.0.1:8410';
const partners = '/sap/opu/odata/sap/API_BUSINESS_PARTNER/A_BusinessPartner';
const testTimeout = { timeout: 300_000 };

type Proxy = 'simpleproxy' | 'fiori-tools-proxy';

let f: SandboxFixture;
let connectivity: ConnectivityAccess;
let dir: string;
/** Origins of the dev servers the allowing forward accepts; one is added per test that needs it. */
const allowList = new OriginAllowList();
let allowing: ForwardManager;
let plain: ForwardManager;
let allowedForward: ForwardInfo;
let plainForward: ForwardInfo;
const forwardLog: string[] = [];
const devServers = new Set<DevServer>();

before(async () => {
  f = await startSandboxFixture();
  connectivity = new ConnectivityAccess(parseCredentials(f.sandbox.keys.connectivity, { expected: 'connectivity' }) as ConnectivityBinding, f.agents);
  const logger = createLogger((level, prefix, message) => forwardLog.push(`${level} ${prefix} ${message}`));
  allowing = new ForwardManager({ client: f.client, connectivity, allowedOrigins: allowList, logger });
  plain = new ForwardManager({ client: f.client, connectivity, logger });
  allowedForward = await allowing.start({ destination: 'onprem-erp-basic' });
  plainForward = await plain.start({ destination: 'onprem-erp-basic' });
  dir = await mkdtemp(join(tmpdir(), 'btp-ui5-dev-server-'));
  await writeFile(join(dir, 'destination.json'), JSON.stringify(f.sandbox.keys.destination));
  await writeFile(join(dir, 'connectivity.json'), JSON.stringify(f.sandbox.keys.connectivity));
});
after(async () => {
  await Promise.all([...devServers].map((server) => server.stop()));
  await allowing?.dispose();
  await plain?.dispose();
  await connectivity?.close();
  await f?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface DevServer {
  /** `http://localhost:PORT`, the origin the page runs in. */
  readonly origin: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * `ui5 serve --config <copy of fixtures/ui5-<proxy>.yaml> --port <free port>` in the fixture project, its proxy
 * pointed at `forwardAddress`. Hermetic: HOME and UI5_DATA_DIR in the test's temp folder, no framework (nothing is
 * downloaded), no update check, no telemetry and no keychain for Fiori tools, no proxy variables, no D-Bus.
 */
async function startDevServer(proxy: Proxy, forwardAddress: string, port?: number): Promise<DevServer> {
  const template = await readFile(join(fixtures, `ui5-${proxy}.yaml`), 'utf8');
  assert.ok(template.includes(placeholder), `fixtures/ui5-${proxy}.yaml no longer names ${placeholder}`);
  const [chosen] = port === undefined ? await pickFreePorts(1) : [port];
  const config = join(dir, `ui5-${proxy}-${chosen}.yaml`);
  await writeFile(config, template.replaceAll(placeholder, forwardAddress));
  const started = await startUi5Serve({
    cwd: fixtures,
    config,
    port: chosen as number,
    tempDir: dir,
    // Fiori tools: no telemetry, and no keychain (it would try D-Bus at start).
    env: { SAP_UX_FIORI_TOOLS_DISABLE_TELEMETRY: 'true', FIORI_TOOLS_DISABLE_SECURE_STORE: 'true' },
    label: proxy,
  });
  const server: DevServer = {
    origin: started.origin,
    output: started.output,
    async stop() {
      devServers.delete(server);
      await started.stop();
    },
  };
  devServers.add(server);
  return server;
}

interface Step {
  readonly step: string;
  readonly status: number;
  readonly text: string;
}

/** Opens the app from the dev server in Chromium and returns what app.js recorded, one entry per request. */
async function runApp(server: DevServer, query: Record<string, string>): Promise<Step[]> {
  return inChromium(`${server.origin}/index.html?${new URLSearchParams(query).toString()}`, async (page) => {
    await page.waitForSelector('body[data-done]', { timeout: 60_000 });
    return page.$$eval('#results li', (items) =>
      items.map((item) => ({
        step: item.getAttribute('data-step') ?? '',
        status: Number(item.getAttribute('data-status')),
        text: item.querySelector('pre')?.textContent ?? '',
      })),
    );
  });
}

/** A partner as the ERP has it now, read back through a forward (a GET without Origin); undefined when it is gone. */
async function readPartner(forward: string, key: string): Promise<Record<string, string> | undefined> {
  const response = await request(`${forward}${partners}('${key}')`, { headers: { accept: 'application/json' } });
  const text = await response.body.text();
  if (response.statusCode === 404) return undefined;
  assert.equal(response.statusCode, 200, text);
  return (JSON.parse(text) as { d: Record<string, string> }).d;
}

/** Creates a partner through the forward (no Origin: not a browser), for the page to change or delete. */
async function createPartner(forward: string, key: string, name: string): Promise<void> {
  // Gateway's CSRF token; the forward keeps the session cookie it is bound to.
  const fetched = await request(`${forward}${partners}`, { headers: { 'x-csrf-token': 'Fetch', accept: 'application/json' } });
  await fetched.body.dump();
  const response = await request(`${forward}${partners}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': String(fetched.headers['x-csrf-token']) },
    body: JSON.stringify({ BusinessPartner: key, BusinessPartnerCategory: '2', OrganizationBPName1: name, BusinessPartnerFullName: 'BEFORE' }),
  });
  assert.equal(response.statusCode, 201, await response.body.text());
}

/** Distinct partner keys per test: the ERP lives as long as the file's sandbox. */
let nextKey = 3_000_000;
function keys(): { create: string; change: string; remove: string } {
  nextKey += 10;
  return { create: String(nextKey + 1), change: String(nextKey + 2), remove: String(nextKey + 3) };
}

const byStep = (steps: readonly Step[], step: string): Step => {
  const found = steps.find((entry) => entry.step === step);
  assert.ok(found, `the page recorded no ${step}: ${JSON.stringify(steps)}`);
  return found;
};

function proxyTests(proxy: Proxy): void {
  const skip = noChromium;

  it(
    `${proxy}: with the dev server's origin allowed on the forward, the page's POST, PATCH and DELETE reach the on-premise ERP and change its data`,
    { ...testTimeout, skip },
    async () => {
      const forward = allowedForward.localAddress;
      const { create, change, remove } = keys();
      const tag = `ui5-${proxy}-allowed-${create}`;
      await createPartner(forward, change, 'To be changed');
      await createPartner(forward, remove, 'To be deleted');
      const [port] = await pickFreePorts(1);
      allowList.add([`http://localhost:${port}`]);
      const server = await startDevServer(proxy, forward, port);
      try {
        const steps = await runApp(server, { create, change, remove, tag });
        const detail = `${JSON.stringify(steps, null, 1)}\nui5 serve:\n${server.output()}`;
        assert.equal(byStep(steps, 'token').status, 200, detail);
        const post = byStep(steps, 'post');
        assert.equal(post.status, 201, detail);
        assert.equal((JSON.parse(post.text) as { d: { BusinessPartner: string } }).d.BusinessPartner, create);
        assert.equal(byStep(steps, 'patch').status, 204, detail);
        assert.equal(byStep(steps, 'delete').status, 204, detail);
      } finally {
        await server.stop();
      }
      // The ERP, read back through the forward: the data changed.
      assert.equal((await readPartner(forward, create))?.OrganizationBPName1, tag);
      assert.equal((await readPartner(forward, change))?.BusinessPartnerFullName, tag);
      assert.equal(await readPartner(forward, remove), undefined);
    },
  );

  it(
    `${proxy}: without the allow-list, GET works but every write gets 403 naming the refused origin and --allow-origin <it>, and nothing changed`,
    { ...testTimeout, skip },
    async () => {
      const forward = plainForward.localAddress;
      const { create, change, remove } = keys();
      const tag = `ui5-${proxy}-refused-${create}`;
      await createPartner(forward, change, 'Stays as it is');
      await createPartner(forward, remove, 'Stays too');
      const server = await startDevServer(proxy, forward);
      try {
        const steps = await runApp(server, { create, change, remove, tag });
        const detail = `${JSON.stringify(steps, null, 1)}\nui5 serve:\n${server.output()}`;
        // The symptom of the issue: reads pass (a same-origin GET carries no Origin), writes do not.
        assert.equal(byStep(steps, 'token').status, 200, detail);
        for (const step of ['post', 'patch', 'delete']) {
          const { status, text } = byStep(steps, step);
          assert.equal(status, 403, `${step}: ${detail}`);
          const { error } = JSON.parse(text) as { error: { code: string; message: string } };
          assert.equal(error.code, 'BTP_LOCAL_REQUEST_REFUSED', step);
          assert.ok(error.message.includes(`origin ${server.origin} `), `${step}: the message does not name ${server.origin}: ${error.message}`);
          assert.ok(error.message.includes(`--allow-origin ${server.origin} `), `${step}: the message does not name the flag: ${error.message}`);
        }
      } finally {
        await server.stop();
      }
      assert.equal(await readPartner(forward, create), undefined);
      assert.equal((await readPartner(forward, change))?.BusinessPartnerFullName, 'BEFORE');
      assert.equal((await readPartner(forward, remove))?.OrganizationBPName1, 'Stays too');
      assert.ok(
        forwardLog.some((line) => line.includes(`--allow-origin ${server.origin}`)),
        `the forward's log does not name the fix:\n${forwardLog.join('\n')}`,
      );
    },
  );
}

describe('ui5 serve with ui5-middleware-simpleproxy in front of an OnPremise forward', () => proxyTests('simpleproxy'));

describe('ui5 serve with fiori-tools-proxy (@sap/ux-ui5-tooling) in front of an OnPremise forward', () => proxyTests('fiori-tools-proxy'));

describe('btp-connect forward --allow-origin behind ui5 serve', () => {
  it(
    "the CLI forward allows the dev server named by --allow-origin: the page's POST creates the partner on-premise",
    { ...testTimeout, skip: noChromium },
    async () => {
      const [port] = await pickFreePorts(1);
      const origin = `http://localhost:${port}`;
      const { create } = keys();
      const tag = `ui5-cli-${create}`;
      const result = await runForwardUntil(
        ['onprem-erp-basic', '--allow-origin', origin, '--key', 'destination.json', '--connectivity-key', 'connectivity.json', '--verbose'],
        { cwd: dir, env: { BTP_CONNECT_LOCAL_TOKEN: 'off', BTP_CONNECT_CONFIG_DIR: join(dir, 'config') } },
        async ([erp]) => {
          assert.ok(erp, 'no forward address announced');
          const server = await startDevServer('simpleproxy', erp, port);
          try {
            const steps = await runApp(server, { create, tag });
            const detail = `${JSON.stringify(steps, null, 1)}\nui5 serve:\n${server.output()}`;
            assert.equal(byStep(steps, 'post').status, 201, detail);
          } finally {
            await server.stop();
          }
          assert.equal((await readPartner(erp, create))?.OrganizationBPName1, tag);
        },
      );
      assert.equal(result.code, ExitCode.Ok, result.stderr);
      assert.match(result.stdout, new RegExp(`^onprem-erp-basic: POST ${partners.replace(/[/.]/g, '\\$&')} → 201`, 'm'));
    },
  );
});
