import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { chromiumPath } from '../vscode/harness/codeServer';

/** Why a browser test cannot run here, or false: Chromium from Debian drives the page as a user's browser would. */
export const noChromium: string | false = !existsSync(chromiumPath) && `no Chromium at ${chromiumPath} (apt-get install chromium)`;

/** An attacker's page on its own loopback port: another origin that is same-site with every loopback forward. */
export async function servePage(html: string): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(html));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Opens `url` in headless Chromium and hands the page to `use`; the browser is closed afterwards. */
export async function inChromium<T>(url: string, use: (page: Page) => Promise<T>): Promise<T> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    await page.goto(url);
    return await use(page);
  } finally {
    await browser.close();
  }
}
