import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FrameLocator } from 'playwright-core';
import { parseCredentials } from '../../src/core/bindings/parseCredentials';
import type { ConnectivityBinding, DestinationBinding } from '../../src/core/bindings/types';
import { ConnectionStore } from '../../src/core/connections/connectionStore';
import { DestinationServiceClient } from '../../src/core/destinationService/client';
import { HttpAgents } from '../../src/core/http/agents';
import { createLogger } from '../../src/core/log';
import { KeychainSecretStore } from '../../src/core/secrets/keychainStore';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox';
import { codeServerInstalled } from '../vscode/harness/codeServer';
import { fileHolds, screenshots, Workbench } from './workbench';

// The destination editor in a real workbench: open it from the tree, edit, save to the Destination service
// (checked there, through our own client), a validation problem next to its field, a new destination of
// another authentication type, a concurrent change offered as a conflict instead of being overwritten, and
// unsaved changes surviving a hidden tab and asked about on close; and, whatever files.autoSave says, nothing
// written to the Destination service before an explicit Save.

const missing = codeServerInstalled();

let subaccount: Sandbox;
let workbench: Workbench;
let configDir: string;
let agents: HttpAgents;
let service: DestinationServiceClient;
/** Every write request the sandbox Destination service received (method and path), in the order it got them. */
const writes: string[] = [];
/** A plain text file in the workspace: auto-save, where on, saves it like any file. */
let canary: string;

/** The editor's webview, once it shows `title` as its heading. */
async function editor(title: string | RegExp): Promise<FrameLocator> {
  const frame = workbench.webview();
  await frame.locator('h1', { hasText: title }).waitFor({ timeout: 30_000 });
  return frame;
}

const input = (frame: FrameLocator, property: string) => frame.locator(`vscode-textfield[data-property="${property}"] input`);

async function choose(frame: FrameLocator, property: string, value: string): Promise<void> {
  await frame.locator(`vscode-single-select[data-property="${property}"]`).click();
  await frame.locator(`vscode-single-select[data-property="${property}"]`).getByRole('option', { name: value, exact: true }).click();
}

async function saved(frame: FrameLocator): Promise<void> {
  await frame.locator('#save').click();
  await frame.locator('.dirty').waitFor({ state: 'detached', timeout: 30_000 });
}

