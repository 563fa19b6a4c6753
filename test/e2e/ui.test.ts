import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox';
import { chromiumArgs, chromiumPath, codeServerInstalled, repoRoot, startCodeServer, workbenchUrl, type CodeServer } from '../vscode/harness/codeServer';

// The extension as a user meets it, in a real VS Code workbench (code-server) driven by Chromium: open the
// view, start the embedded sandbox, connect a subaccount from a pasted service key, forward a destination from
// the tree, fetch through it, and watch the Forwards view count the request. Screenshots go to
// test-results/screenshots (the README uses them).

const missing = codeServerInstalled();
const screenshots = join(repoRoot, 'test-results', 'screenshots');

let subaccount: Sandbox;
let server: CodeServer;
let browser: BrowserContext;
let page: Page;
let configDir: string;

describe('BTP Connect in the VS Code workbench', { skip: missing, timeout: 240_000 }, () => {
  before(async () => {
    mkdirSync(screenshots, { recursive: true });
    configDir = mkdtempSync(join(tmpdir(), 'btp-e2e-config-'));
    // The "subaccount" the user connects to: a second sandbox, reached only through its service keys.
    subaccount = await startSandbox({ portBase: 0 });
    server = await startCodeServer({ mode: 'dev', env: { BTP_CONNECT_CONFIG_DIR: configDir } });
    browser = await chromium.launchPersistentContext(join(server.tmp, 'chromium-profile'), { executablePath: chromiumPath, args: chromiumArgs, viewport: { width: 1400, height: 860 } });
    page = browser.pages()[0] ?? (await browser.newPage());
    await page.goto(workbenchUrl(server, repoRoot));
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    await subaccount?.close();
    rmSync(configDir, { recursive: true, force: true });
  });

  const treeItem = (name: string | RegExp): Locator => page.getByRole('treeitem', { name }).first();

  /** Clicks a tree row only when it is not in the wanted state (a click toggles), then waits for that state. */
  async function setExpanded(name: string | RegExp, expanded: boolean): Promise<void> {
    const row = treeItem(name);
    await row.waitFor();
    if ((await row.getAttribute('aria-expanded')) === String(expanded)) return;
    // Select the row by clicking its twistie-free end, then use the keyboard: arrows expand and collapse.
    await row.click({ position: { x: 5, y: 5 } });
    if ((await row.getAttribute('aria-expanded')) !== String(expanded)) await page.keyboard.press(expanded ? 'ArrowRight' : 'ArrowLeft');
    await page.getByRole('treeitem', { name, expanded }).first().waitFor();
  }

  /** Runs a test body; on failure saves what the workbench showed, which a timeout message alone does not tell. */
  async function shown(name: string, body: () => Promise<void>): Promise<void> {
    try {
      await body();
    } catch (error) {
      await page.screenshot({ path: join(screenshots, `failure-${name}.png`) }).catch(() => undefined);
      throw error;
    }
  }

  async function runCommand(title: string): Promise<void> {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill(`>${title}`);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor();
    await page.keyboard.press('Enter');
  }

  async function pick(label: string): Promise<void> {
    await page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first().click();
  }

  /** Types into the input box whose prompt contains `prompt` (waiting for it: the widget is reused between steps). */
  async function answer(prompt: string, text: string): Promise<void> {
    await page.locator('.quick-input-widget .quick-input-message', { hasText: prompt }).waitFor();
    const input = page.locator('.quick-input-widget input');
    await input.fill('');
    await page.keyboard.insertText(text);
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget .quick-input-message', { hasText: prompt }).waitFor({ state: 'hidden' });
  }

  it('opens the view, offers the welcome actions, and starts the sandbox from there', () => shown('welcome', async () => {
    await page.locator('.activitybar').getByRole('tab', { name: /BTP Connect/ }).click();
    // A wider side bar, so that the screenshots show URLs and addresses in full.
    const sideBar = await page.locator('.part.sidebar').boundingBox();
    if (sideBar) {
      const edge = { x: sideBar.x + sideBar.width + 1, y: sideBar.y + sideBar.height / 2 };
      await page.mouse.move(edge.x, edge.y);
      await page.mouse.down();
      await page.mouse.move(edge.x + 240, edge.y, { steps: 8 });
      await page.mouse.up();
    }
    const start = page.getByRole('button', { name: 'Start the Sandbox' });
    await start.waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Connect a Subaccount…' }).filter({ hasText: 'Connect a Subaccount…' }).waitFor();
    await page.screenshot({ path: join(screenshots, '01-welcome.png') });
    await start.click();
    await treeItem(/^sandbox/).waitFor({ timeout: 60_000 });
    await setExpanded('Subaccount destinations of sandbox', true);
    await treeItem(/^internet-basic,/).waitFor();
    await treeItem(/^internet-oauth-cc,/).waitFor();
    await page.screenshot({ path: join(screenshots, '02-sandbox-destinations.png') });
  }));

  it('connects a subaccount from pasted service keys (destination and connectivity)', () => shown('connect', async () => {
    await runCommand('BTP Connect: Connect a Subaccount…');
    await pick('Paste a service key…');
    await answer('Paste the destination service key', JSON.stringify(subaccount.keys.destination));
    await pick('Add a connectivity service key…');
    await pick('Paste a service key…');
    await answer('Paste the connectivity service key', JSON.stringify(subaccount.keys.connectivity));
    await answer('A name for this connection', 'dev');
    await treeItem(/^dev/).waitFor({ timeout: 30_000 });
    await page.getByText(/Connected "dev"/).first().waitFor();
  }));

  it('forwards a destination from the tree, fetches through it, and sees the Forwards view count the request', () => shown('forward', async () => {
    // Collapse the sandbox and filter, so that dev's on-premise destinations are the ones on screen.
    await setExpanded(/^sandbox/, false);
    await runCommand('BTP Connect: Filter Destinations…');
    await answer('Show destinations whose name', 'onprem-erp');
    await setExpanded(/^dev/, true);
    await setExpanded('Subaccount destinations of dev', true);
    const destination = treeItem(/^onprem-erp-basic,/);
    await destination.waitFor();
    await page.screenshot({ path: join(screenshots, '03-connected-filtered.png') });
    await destination.hover();
    await destination.getByRole('button', { name: 'Forward a Local Port…' }).click();

    const forwards = page.locator('.pane', { hasText: 'Forwards' });
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
    await page.locator('.statusbar-item', { hasText: /1/ }).first().waitFor();
    await page.screenshot({ path: join(screenshots, '04-forward.png') });
  }));

  it('stops the forward from the Forwards view', () => shown('stop', async () => {
    const forwards = page.locator('.pane', { hasText: 'Forwards' });
    const row = forwards.getByRole('treeitem', { name: /onprem-erp-basic/ });
    await row.hover();
    await row.getByRole('button', { name: 'Stop Forward' }).click();
    await row.waitFor({ state: 'detached', timeout: 30_000 });
    await page.getByRole('button', { name: 'Forward a Local Port…' }).filter({ hasText: 'Forward a Local Port…' }).waitFor();
  }));
});
