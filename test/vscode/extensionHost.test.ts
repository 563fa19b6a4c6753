import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { codeServerInstalled } from './harness/codeServer';
import { runInExtensionHost } from './harness/extensionHost';

// The extension's own tests (test/vscode/suite), run inside a real VS Code extension host (code-server).

const missing = codeServerInstalled();

async function runSuite(environment: Record<string, string>, settings: Record<string, unknown> = {}): Promise<string> {
  const configDir = mkdtempSync(join(tmpdir(), 'btp-vscode-config-'));
  try {
    const run = await runInExtensionHost({ BTP_CONNECT_CONFIG_DIR: configDir, ...environment }, settings);
    assert.equal(run.exitCode, 0, run.output);
    assert.match(run.output, /extension host: [1-9]\d* passed, 0 failed/);
    return run.output;
  } finally {
    rmSync(configDir, { recursive: true, force: true });
  }
}

describe('extension tests in a real VS Code', () => {
  it(
    'pass inside the code-server extension host with the OS keychain',
    { skip: missing ?? (!process.env.DBUS_SESSION_BUS_ADDRESS && 'no D-Bus session: run under test/support/with-keyring.sh'), timeout: 300_000 },
    async () => {
      const output = await runSuite({ BTP_CONNECT_EXPECT_KEYCHAIN: '1' });
      console.log(
        output
          .split('\n')
          .filter((line) => /activation|passed|destinations: listed/.test(line))
          .join('\n'),
      );
    },
  );

  // The second pass also plays a shared machine (an SSH session, the setting on auto): every forward then needs the
  // local token, and launch configurations, terminals and exports must hand apps addresses that carry it.
  it(
    'pass with the VS Code SecretStorage fallback where no keychain is reachable, on a shared machine (local token)',
    { skip: missing, timeout: 300_000 },
    async () => {
      await runSuite(
        {
          BTP_CONNECT_EXPECT_KEYCHAIN: '0',
          DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus',
          SSH_CONNECTION: '127.0.0.1 50022 127.0.0.1 22',
          BTP_CONNECT_EXPECT_LOCAL_TOKEN: '1',
        },
        { 'btpConnect.forwards.requireLocalToken': 'auto' },
      );
    },
  );
});
