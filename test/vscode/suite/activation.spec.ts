import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { extensionApi } from './api';

describe('activation', () => {
  it('activates, registers every contributed command, and reports its own activation time', async () => {
    const api = await extensionApi();
    const extension = vscode.extensions.getExtension('btp-connect.btp-connect');
    const manifest = JSON.parse(readFileSync(join(extension?.extensionPath ?? '', 'package.json'), 'utf8')) as {
      contributes: { commands: { command: string }[] };
    };
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const { command } of manifest.contributes.commands) assert.ok(registered.has(command), `${command} is registered`);
    assert.ok(api.activationMs > 0 && api.activationMs < 5_000, `activation took ${api.activationMs} ms`);
    const probeMs = await api.secretStoreMs;
    // Reported, not asserted (machine speed): issue 18 wants activation's own work under 50 ms.
    const steps = Object.entries(api.activationSteps).map(([name, ms]) => `${name} ${ms.toFixed(1)}`);
    console.log(
      `BTP Connect activation: ${api.activationMs.toFixed(1)} ms of its own work (${steps.join(', ')}); the keychain probe after it: ${probeMs.toFixed(1)} ms`,
    );
  });

  it('uses the OS keychain when one is reachable, VS Code SecretStorage otherwise, and says which', async () => {
    const api = await extensionApi();
    // Chosen after activation: asked before, it says so.
    await api.secretStoreMs;
    const expected = process.env.BTP_CONNECT_EXPECT_KEYCHAIN === '1' ? 'OS keychain' : 'VS Code SecretStorage (no OS keychain reachable)';
    assert.equal(api.ctx.secretStorage, expected);
  });
});
