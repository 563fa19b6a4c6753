import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';
import { chromiumArgs, chromiumPath, repoRoot, startCodeServer, workbenchUrl } from './codeServer';

/**
 * Where the in-host suite is bundled to (CJS, `vscode` and `mocha` external). `proxy` stays external too: an ES
 * module that reads its package.json through import.meta.url, which a CJS bundle does not have; the extension host
 * (Node 24) requires it from node_modules.
 */
export const suiteOut = join(repoRoot, 'dist-test', 'vscode');

export async function buildSuite(): Promise<string> {
  const dir = join(repoRoot, 'test', 'vscode', 'suite');
  const entryPoints = readdirSync(dir)
    .filter((name) => name.endsWith('.ts'))
    .map((name) => join(dir, name));
  await esbuild.build({
    entryPoints,
    outdir: suiteOut,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    external: ['vscode', 'mocha', '@napi-rs/keyring', 'proxy'],
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  return suiteOut;
}

export interface HostRun {
  readonly exitCode: number;
  readonly output: string;
}

/**
 * Runs the suite's `run()` inside the real extension host of code-server, the way `code
 * --extensionDevelopmentPath --extensionTestsPath` does on desktop: the workbench gets the paths as a payload and
 * reports the exit code through `window.codeAutomationExit`, its console through `codeAutomationLog`.
 */
export async function runInExtensionHost(environment: Record<string, string>, settings: Record<string, unknown> = {}, timeoutMs = 240_000): Promise<HostRun> {
  const testsPath = await buildSuite();
  const server = await startCodeServer({ mode: 'dev', env: environment, settings });
  const browser = await chromium.launchPersistentContext(join(server.tmp, 'chromium-profile'), { executablePath: chromiumPath, args: chromiumArgs });
  let output = '';
  try {
    const page = browser.pages()[0] ?? (await browser.newPage());
    const exitCode = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the extension tests did not finish in ${timeoutMs} ms:\n${output}`)), timeoutMs);
      void page.exposeFunction('codeAutomationLog', (_type: string, args: unknown[]) => {
        const line = format(...args);
        // The offline workbench complains about marketplaces and auth providers it cannot reach: not ours.
        if (!/open-vsx|github|AccountPolicyGate|connection token|socket|reconnection-grace|Service Worker|AgentHost|builtin extensions/.test(line))
          output += `${line}\n`;
      });
      void page.exposeFunction('codeAutomationExit', (code: number) => {
        clearTimeout(timer);
        resolve(code);
      });
      void page.goto(workbenchUrl(server, repoRoot, testsPath, environment)).catch(reject);
    });
    return { exitCode, output };
  } catch (error) {
    return { exitCode: 1, output: `${output}\n${String(error)}\ncode-server log:\n${server.log().slice(-4000)}` };
  } finally {
    await browser.close().catch(() => undefined);
    await server.stop();
  }
}
