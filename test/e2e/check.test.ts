import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseCredentials } from '../../src/core/bindings/parseCredentials';
import type { ConnectivityBinding, DestinationBinding } from '../../src/core/bindings/types';
import { ConnectionStore } from '../../src/core/connections/connectionStore';
import { KeychainSecretStore } from '../../src/core/secrets/keychainStore';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox';
import { codeServerInstalled } from '../vscode/harness/codeServer';
import { screenshots, Workbench } from './workbench';

// Check Connection in a real workbench: run from the tree's context menu on an OnPremise destination whose root the Cloud
// Connector does not expose, it says the way works and names that hop with a hint (a warning, not "broken"), and the
// output shows every hop.

const missing = codeServerInstalled();
// Keychain entries are per connection name and the e2e files run side by side: a name of this file's own.
const connection = 'checking';

let subaccount: Sandbox;
let workbench: Workbench;
let configDir: string;

describe('Check Connection in the VS Code workbench', { skip: missing, timeout: 300_000 }, () => {
  before(async () => {
    mkdirSync(screenshots, { recursive: true });
    configDir = mkdtempSync(join(tmpdir(), 'btp-e2e-check-'));
    subaccount = await startSandbox({ portBase: 0 });
    await new ConnectionStore(new KeychainSecretStore(), configDir).add(
      connection,
      {
        destination: parseCredentials(subaccount.keys.destination, { expected: 'destination' }) as DestinationBinding,
        connectivity: parseCredentials(subaccount.keys.connectivity, { expected: 'connectivity' }) as ConnectivityBinding,
      },
      { replace: true },
    );
    workbench = await Workbench.open({ BTP_CONNECT_CONFIG_DIR: configDir }, { width: 1500, height: 900 });
    await workbench.showView();
    await workbench.setExpanded(new RegExp(`^${connection}`), true);
    await workbench.setExpanded(`Subaccount destinations of ${connection}`, true);
  });

  after(async () => {
    await workbench?.close();
    await subaccount?.close();
    await new ConnectionStore(new KeychainSecretStore(), configDir).remove(connection).catch(() => undefined);
    rmSync(configDir, { recursive: true, force: true });
  });

  it('warns at the Cloud Connector hop with a hint and shows every hop in the output', () =>
    workbench.shown('check', async () => {
      // The tree is virtual: filter so that the row is rendered.
      await workbench.runCommand('BTP Connect: Filter Destinations…');
      await workbench.answer('Show destinations whose name', 'onprem-erp');
      await workbench.treeItem(/^onprem-erp-basic,/).click({ button: 'right' });
      const item = workbench.page.getByRole('menuitem', { name: 'Check Connection' });
      await item.hover();
      await workbench.page.keyboard.press('Enter');
      // The toast may stay hidden after a context menu: the notification center shows it either way.
      await workbench.page.locator('.statusbar-item', { has: workbench.page.locator('.codicon-bell, .codicon-bell-dot') }).click();
      const toast = workbench.page.locator('.notifications-center .notification-list-item', {
        hasText: 'the way works; the Cloud Connector does not let this path through',
      });
      await toast.waitFor({ timeout: 30_000 });
      assert.match((await toast.textContent()) ?? '', /does not expose erp\.virtual:8000\//);
      await toast.getByRole('button', { name: 'Show All Hops' }).click();
      // The output is a Monaco editor: its spaces are non-breaking, which \s matches.
      const lines = workbench.page.locator('.part.panel .view-line');
      await lines
        .filter({ hasText: /!\s+Cloud\s+Connector/ })
        .first()
        .waitFor({ timeout: 30_000 });
      await lines
        .filter({ hasText: /✓\s+connectivity\s+proxy/ })
        .first()
        .waitFor();
      await lines
        .filter({ hasText: /Hint:\s+Check\s+a\s+path\s+that\s+is\s+exposed/ })
        .first()
        .waitFor();
      await workbench.screenshot('09-check-connection.png');
    }));
});
