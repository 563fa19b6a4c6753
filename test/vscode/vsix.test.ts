import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium } from 'playwright-core';
import { packageAll, type BuiltPackage } from '../../scripts/packageAll';
import { packageTargets } from '../../scripts/packageTargets';
import { openZip } from '../support/zipReader';
import { chromiumArgs, chromiumPath, codeServerInstalled, repoRoot, startCodeServer } from './harness/codeServer';

// The packages a user installs (`npm run package:all`): this machine's platform .vsix installs into VS Code
// offline, activates and keeps secrets in the OS keychain through the keyring binary it carries; the universal
// .vsix, without one, activates too, keeps them in VS Code's SecretStorage and says so in the status bar.

const missing = codeServerInstalled();
const hasKeychain = Boolean(process.env.DBUS_SESSION_BUS_ADDRESS);
const here = packageTargets.find((target) => target.target === 'linux-x64');
let out: string;
let built: BuiltPackage[] = [];

before(() => {
  if (missing) return;
  out = mkdtempSync(join(tmpdir(), 'btp-vsix-'));
  built = packageAll({ outDir: out, targets: here ? [here] : [], universal: true });
});
after(() => {
  if (missing) return;
  rmSync(out, { recursive: true, force: true });
  execFileSync(process.execPath, [join(repoRoot, 'scripts', 'build.mjs')], { cwd: repoRoot });
});

/**
 * Installs the package, starts the sandbox from the welcome view and resolves to the extension's log; checks the
 * status bar's SecretStorage item is there (or, for the keychain, not there once the extension is up).
 */
async function installAndStart(vsix: string, secretStorage: boolean): Promise<string> {
  const server = await startCodeServer({ mode: 'vsix', vsix, env: { BTP_CONNECT_CONFIG_DIR: join(out, `config-${Date.now()}`) } });
  const browser = await chromium.launchPersistentContext(join(server.tmp, 'chromium-profile'), { executablePath: chromiumPath, args: chromiumArgs });
  try {
    const page = browser.pages()[0] ?? (await browser.newPage());
    await page.goto(`${server.url}?folder=${encodeURIComponent(server.workspace)}`);
    await page
      .locator('.activitybar')
      .getByRole('tab', { name: /BTP Connect/ })
      .click({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Start the Sandbox' }).filter({ hasText: 'Start the Sandbox' }).click({ timeout: 60_000 });
    // Only an activated extension (secret store chosen, sandbox started) can show this item.
    await page.getByRole('treeitem', { name: /^sandbox, embedded sandbox/ }).waitFor({ timeout: 60_000 });
    const item = page.locator('.statusbar-item').filter({ hasText: 'SecretStorage' });
    // The item is made during activation, before the sandbox's tree item: both travel in order to the workbench.
    if (secretStorage) await item.first().waitFor({ timeout: 30_000 });
    else assert.equal(await item.count(), 0, 'no SecretStorage item while the keychain is used');
    return extensionLog(server.tmp);
  } finally {
    await browser.close().catch(() => undefined);
    await server.stop();
  }
}

/** The extension's output channel, as VS Code writes it to the user data's log folder. */
function extensionLog(dir: string): string {
  const found = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((path) => path.endsWith('BTP Connect.log'));
  return found.map((path) => readFileSync(join(dir, path), 'utf8')).join('\n');
}

describe('the .vsix packages', () => {
  it(
    'the linux-x64 package installs into code-server offline, activates and uses the OS keychain through its own binary',
    { skip: missing ?? (!here && 'no linux-x64 target'), timeout: 240_000 },
    async () => {
      const vsix = built.find((entry) => entry.target === here)!.file;
      const listing = openZip(vsix).names;
      assert.ok(listing.includes('extension/dist/extension.js'));
      // Both webviews with their stylesheets: the CSP allows styles from the extension's files only.
      for (const file of ['main.js', 'editor.css', 'inspector.js', 'inspector.css']) assert.ok(listing.includes(`extension/dist/webview/${file}`), file);
      assert.ok(listing.includes('extension/dist/node_modules/@napi-rs/keyring-linux-x64-gnu/keyring.linux-x64-gnu.node'));
      assert.deepEqual(
        listing.filter((name) => /extension\/(src|test)\/|undici|\.map$/.test(name)),
        [],
        'only bundles, the native module and docs',
      );
      // The manifest's texts, the runtime messages' bundle, the Marketplace icon and the walkthrough's pages.
      for (const file of ['package.nls.json', 'l10n/bundle.l10n.json', 'media/icon.png', 'media/walkthrough/connect.md'])
        assert.ok(listing.includes(`extension/${file}`), file);

      const log = await installAndStart(vsix, !hasKeychain);
      assert.match(log, hasKeychain ? /secrets in the OS keychain/ : /secrets in the VS Code SecretStorage/, log);
    },
  );

  it(
    'the universal package, without a keyring binary, activates with VS Code SecretStorage and says so in the status bar',
    { skip: missing, timeout: 240_000 },
    async () => {
      const vsix = built.find((entry) => entry.target === undefined)!.file;
      const log = await installAndStart(vsix, true);
      assert.match(log, /OS keychain unavailable, using VS Code SecretStorage: The OS keychain module \(@napi-rs\/keyring\) could not be loaded/, log);
      assert.match(log, /secrets in the VS Code SecretStorage/);
    },
  );
});
