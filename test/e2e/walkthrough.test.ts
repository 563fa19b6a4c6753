import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { codeServerInstalled, repoRoot } from '../vscode/harness/codeServer';
import { screenshots, Workbench } from './workbench';

// The Getting Started walkthrough as a new user meets it: opened from "Welcome: Open Walkthrough..." (the command
// workbench.action.openWalkthrough, which without an id asks which one), every step rendered with the title
// package.nls.json gives it, a step's button runs the extension's command, and running it checks the step off.

const missing = codeServerInstalled();
const nls = JSON.parse(readFileSync(join(repoRoot, 'package.nls.json'), 'utf8')) as Record<string, string>;
const steps = ['connect', 'forward', 'debug', 'check'].map((id) => nls[`walkthrough.${id}.title`] ?? '');

let workbench: Workbench;
let configDir: string;

describe('the Getting Started walkthrough in the VS Code workbench', { skip: missing, timeout: 300_000 }, () => {
  before(async () => {
    mkdirSync(screenshots, { recursive: true });
    configDir = mkdtempSync(join(tmpdir(), 'btp-e2e-walkthrough-'));
    workbench = await Workbench.open({ BTP_CONNECT_CONFIG_DIR: configDir }, { width: 1400, height: 860 });
  });

  after(async () => {
    await workbench?.close();
    rmSync(configDir, { recursive: true, force: true });
  });

  it('opens from the command palette and renders its four steps; starting the sandbox from the first checks it off', () =>
    workbench.shown('walkthrough', async () => {
      await workbench.runCommand('Welcome: Open Walkthrough...');
      await workbench.pick(nls['walkthrough.gettingStarted.title'] ?? '');
      const page = workbench.page.locator('.gettingStartedContainer');
      await page
        .getByRole('heading', { name: nls['walkthrough.gettingStarted.title'] ?? '' })
        .first()
        .waitFor({ timeout: 30_000 });
      for (const title of steps) await page.locator('.getting-started-step', { hasText: title }).first().waitFor();
      assert.equal(await page.locator('.getting-started-step').count(), steps.length);

      // The first step is expanded: its media (media/walkthrough/connect.md) and its buttons show.
      const first = page.locator('.getting-started-step.expanded', { hasText: steps[0] ?? '' });
      await first.getByRole('button', { name: 'Start the Sandbox' }).waitFor();
      // Markdown media is rendered in a webview of its own, beside the steps.
      await workbench.webview().getByRole('heading', { name: 'Connect a subaccount, or start the sandbox' }).waitFor({ timeout: 30_000 });
      const done = page.locator('[data-done-step-id$="connect"]');
      assert.equal(await done.getAttribute('aria-checked'), 'false', 'not done before the sandbox runs');
      await workbench.screenshot('10-walkthrough.png');

      await first.getByRole('button', { name: 'Start the Sandbox' }).click();
      await page.locator('[data-done-step-id$="connect"][aria-checked="true"]').waitFor({ timeout: 60_000 });
      await workbench.showView();
      await workbench.treeItem(/^sandbox/).waitFor({ timeout: 60_000 });
    }));
});
