import { readFileSync, watch } from 'node:fs';
import { dirname, join } from 'node:path';
import { chromium, type BrowserContext, type FrameLocator, type Locator, type Page } from 'playwright-core';
import { chromiumArgs, chromiumPath, repoRoot, startCodeServer, workbenchUrl, type CodeServer } from '../vscode/harness/codeServer';

/** Screenshots of UI tests: failures, and the images the README shows. */
export const screenshots = join(repoRoot, 'test-results', 'screenshots');

/**
 * A code-server workbench driven by Chromium, with the extension loaded as under development, and the few
 * gestures the UI tests share: the command palette, quick picks, input boxes, tree rows and webview frames.
 */
export class Workbench {
  private constructor(
    readonly server: CodeServer,
    readonly browser: BrowserContext,
    readonly page: Page,
    /** Console lines of the workbench and its webviews mentioning a Content Security Policy violation. */
    readonly cspViolations: string[],
  ) {}

  static async open(env: NodeJS.ProcessEnv, viewport = { width: 1400, height: 860 }): Promise<Workbench> {
    // Text typed by a test lands as typed: no brackets or quotes closed, no lines indented by the editor.
    const typing = { 'editor.autoClosingBrackets': 'never', 'editor.autoClosingQuotes': 'never', 'editor.autoSurround': 'never', 'editor.autoIndent': 'none' };
    const server = await startCodeServer({ mode: 'dev', env, settings: typing });
    const browser = await chromium.launchPersistentContext(join(server.tmp, 'chromium-profile'), {
      executablePath: chromiumPath,
      args: chromiumArgs,
      viewport,
    });
    const page = browser.pages()[0] ?? (await browser.newPage());
    const cspViolations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
    await page.goto(workbenchUrl(server, repoRoot));
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    return new Workbench(server, browser, page, cspViolations);
  }

  async close(): Promise<void> {
    await this.browser.close().catch(() => undefined);
    await this.server.stop();
  }

  async showView(): Promise<void> {
    await this.page
      .locator('.activitybar')
      .getByRole('tab', { name: /BTP Connect/ })
      .click();
  }

  treeItem(name: string | RegExp): Locator {
    return this.page.getByRole('treeitem', { name }).first();
  }

  /** Clicks a tree row only when it is not in the wanted state (a click toggles), then waits for that state. */
  async setExpanded(name: string | RegExp, expanded: boolean): Promise<void> {
    const row = this.treeItem(name);
    await row.waitFor({ timeout: 30_000 });
    if ((await row.getAttribute('aria-expanded')) === String(expanded)) return;
    // Select the row by clicking its twistie-free end, then use the keyboard: arrows expand and collapse.
    await row.click({ position: { x: 5, y: 5 } });
    if ((await row.getAttribute('aria-expanded')) !== String(expanded)) await this.page.keyboard.press(expanded ? 'ArrowRight' : 'ArrowLeft');
    await this.page.getByRole('treeitem', { name, expanded }).first().waitFor();
  }

  async runCommand(title: string): Promise<void> {
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill(`>${title}`);
    await this.page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor();
    await this.page.keyboard.press('Enter');
  }

  /** Opens a workspace file by name through Quick Open, and waits until its text editor has the focus. */
  async openFile(name: string): Promise<void> {
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill(name);
    await this.page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor();
    await this.page.keyboard.press('Enter');
    await this.page.getByRole('tab', { name, selected: true }).waitFor();
    await this.page.locator('.editor-instance .monaco-editor.focused').waitFor();
  }

  /**
   * Changes user settings the way a person does it in VS Code: in settings.json, saved. (A write to the file from
   * outside is not noticed by code-server's workbench.) Callers wait for an effect of the change.
   */
  async updateUserSettings(values: Record<string, unknown>): Promise<void> {
    const file = join(this.server.tmp, 'user-data', 'User', 'settings.json');
    const settings = { ...(JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>), ...values };
    await this.runCommand('Preferences: Open User Settings (JSON)');
    const tab = this.page.getByRole('tab', { name: 'settings.json', selected: true });
    await tab.waitFor();
    await this.page.locator('.editor-instance .monaco-editor.focused').waitFor();
    await this.page.keyboard.press('Control+A');
    // One line: typed line by line, the editor would indent and close brackets on its own.
    await this.page.keyboard.insertText(JSON.stringify(settings));
    const dirty = this.page.locator('.tab.dirty[data-resource-name="settings.json"]');
    await dirty.waitFor();
    await this.page.keyboard.press('Control+S');
    await dirty.waitFor({ state: 'detached' });
    await this.page.keyboard.press('Control+W');
    await tab.waitFor({ state: 'detached' });
  }

  async pick(label: string): Promise<void> {
    await this.page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first().click();
  }

  /** Types into the input box whose prompt contains `prompt` (waiting for it: the widget is reused between steps). */
  async answer(prompt: string, text: string): Promise<void> {
    const message = this.page.locator('.quick-input-widget .quick-input-message', { hasText: prompt });
    await message.waitFor();
    await this.page.locator('.quick-input-widget input').fill('');
    await this.page.keyboard.insertText(text);
    await this.page.keyboard.press('Enter');
    await message.waitFor({ state: 'hidden' });
  }

  /** The content frame of the visible webview (code-server nests it in two iframes). */
  webview(): FrameLocator {
    return this.page.locator('iframe.webview.ready:visible').contentFrame().locator('iframe#active-frame').contentFrame();
  }

  /** Runs a test body; on failure saves what the workbench showed, which a timeout message alone does not tell. */
  async shown(name: string, body: () => Promise<void>): Promise<void> {
    try {
      await body();
    } catch (error) {
      await this.page.screenshot({ path: join(screenshots, `failure-${name}.png`) }).catch(() => undefined);
      throw error;
    }
  }

  screenshot(name: string): Promise<Buffer> {
    return this.page.screenshot({ path: join(screenshots, name) });
  }
}

/** Resolves once `path` holds `text` (watching its folder: no polling), or fails after 30 s. */
export function fileHolds(path: string, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const holds = (): boolean => {
      try {
        return readFileSync(path, 'utf8') === text;
      } catch {
        return false;
      }
    };
    const watcher = watch(dirname(path), () => {
      if (holds()) done();
    });
    const timer = setTimeout(
      () => done(new Error(`${path} did not come to hold ${JSON.stringify(text)}: it holds ${JSON.stringify(readFileSync(path, 'utf8'))}`)),
      30_000,
    );
    function done(error?: Error): void {
      clearTimeout(timer);
      watcher.close();
      if (error) reject(error);
      else resolve();
    }
    if (holds()) done();
  });
}
