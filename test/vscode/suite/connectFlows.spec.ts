import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import * as vscode from 'vscode';
import { extensionApi } from './api';

// "Connect a subaccount…" the three other ways — a key file, `cf service-key`, a Kyma secret through kubectl —
// with the user's answers scripted by replacing the window's pickers (the UI test pastes a key for real).

/** Replaces the pickers and input boxes of `vscode.window` for one run of `body`, answering in order. */
async function scripted(answers: { picks: string[]; inputs: string[]; file?: string }, body: () => Promise<void>): Promise<string[]> {
  const window = vscode.window as unknown as Record<string, unknown>;
  const saved = ['showQuickPick', 'showInputBox', 'showOpenDialog', 'showErrorMessage', 'showInformationMessage', 'showWarningMessage'].map(
    (name) => [name, window[name]] as const,
  );
  const errors: string[] = [];
  const picks = [...answers.picks];
  const inputs = [...answers.inputs];
  window.showQuickPick = async (items: readonly vscode.QuickPickItem[] | Thenable<readonly vscode.QuickPickItem[]>) => {
    const list = await items;
    const wanted = picks.shift();
    return wanted === undefined ? undefined : list.find((item) => item.label.includes(wanted));
  };
  window.showInputBox = async (options?: vscode.InputBoxOptions) => {
    const value = inputs.shift();
    const problem = value === undefined ? undefined : await options?.validateInput?.(value);
    if (problem) throw new Error(`input refused: ${typeof problem === 'string' ? problem : problem.message}`);
    return value;
  };
  window.showOpenDialog = async () => (answers.file ? [vscode.Uri.file(answers.file)] : undefined);
  window.showErrorMessage = async (message: string) => {
    errors.push(message);
    return undefined;
  };
  window.showInformationMessage = async () => undefined;
  window.showWarningMessage = async () => 'Replace';
  try {
    await body();
  } finally {
    for (const [name, original] of saved) window[name] = original;
  }
  return errors;
}

describe('connect flows', () => {
  let dir: string;
  let keyFile: string;
  const savedPath = process.env.PATH;

  before(async () => {
    const api = await extensionApi();
    const sandbox = api.ctx.sandbox.running ?? (await api.ctx.sandbox.start());
    dir = mkdtempSync(join(tmpdir(), 'btp-connect-flows-'));
    keyFile = join(dir, 'destination.json');
    writeFileSync(keyFile, JSON.stringify(sandbox.keys.destination));
    const extension = vscode.extensions.getExtension('btp-connect.btp-connect');
    process.env.PATH = `${join(extension?.extensionPath ?? '', 'test', 'support', 'fakeCli')}${delimiter}${savedPath ?? ''}`;
    process.env.FAKE_CF_KEY_FILE = keyFile;
    process.env.FAKE_KUBECTL_KEY_FILE = keyFile;
  });

  after(async () => {
    process.env.PATH = savedPath;
    const api = await extensionApi();
    for (const name of ['from-file', 'from-cf', 'from-kyma']) await api.ctx.registry.remove(name).catch(() => undefined);
    await vscode.commands.executeCommand('btpConnect.stopSandbox');
    rmSync(dir, { recursive: true, force: true });
  });

  for (const [name, source, inputs] of [
    ['from-file', 'Service key file', []],
    ['from-cf', 'From the cf CLI', ['sandbox-destination', 'sandbox-key']],
    ['from-kyma', 'From a Kyma secret', ['sandbox-destination-binding', '']],
  ] as const) {
    it(`connects "${name}" (${source})`, async () => {
      const api = await extensionApi();
      const errors = await scripted({ picks: [source, 'No connectivity key'], inputs: [...inputs, name], file: keyFile }, async () => {
        await vscode.commands.executeCommand('btpConnect.connect');
      });
      assert.deepEqual(errors, []);
      const connection = await api.ctx.registry.get(name);
      assert.ok((await connection.client.list('instance')).some((destination) => destination.Name === 'instance-api'));
    });
  }

  it('refuses a broken key with the core message naming the field, and stores nothing', async () => {
    const api = await extensionApi();
    const { uri: _uri, ...broken } = api.ctx.sandbox.running?.keys.destination ?? {};
    const brokenFile = join(dir, 'broken.json');
    writeFileSync(brokenFile, JSON.stringify(broken));
    const errors = await scripted({ picks: ['Service key file', 'No connectivity key'], inputs: ['broken'], file: brokenFile }, async () => {
      await vscode.commands.executeCommand('btpConnect.connect');
    });
    assert.equal(errors.length, 1);
    assert.match(errors[0] ?? '', /^Service key not usable: .*"uri"/s);
    assert.equal(
      (await api.ctx.registry.list()).some((entry) => entry.name === 'broken'),
      false,
    );
  });
});
