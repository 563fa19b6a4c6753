import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { chromium } from 'playwright-core';
import { chromiumArgs, chromiumPath, codeServerInstalled, repoRoot, startCodeServer } from './harness/codeServer';

// The package a user installs: `vsce package` builds a .vsix that installs into VS Code offline and activates,
// native keychain module included.

const missing = codeServerInstalled();

describe('the .vsix', () => {
  it('is packaged by vsce, installs into code-server offline and activates', { skip: missing, timeout: 240_000 }, async () => {
    const out = mkdtempSync(join(tmpdir(), 'btp-vsix-'));
    const vsix = join(out, 'btp-connect.vsix');
    try {
      execFileSync(process.execPath, [join(repoRoot, 'scripts', 'build.mjs'), '--production'], { cwd: repoRoot });
      execFileSync(process.execPath, [join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-yarn', '--no-update-package-json', '--out', vsix], { cwd: repoRoot, stdio: 'pipe' });
      const size = statSync(vsix).size;
      console.log(`btp-connect.vsix: ${(size / 1024 / 1024).toFixed(2)} MiB`);
      assert.ok(size < 10 * 1024 * 1024, `${size} bytes`);
      const listing = execFileSync('unzip', ['-l', vsix], { encoding: 'utf8' });
      assert.match(listing, /extension\/dist\/extension\.js/);
      // Both webviews with their stylesheets: the CSP allows styles from the extension's files only.
      for (const file of ['main.js', 'editor.css', 'inspector.js', 'inspector.css']) assert.match(listing, new RegExp(`extension/dist/webview/${file.replace('.', '\\.')}`), file);
      assert.match(listing, /extension\/node_modules\/@napi-rs\/keyring-linux-x64-gnu\/keyring\.linux-x64-gnu\.node/);
      assert.doesNotMatch(listing, /extension\/(src|test)\/|undici|\.map\b/, 'only bundles, the native module and docs');
      // The manifest's texts, the runtime messages' bundle, the Marketplace icon and the walkthrough's pages.
      for (const file of ['package.nls.json', 'l10n/bundle.l10n.json', 'media/icon.png', 'media/walkthrough/connect.md']) assert.match(listing, new RegExp(`extension/${file.replace(/\./g, '\\.')}`), file);

      const server = await startCodeServer({ mode: 'vsix', vsix, env: { BTP_CONNECT_CONFIG_DIR: join(out, 'config') } });
      const browser = await chromium.launchPersistentContext(join(server.tmp, 'chromium-profile'), { executablePath: chromiumPath, args: chromiumArgs });
      try {
        const page = browser.pages()[0] ?? (await browser.newPage());
        await page.goto(`${server.url}?folder=${encodeURIComponent(server.workspace)}`);
        await page.locator('.activitybar').getByRole('tab', { name: /BTP Connect/ }).click({ timeout: 60_000 });
        await page.getByRole('button', { name: 'Start the Sandbox' }).filter({ hasText: 'Start the Sandbox' }).click({ timeout: 60_000 });
        // Only an activated extension (keychain module loaded, sandbox started) can show this item.
        await page.getByRole('treeitem', { name: /^sandbox, embedded sandbox/ }).waitFor({ timeout: 60_000 });
      } finally {
        await browser.close().catch(() => undefined);
        await server.stop();
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
      execFileSync(process.execPath, [join(repoRoot, 'scripts', 'build.mjs')], { cwd: repoRoot });
    }
  });
});
