import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FrameLocator } from 'playwright-core';
import { parseCredentials } from '../../src/core/bindings/parseCredentials';
import type { ConnectivityBinding, DestinationBinding } from '../../src/core/bindings/types';
import { ConnectionStore } from '../../src/core/connections/connectionStore';
import { KeychainSecretStore } from '../../src/core/secrets/keychainStore';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox';
import { codeServerInstalled } from '../vscode/harness/codeServer';
import { screenshots, Workbench } from './workbench';

// The traffic inspector in a real workbench: opened from the Forwards view, it lists the requests sent to the
// forward as they happen, shows one exchange's headers with the injected credential masked, filters, records
// bodies on request, and never puts the destination's password in the page.

const missing = codeServerInstalled();
// Keychain entries are per connection name and the e2e files run side by side: a name of this file's own.

const password = 'demo-password-1';
const basicValue = Buffer.from(`demo:${password}`).toString('base64');

let subaccount: Sandbox;
let workbench: Workbench;
let configDir: string;
let address: string;

async function inspector(): Promise<FrameLocator> {
  const frame = workbench.webview();
  await frame.locator('h1', { hasText: 'Traffic · internet-basic' }).waitFor({ timeout: 30_000 });
  return frame;
}

async function assertNoSecretIn(frame: FrameLocator): Promise<void> {
  const text = (await frame.locator('body').textContent()) ?? '';
  assert.equal(text.includes(password), false, 'the password is in the page');
  assert.equal(text.includes(basicValue), false, 'the Basic header value is in the page');
}

describe('the traffic inspector in the VS Code workbench', { skip: missing, timeout: 300_000 }, () => {
  before(async () => {
    mkdirSync(screenshots, { recursive: true });
    configDir = mkdtempSync(join(tmpdir(), 'btp-e2e-inspector-'));
    subaccount = await startSandbox({ portBase: 0 });
    await new ConnectionStore(new KeychainSecretStore(), configDir).add(
      'traffic',
      {
        destination: parseCredentials(subaccount.keys.destination, { expected: 'destination' }) as DestinationBinding,
        connectivity: parseCredentials(subaccount.keys.connectivity, { expected: 'connectivity' }) as ConnectivityBinding,
      },
      { replace: true },
    );
    workbench = await Workbench.open({ BTP_CONNECT_CONFIG_DIR: configDir }, { width: 1500, height: 900 });
    await workbench.showView();
    await workbench.setExpanded(/^traffic/, true);
    await workbench.setExpanded('Subaccount destinations of traffic', true);
  });

  after(async () => {
    await workbench?.close();
    await subaccount?.close();
    await new ConnectionStore(new KeychainSecretStore(), configDir).remove('traffic').catch(() => undefined);
    rmSync(configDir, { recursive: true, force: true });
  });

  it('opens from the Forwards view and lists requests as they happen, credentials masked', () =>
    workbench.shown('inspector-open', async () => {
      const destination = workbench.treeItem(/^internet-basic,/);
      await destination.hover();
      await destination.getByRole('button', { name: 'Forward a Local Port…' }).click();
      const forwards = workbench.page.locator('.pane', { hasText: 'Forwards' });
      const row = forwards.getByRole('treeitem', { name: /internet-basic/ });
      await row.waitFor({ timeout: 30_000 });
      address = /http:\/\/127\.0\.0\.1:\d+/.exec((await row.textContent()) ?? '')?.[0] ?? '';
      assert.ok(address);
      await row.hover();
      await row.getByRole('button', { name: 'Inspect Traffic' }).click();
      const frame = await inspector();
      await frame.getByText(/No requests yet/).waitFor();

      assert.equal((await fetch(`${address}/sales/orders?top=5&access_token=client-secret-1`, { headers: { accept: 'application/json' } })).status, 200);
      assert.equal((await fetch(`${address}/status/404`)).status, 404);
      const rows = frame.locator('table.exchanges tbody tr');
      await rows.nth(1).waitFor({ timeout: 30_000 });
      assert.match((await rows.nth(1).textContent()) ?? '', /GET\s*\/sales\/orders\?top=5&access_token=\*{6}\s*200/);

      await rows.nth(1).click();
      const details = frame.locator('section.details');
      await details.waitFor();
      await details.getByText('Basic ******').waitFor();
      await assertNoSecretIn(frame);
      assert.doesNotMatch((await frame.locator('body').textContent()) ?? '', /client-secret-1/);
      await workbench.screenshot('08-inspector.png');
    }));

  it('filters by status and records bodies when asked, masked', () =>
    workbench.shown('inspector-bodies', async () => {
      const frame = await inspector();
      await frame.locator('vscode-textfield.filter input').fill('4xx');
      const rows = frame.locator('table.exchanges tbody tr');
      await frame.getByText(/1 of 2 exchanges/).waitFor();
      assert.match((await rows.first().textContent()) ?? '', /404/);
      await frame.locator('vscode-textfield.filter input').fill('');

      await frame.locator('vscode-checkbox').click();
      await frame.getByText(/bodies up to 64 KiB each/).waitFor();
      const posted = await fetch(`${address}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user: 'alice', password: 'typed-secret-1' }),
      });
      assert.equal(posted.status, 200);
      await frame.getByText(/3 exchanges/).waitFor({ timeout: 30_000 });
      await rows.first().click();
      await frame.getByText('Request body').waitFor();
      const body = (await frame.locator('section.details pre').first().textContent()) ?? '';
      assert.match(body, /"user": "alice"/);
      assert.match(body, /"password": "\*{6}"/);
      await assertNoSecretIn(frame);
      assert.deepEqual(workbench.cspViolations, []);
    }));

  it('closing it stops recording and drops the log: reopened, it starts empty', () =>
    workbench.shown('inspector-close', async () => {
      await workbench.page
        .getByRole('tab', { name: /Traffic: internet-basic/ })
        .getByRole('button', { name: /Close/ })
        .click();
      await workbench.page.getByRole('tab', { name: /Traffic: internet-basic/ }).waitFor({ state: 'detached' });
      assert.equal((await fetch(`${address}/while-closed`)).status, 200);
      const row = workbench.page.locator('.pane', { hasText: 'Forwards' }).getByRole('treeitem', { name: /internet-basic/ });
      await row.hover();
      await row.getByRole('button', { name: 'Inspect Traffic' }).click();
      const frame = await inspector();
      await frame.getByText(/No requests yet/).waitFor();
      assert.equal(await frame.locator('table.exchanges tbody tr').count(), 0);
    }));
});
