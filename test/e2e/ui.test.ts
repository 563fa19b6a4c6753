import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox';
import { codeServerInstalled } from '../vscode/harness/codeServer';
import { screenshots, Workbench } from './workbench';

// The extension as a user meets it, in a real VS Code workbench (code-server) driven by Chromium: open the
// view, start the embedded sandbox, connect a subaccount from a pasted service key, forward a destination from
// the tree, fetch through it, and watch the Forwards view count the request. Screenshots go to
// test-results/screenshots (the README uses them).

const missing = codeServerInstalled();

let subaccount: Sandbox;
let workbench: Workbench;
let configDir: string;

describe('BTP Connect in the VS Code workbench', { skip: missing, timeout: 240_000 }, () => {
  before(async () => {
    mkdirSync(screenshots, { recursive: true });
    configDir = mkdtempSync(join(tmpdir(), 'btp-e2e-config-'));
    // The "subaccount" the user connects to: a second sandbox, reached only through its service keys.
    subaccount = await startSandbox({ portBase: 0 });
    workbench = await Workbench.open({ BTP_CONNECT_CONFIG_DIR: configDir });
  });

  after(async () => {
    await workbench?.close();
    await subaccount?.close();
    rmSync(configDir, { recursive: true, force: true });
  });

  it('opens the view, offers the welcome actions, and starts the sandbox from there', () =>
    workbench.shown('welcome', async () => {
      await workbench.showView();
      // A wider side bar, so that the screenshots show URLs and addresses in full.
      const sideBar = await workbench.page.locator('.part.sidebar').boundingBox();
      if (sideBar) {
        const edge = { x: sideBar.x + sideBar.width + 1, y: sideBar.y + sideBar.height / 2 };
        await workbench.page.mouse.move(edge.x, edge.y);
        await workbench.page.mouse.down();
        await workbench.page.mouse.move(edge.x + 240, edge.y, { steps: 8 });
        await workbench.page.mouse.up();
      }
      const start = workbench.page.getByRole('button', { name: 'Start the Sandbox' });
      await start.waitFor({ timeout: 60_000 });
      await workbench.page.getByRole('button', { name: 'Connect a Subaccount…' }).filter({ hasText: 'Connect a Subaccount…' }).waitFor();
      await workbench.screenshot('01-welcome.png');
      await start.click();
      await workbench.treeItem(/^sandbox/).waitFor({ timeout: 60_000 });
      await workbench.setExpanded('Subaccount destinations of sandbox', true);
      await workbench.treeItem(/^internet-basic,/).waitFor();
      await workbench.treeItem(/^internet-oauth-cc,/).waitFor();
      await workbench.screenshot('02-sandbox-destinations.png');
    }));

  it('connects a subaccount from pasted service keys (destination and connectivity)', () =>
    workbench.shown('connect', async () => {
      await workbench.runCommand('BTP Connect: Connect a Subaccount…');
      await workbench.pick('Paste a service key…');
      await workbench.answer('Paste the destination service key', JSON.stringify(subaccount.keys.destination));
      await workbench.pick('Add a connectivity service key…');
      await workbench.pick('Paste a service key…');
      await workbench.answer('Paste the connectivity service key', JSON.stringify(subaccount.keys.connectivity));
      await workbench.answer('A name for this connection', 'dev');
      await workbench.treeItem(/^dev/).waitFor({ timeout: 30_000 });
      // A toast hides itself after a while (under load, before this line runs): the notification center keeps it.
      await workbench.page.locator('.statusbar-item', { has: workbench.page.locator('.codicon-bell, .codicon-bell-dot') }).click();
      await workbench.page
        .locator('.notifications-center .notification-list-item', { hasText: /Connected "dev"/ })
        .first()
        .waitFor({ timeout: 30_000 });
      // Closed again, so that the next test sees the views.
      await workbench.page.locator('.statusbar-item', { has: workbench.page.locator('.codicon-bell, .codicon-bell-dot') }).click();
    }));

  it('forwards a destination from the tree, fetches through it, and sees the Forwards view count the request', () =>
    workbench.shown('forward', async () => {
      // Collapse the sandbox and filter, so that dev's on-premise destinations are the ones on screen.
      await workbench.setExpanded(/^sandbox/, false);
      await workbench.runCommand('BTP Connect: Filter Destinations…');
      await workbench.answer('Show destinations whose name', 'onprem-erp');
      await workbench.setExpanded(/^dev/, true);
      await workbench.setExpanded('Subaccount destinations of dev', true);
      const destination = workbench.treeItem(/^onprem-erp-basic,/);
      await destination.waitFor();
      await workbench.screenshot('03-connected-filtered.png');
      await destination.hover();
      await destination.getByRole('button', { name: 'Forward a Local Port…' }).click();

      const forwards = workbench.page.locator('.pane', { hasText: 'Forwards' });
      const row = forwards.getByRole('treeitem', { name: /onprem-erp-basic/ });
      await row.waitFor({ timeout: 30_000 });
      const text = (await row.textContent()) ?? '';
      const address = /http:\/\/127\.0\.0\.1:\d+/.exec(text)?.[0];
      assert.ok(address, `the Forwards view shows the local address: ${text}`);
      assert.match(text, /ready/);

      const response = await fetch(`${address}/sap/opu/odata/sap/API_BUSINESS_PARTNER/A_BusinessPartner`);
      assert.equal(response.status, 200);
      const body = (await response.json()) as { d: { results: { BusinessPartnerFullName: string }[] } };
      assert.ok(body.d.results.some((partner) => partner.BusinessPartnerFullName === 'Acme Corporation'));

      await forwards.getByRole('treeitem', { name: /onprem-erp-basic.*1 req/ }).waitFor({ timeout: 30_000 });
      await workbench.page.locator('.statusbar-item', { hasText: /1/ }).first().waitFor();
      await workbench.screenshot('04-forward.png');
    }));

  it('stops the forward from the Forwards view', () =>
    workbench.shown('stop', async () => {
      const forwards = workbench.page.locator('.pane', { hasText: 'Forwards' });
      const row = forwards.getByRole('treeitem', { name: /onprem-erp-basic/ });
      await row.hover();
      await row.getByRole('button', { name: 'Stop Forward' }).click();
      await row.waitFor({ state: 'detached', timeout: 30_000 });
      await workbench.page.getByRole('button', { name: 'Forward a Local Port…' }).filter({ hasText: 'Forward a Local Port…' }).waitFor();
    }));
});
