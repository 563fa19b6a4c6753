import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AxeBuilder } from '@axe-core/playwright';
import type { FrameLocator } from 'playwright-core';
import { parseCredentials } from '../../src/core/bindings/parseCredentials';
import type { ConnectivityBinding, DestinationBinding } from '../../src/core/bindings/types';
import { ConnectionStore } from '../../src/core/connections/connectionStore';
import { KeychainSecretStore } from '../../src/core/secrets/keychainStore';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox';
import { codeServerInstalled } from '../vscode/harness/codeServer';
import { screenshots, Workbench } from './workbench';

// Accessibility of what the extension renders: an axe-core scan (WCAG 2.1 A and AA) of the destination editor and
// the traffic inspector in a real workbench, in the states a user meets (a stored destination, a validation problem,
// a new property row, a new destination; the inspector with exchanges and one opened). The scan covers the
// webview's documents; the frame VS Code wraps them in, and its title, are VS Code's.

const missing = codeServerInstalled();
const WCAG21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

let subaccount: Sandbox;
let workbench: Workbench;
let configDir: string;

/** The violations axe-core finds in the visible webview, one line per rule with its nodes. */
async function violations(): Promise<string[]> {
  const results = await new AxeBuilder({ page: workbench.page }).include(['iframe.webview.ready', 'iframe#active-frame', 'html']).withTags(WCAG21_AA).analyze();
  // The scan reached the webview's content (a wrong frame selector would pass on nothing).
  assert.ok(
    results.passes.some((rule) => rule.id === 'color-contrast' && rule.nodes.length > 5),
    "the scan checked the page's text",
  );
  return results.violations.map(
    (violation) =>
      `${violation.id} (${violation.impact}): ${violation.help} — ${violation.nodes.map((node) => `${node.target.join(' ')}: ${node.failureSummary?.replace(/\s+/g, ' ')}`).join(' | ')}`,
  );
}

async function assertAccessible(state: string): Promise<void> {
  const found = await violations();
  assert.deepEqual(found, [], `${state}: ${found.length} WCAG 2.1 A/AA violation(s)`);
}

async function editor(title: string | RegExp): Promise<FrameLocator> {
  const frame = workbench.webview();
  await frame.locator('h1', { hasText: title }).waitFor({ timeout: 30_000 });
  return frame;
}

/** Closes the editor tab `name` (dropping its changes when `dirty`), so that one webview is left to scan. */
async function closeEditor(name: RegExp, dirty: boolean): Promise<void> {
  const tab = workbench.page.getByRole('tab', { name });
  await tab.click();
  await workbench.page.keyboard.press('Control+W');
  if (dirty) {
    const dialog = workbench.page.locator('.monaco-dialog-box');
    await dialog.getByRole('button', { name: "Don't Save", exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
  }
  await tab.waitFor({ state: 'detached' });
}

describe('accessibility of the webviews (axe-core, WCAG 2.1 A/AA)', { skip: missing, timeout: 300_000 }, () => {
  before(async () => {
    mkdirSync(screenshots, { recursive: true });
    configDir = mkdtempSync(join(tmpdir(), 'btp-e2e-a11y-'));
    subaccount = await startSandbox({ portBase: 0 });
    // Keychain entries are per connection name and the e2e files may run side by side: a name of this file's own.
    await new ConnectionStore(new KeychainSecretStore(), configDir).add(
      'a11y',
      {
        destination: parseCredentials(subaccount.keys.destination, { expected: 'destination' }) as DestinationBinding,
        connectivity: parseCredentials(subaccount.keys.connectivity, { expected: 'connectivity' }) as ConnectivityBinding,
      },
      { replace: true },
    );
    workbench = await Workbench.open({ BTP_CONNECT_CONFIG_DIR: configDir }, { width: 1400, height: 900 });
    await workbench.showView();
    await workbench.setExpanded(/^a11y/, true);
    await workbench.setExpanded('Subaccount destinations of a11y', true);
  });

  after(async () => {
    await workbench?.close();
    await subaccount?.close();
    await new ConnectionStore(new KeychainSecretStore(), configDir).remove('a11y').catch(() => undefined);
    rmSync(configDir, { recursive: true, force: true });
  });

  it('the destination editor: a stored destination, a validation problem, a new property row, a new destination', () =>
    workbench.shown('a11y-editor', async () => {
      await workbench.treeItem(/^internet-basic,/).click();
      const frame = await editor('internet-basic');
      await frame.getByText('Stored in the Destination service').first().waitFor();
      await assertAccessible('a stored destination');

      await frame.locator('vscode-textfield[data-property="URL"] input').fill('localhost:8080/api');
      await frame.locator('[data-field="URL"] .issues li.error').waitFor();
      await frame.locator('#new-property-name input').fill('URL.headers.x-trace');
      await frame.locator('#new-property-value input').fill('on');
      await frame.locator('#add-property').click();
      await frame.locator('tr[data-row="URL.headers.x-trace"]').waitFor();
      await assertAccessible('a validation problem and an added property');
      await frame.locator('#revert').click();
      await frame.locator('[data-field="URL"] .issues li.error').waitFor({ state: 'detached' });
      await closeEditor(/internet-basic/, false);

      await workbench.runCommand('BTP Connect: New Destination…');
      await workbench.pick('Subaccount');
      const created = await editor('New destination');
      await created.locator('vscode-single-select[data-property="Authentication"]').click();
      await created
        .locator('vscode-single-select[data-property="Authentication"]')
        .getByRole('option', { name: 'OAuth2ClientCredentials', exact: true })
        .click();
      await created.locator('[data-field="clientSecret"] .issues li.warning').waitFor();
      await assertAccessible('a new OAuth destination');
      await closeEditor(/New Destination/i, true);
    }));

  it('the traffic inspector: exchanges listed and one opened', () =>
    workbench.shown('a11y-inspector', async () => {
      const destination = workbench.treeItem(/^internet-basic,/);
      await destination.hover();
      await destination.getByRole('button', { name: 'Forward a Local Port…' }).click();
      const row = workbench.page.locator('.pane', { hasText: 'Forwards' }).getByRole('treeitem', { name: /internet-basic/ });
      await row.waitFor({ timeout: 30_000 });
      const address = /http:\/\/127\.0\.0\.1:\d+/.exec((await row.textContent()) ?? '')?.[0] ?? '';
      assert.ok(address);
      await row.hover();
      await row.getByRole('button', { name: 'Inspect Traffic' }).click();
      const frame = workbench.webview();
      await frame.locator('h1', { hasText: 'Traffic · internet-basic' }).waitFor({ timeout: 30_000 });
      await frame.getByText(/No requests yet/).waitFor();
      await assertAccessible('the empty inspector');

      assert.equal((await fetch(`${address}/sales/orders?top=5`, { headers: { accept: 'application/json' } })).status, 200);
      assert.equal((await fetch(`${address}/status/404`)).status, 404);
      const rows = frame.locator('table.exchanges tbody tr');
      await rows.nth(1).waitFor({ timeout: 30_000 });
      await rows.nth(1).click();
      await frame.locator('section.details').waitFor();
      await assertAccessible('the inspector with an exchange opened');
    }));
});