describe('the destination editor in the VS Code workbench', { skip: missing, timeout: 300_000 }, () => {
  before(async () => {
    mkdirSync(screenshots, { recursive: true });
    configDir = mkdtempSync(join(tmpdir(), 'btp-e2e-editor-'));
    const recorder = createLogger((_level, prefix, message) => {
      if (prefix === 'destination' && /^(POST|PUT|PATCH|DELETE) /.test(message)) writes.push(message);
    });
    subaccount = await startSandbox({ portBase: 0, logger: recorder });
    // A saved connection "editing" to the test's own sandbox, secrets in the keychain the extension shares (keychain
    // entries are per connection name, and the e2e files run side by side: each file uses a name of its own).
    await new ConnectionStore(new KeychainSecretStore(), configDir).add(
      'editing',
      {
        destination: parseCredentials(subaccount.keys.destination, { expected: 'destination' }) as DestinationBinding,
        connectivity: parseCredentials(subaccount.keys.connectivity, { expected: 'connectivity' }) as ConnectivityBinding,
      },
      { replace: true },
    );
    agents = new HttpAgents({ extraCaPem: subaccount.caPem });
    service = new DestinationServiceClient({
      binding: parseCredentials(subaccount.keys.destination, { expected: 'destination' }) as DestinationBinding,
      agents,
    });
    workbench = await Workbench.open({ BTP_CONNECT_CONFIG_DIR: configDir }, { width: 1400, height: 900 });
    canary = join(workbench.server.workspace, 'canary.txt');
    writeFileSync(canary, '');
    await workbench.showView();
    await workbench.setExpanded(/^editing/, true);
    await workbench.setExpanded('Subaccount destinations of editing', true);
  });

  after(async () => {
    await workbench?.close();
    await agents?.close();
    await subaccount?.close();
    await new ConnectionStore(new KeychainSecretStore(), configDir).remove('editing').catch(() => undefined);
    rmSync(configDir, { recursive: true, force: true });
  });

  it('opens from the tree, saves a changed property to the Destination service and keeps the stored password', () =>
    workbench.shown('editor-save', async () => {
      const before = (await service.get('subaccount', 'internet-basic')).value;
      await workbench.treeItem(/^internet-basic,/).click();
      const frame = await editor('internet-basic');
      await frame.getByText('Stored in the Destination service').first().waitFor();
      assert.equal(await input(frame, 'Password').count(), 0, 'the stored password is not in the page');
      await input(frame, 'Description').fill('Edited in VS Code');
      await frame.locator('.dirty').waitFor();
      await workbench.screenshot('05-editor.png');
      await saved(frame);
      const after = (await service.get('subaccount', 'internet-basic')).value;
      assert.equal(after.Description, 'Edited in VS Code');
      assert.equal(after.Password, before.Password, 'the password the webview never saw is kept');
      assert.equal(after.User, before.User);
    }));

  it('shows a validation problem next to its field and does not save while it lasts', () =>
    workbench.shown('editor-validation', async () => {
      const frame = await editor('internet-basic');
      await input(frame, 'URL').fill('localhost:8080/api');
      const problem = frame.locator('[data-field="URL"] .issues li.error');
      await problem.waitFor();
      assert.match((await problem.textContent()) ?? '', /URL/);
      assert.equal(await frame.locator('#save').getAttribute('disabled'), '', 'Save is disabled');
      await workbench.screenshot('06-editor-validation.png');
      await frame.locator('#revert').click();
      await problem.waitFor({ state: 'detached' });
      assert.notEqual((await service.get('subaccount', 'internet-basic')).value.URL, 'localhost:8080/api');
    }));

  it('creates a new destination with OAuth client credentials, its secret typed once and stored in the service', () =>
    workbench.shown('editor-new', async () => {
      await workbench.runCommand('BTP Connect: New Destination…');
      await workbench.pick('Subaccount');
      const frame = await editor('New destination');
      await input(frame, 'Name').fill('created-in-editor');
      await input(frame, 'URL').fill('https://api.example.com/v1');
      await choose(frame, 'Authentication', 'OAuth2ClientCredentials');
      for (const required of ['clientId', 'tokenServiceURL']) {
        await frame.locator(`[data-field="${required}"] vscode-label[required]`).waitFor();
      }
      // One of several client credentials (secret, key store, assertion…): shown up front, warned about while missing.
      await frame.locator('[data-field="clientSecret"] .issues li.warning').waitFor();
      await input(frame, 'clientId').fill('my-client');
      await input(frame, 'tokenServiceURL').fill('https://auth.example.com/oauth/token');
      await input(frame, 'clientSecret').fill('typed-once-secret');
      await input(frame, 'clientSecret').press('Enter');
      await frame.getByText('New value, saved with the destination').waitFor();
      assert.equal(await input(frame, 'clientSecret').count(), 0, 'the secret input is gone once sent');
      await saved(frame);
      const created = (await service.get('subaccount', 'created-in-editor')).value;
      assert.equal(created.Authentication, 'OAuth2ClientCredentials');
      assert.equal(created.clientId, 'my-client');
      assert.equal(created.clientSecret, 'typed-once-secret');
      await workbench.treeItem(/^created-in-editor,/).waitFor({ timeout: 30_000 });
    }));

  it('offers a concurrent change as a conflict, overwrites nothing, and saves mine only when asked', () =>
    workbench.shown('editor-conflict', async () => {
      await workbench.treeItem(/^internet-noauth,/).click();
      const frame = await editor('internet-noauth');
      await input(frame, 'Description').fill('Mine');
      const current = await service.get('subaccount', 'internet-noauth');
      await service.update('subaccount', { ...current.value, Description: 'Theirs' });
      await frame.locator('#save').click();
      const banner = frame.locator('.banner.conflict');
      await banner.waitFor({ timeout: 30_000 });
      const row = banner.locator('tr[data-change="Description"]');
      assert.match((await row.textContent()) ?? '', /Theirs.*Mine/s);
      assert.equal((await service.get('subaccount', 'internet-noauth')).value.Description, 'Theirs', 'nothing was overwritten');
      await workbench.screenshot('07-editor-conflict.png');
      await frame.locator('#conflict-overwrite').click();
      await banner.waitFor({ state: 'detached', timeout: 30_000 });
      await frame.locator('.dirty').waitFor({ state: 'detached' });
      assert.equal((await service.get('subaccount', 'internet-noauth')).value.Description, 'Mine');
    }));

  it('keeps unsaved changes while the tab is hidden, and asks before closing them away', () =>
    workbench.shown('editor-unsaved', async () => {
      await workbench.treeItem(/^internet-oauth-cc,/).click();
      let frame = await editor('internet-oauth-cc');
      await input(frame, 'Description').fill('Not saved yet');
      await frame.locator('.dirty').waitFor();
      await workbench.page.getByRole('tab', { name: /internet-noauth/ }).click();
      await editor('internet-noauth');
      await workbench.page.getByRole('tab', { name: /internet-oauth-cc/ }).click();
      frame = await editor('internet-oauth-cc');
      assert.equal(await input(frame, 'Description').inputValue(), 'Not saved yet');
      assert.notEqual((await service.get('subaccount', 'internet-oauth-cc')).value.Description, 'Not saved yet', 'nothing saved before the close');
      await workbench.page.getByRole('tab', { name: /internet-oauth-cc/ }).click();
      await workbench.page.keyboard.press('Control+W');
      const dialog = workbench.page.locator('.monaco-dialog-box');
      await dialog.waitFor({ timeout: 15_000 });
      assert.match((await dialog.textContent()) ?? '', /save the changes/i);
      const dontSave = dialog.getByRole('button', { name: "Don't Save", exact: true });
      await dontSave.waitFor();
      await dontSave.click();
      await dialog.waitFor({ state: 'detached' });
      await workbench.page.getByRole('tab', { name: /internet-oauth-cc/ }).waitFor({ state: 'detached' });
      assert.notEqual((await service.get('subaccount', 'internet-oauth-cc')).value.Description, 'Not saved yet');
    }));

  it('works from the keyboard: Tab moves field to field in reading order, Ctrl+S saves', () =>
    workbench.shown('editor-keyboard', async () => {
      await workbench.treeItem(/^internet-technical-user,/).click();
      const frame = await editor('internet-technical-user');
      // The element holding focus at document level: the field's host element when focus is in its shadow root.
      const focused = () =>
        frame
          .locator(':root')
          .evaluate((root) => root.ownerDocument.activeElement?.getAttribute('data-property') ?? root.ownerDocument.activeElement?.id ?? null);
      await input(frame, 'Name').focus();
      const order: (string | null)[] = [await focused()];
      for (let step = 0; step < 4; step++) {
        await workbench.page.keyboard.press('Tab');
        order.push(await focused());
      }
      assert.deepEqual(order, ['Name', 'Type', 'Description', 'URL', 'ProxyType']);
      await input(frame, 'Description').focus();
      // Markup in a value stays text (AC-38): it is typed, saved and shown back, and never becomes an element.
      const typed = 'Typed without a mouse <img src=x onerror="document.title=1">';
      await workbench.page.keyboard.type(typed);
      await frame.locator('.dirty').waitFor();
      await workbench.page.keyboard.press('Control+S');
      await frame.locator('.dirty').waitFor({ state: 'detached', timeout: 30_000 });
      assert.equal((await service.get('subaccount', 'internet-technical-user')).value.Description, typed);
      assert.equal(await input(frame, 'Description').inputValue(), typed);
      assert.equal(await frame.locator('img').count(), 0, 'no element was made of the value');
    }));

  // Auto-save must never write a destination: a shared Destination service would get every half-typed value a second
  // after the last keystroke. In each mode a destination is edited, then a text file beside it is changed and saved:
  // by hand where auto-save is off, else by auto-save at a moment only that mode saves it (after the delay while the
  // file still has the focus; when the focus leaves it), which also proves the setting was taken up. The destination's
  // own auto-save, had VS Code started one, was due before the file's and went to the extension host before the file
  // was saved. Only then comes the explicit Save, a different gesture in each mode, which must be the one and only
  // write since the edit.
  const modes = [
    { autoSave: 'off', settings: { 'files.autoSave': 'off' }, destination: 'internet-refresh-token', save: 'the Save button' },
    { autoSave: 'onFocusChange', settings: { 'files.autoSave': 'onFocusChange' }, destination: 'internet-token-exchange', save: '"Save" when closing' },
    {
      autoSave: 'afterDelay',
      settings: { 'files.autoSave': 'afterDelay', 'files.autoSaveDelay': 100 },
      destination: 'internet-authorization-code',
      save: 'Ctrl+S',
    },
  ] as const;
  for (const mode of modes) {
    it(`with files.autoSave ${mode.autoSave}, writes an edit only on an explicit Save (${mode.save}), though the files beside it are saved`, () =>
      workbench.shown(`editor-autosave-${mode.autoSave}`, async () => {
        await workbench.updateUserSettings(mode.settings);
        const typed = `Typed with auto save ${mode.autoSave}`;
        const before = (await service.get('subaccount', mode.destination)).value.Description;
        await workbench.treeItem(new RegExp(`^${mode.destination},`)).click();
        let frame = await editor(mode.destination);
        const writesBefore = writes.length;
        await input(frame, 'Description').fill(typed);
        await frame.locator('.dirty').waitFor();

        // Away to the text file (for onFocusChange, that is the destination editor's focus change), change it, back.
        await workbench.openFile('canary.txt');
        await workbench.page.keyboard.press('Control+A');
        await workbench.page.keyboard.type(mode.autoSave);
        const back = () => workbench.page.getByRole('tab', { name: mode.destination }).click();
        if (mode.autoSave === 'off') {
          await workbench.page.keyboard.press('Control+S');
          await fileHolds(canary, mode.autoSave);
          await back();
        } else if (mode.autoSave === 'onFocusChange') {
          await back();
          await fileHolds(canary, mode.autoSave);
        } else {
          await fileHolds(canary, mode.autoSave);
          await back();
        }
        frame = await editor(mode.destination);
        assert.equal(await frame.locator('.dirty').count(), 1, 'the destination still has unsaved changes');
        assert.deepEqual(writes.slice(writesBefore), [], 'nothing was written to the Destination service before the explicit Save');
        assert.equal((await service.get('subaccount', mode.destination)).value.Description, before);

        if (mode.autoSave === 'off') await saved(frame);
        else if (mode.autoSave === 'afterDelay') {
          await input(frame, 'Description').focus();
          await workbench.page.keyboard.press('Control+S');
          await frame.locator('.dirty').waitFor({ state: 'detached', timeout: 30_000 });
        } else {
          // onFocusChange saves a file instead of asking when its editor closes; a destination is asked about.
          await workbench.page.keyboard.press('Control+W');
          const dialog = workbench.page.locator('.monaco-dialog-box');
          await dialog.waitFor({ timeout: 15_000 });
          await dialog.getByRole('button', { name: 'Save', exact: true }).click();
          await workbench.page.getByRole('tab', { name: mode.destination }).waitFor({ state: 'detached', timeout: 30_000 });
        }
        assert.equal(writes.length - writesBefore, 1, `one write, by the explicit Save: ${writes.slice(writesBefore).join('; ')}`);
        assert.equal((await service.get('subaccount', mode.destination)).value.Description, typed);
      }));
  }

  it('ran without a Content Security Policy violation, and sees one an inline script causes on purpose (control)', async () => {
    assert.deepEqual(workbench.cspViolations, []);
    // Control: the console listener must catch a violation in the editor's webview, or silence would prove nothing.
    // Whichever destination editor the tests above left visible.
    const frame = await editor(/\S/);
    const reported = workbench.page.waitForEvent('console', { predicate: (message) => /Content Security Policy/i.test(message.text()), timeout: 30_000 });
    await frame.locator('body').evaluate((body) => {
      const script = body.ownerDocument.createElement('script');
      script.textContent = 'document.title = "injected"';
      body.append(script);
    });
    await reported;
    assert.equal(workbench.cspViolations.length, 1, workbench.cspViolations.join('\n'));
    assert.notEqual(await frame.locator('body').evaluate((body) => body.ownerDocument.title), 'injected', 'the inline script ran');
  });
});
