import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { CertificateNode, CertificatesNode } from '../../../src/extension/tree/certificatesModel';
import type { TreeNode } from '../../../src/extension/tree/destinationsModel';
import { createCertificateAuthority } from '../../../src/sandbox/pki';
import { extensionApi } from './api';

// The Destination service's certificates in the tree, on the embedded sandbox: listed under the connection's
// "Certificates" node, uploaded from a file, downloaded without the private key, and deleted only when no
// destination names them. The user's answers are scripted by replacing the window's dialogs.

interface Script {
  picks?: string[];
  inputs?: string[];
  open?: string;
  save?: string;
  warning?: string;
}

/** Runs `body` with the dialogs answering from `script`; returns the error and warning messages shown. */
async function scripted(script: Script, body: () => Thenable<unknown>): Promise<{ errors: string[]; warnings: string[] }> {
  const window = vscode.window as unknown as Record<string, unknown>;
  const names = ['showQuickPick', 'showInputBox', 'showOpenDialog', 'showSaveDialog', 'showErrorMessage', 'showInformationMessage', 'showWarningMessage'];
  const saved = names.map((name) => [name, window[name]] as const);
  const shown = { errors: [] as string[], warnings: [] as string[] };
  const picks = [...(script.picks ?? [])];
  const inputs = [...(script.inputs ?? [])];
  window.showQuickPick = async (items: readonly vscode.QuickPickItem[] | Thenable<readonly vscode.QuickPickItem[]>) => {
    const wanted = picks.shift();
    return wanted === undefined ? undefined : (await items).find((item) => item.label === wanted);
  };
  window.showInputBox = async (options?: vscode.InputBoxOptions) => {
    const value = inputs.shift();
    const problem = value === undefined ? undefined : await options?.validateInput?.(value);
    if (problem) throw new Error(`input refused: ${typeof problem === 'string' ? problem : problem.message}`);
    return value;
  };
  window.showOpenDialog = async () => (script.open ? [vscode.Uri.file(script.open)] : undefined);
  window.showSaveDialog = async () => (script.save ? vscode.Uri.file(script.save) : undefined);
  window.showErrorMessage = async (message: string) => {
    shown.errors.push(message);
    return undefined;
  };
  window.showInformationMessage = async () => undefined;
  window.showWarningMessage = async (message: string) => {
    shown.warnings.push(message);
    return script.warning;
  };
  try {
    await body();
  } finally {
    for (const [name, original] of saved) window[name] = original;
  }
  return shown;
}

describe('certificates in the tree', () => {
  let dir: string;

  before(async () => {
    const api = await extensionApi();
    if (!api.ctx.sandbox.running) await vscode.commands.executeCommand('btpConnect.startSandbox');
    dir = mkdtempSync(join(tmpdir(), 'btp-connect-certificates-'));
  });

  after(async () => {
    await vscode.commands.executeCommand('btpConnect.stopSandbox');
    rmSync(dir, { recursive: true, force: true });
  });

  async function certificates(): Promise<{ node: CertificatesNode; items: CertificateNode[] }> {
    const provider = (await extensionApi()).ctx.destinations;
    const sandbox = (await provider.getChildren()).find((node) => node.kind === 'connection' && node.connection === 'sandbox');
    assert.ok(sandbox, 'the sandbox connection is in the tree');
    const node = (await provider.getChildren(sandbox)).find((child): child is CertificatesNode => child.kind === 'certificates');
    assert.ok(node, 'the sandbox connection has a Certificates node');
    const items = (await provider.getChildren(node)).filter((child: TreeNode): child is CertificateNode => child.kind === 'certificate');
    return { node, items };
  }

  it('lists the seeded certificates under the connection with level, type and expiry, and finds their parents', async () => {
    const provider = (await extensionApi()).ctx.destinations;
    const { node, items } = await certificates();
    assert.deepEqual(
      items.map((item) => `${item.level}/${item.name}`),
      ['subaccount/backend-client.p12', 'subaccount/backend-client.pem', 'subaccount/truststore.pem'],
    );
    const truststore = provider.getTreeItem(items.find((item) => item.name === 'truststore.pem') as CertificateNode);
    assert.match(String(truststore.description), /^subaccount · PEM · expires \d{4}-\d\d-\d\d$/);
    assert.equal(truststore.contextValue, 'certificate:certificate');
    assert.match((truststore.tooltip as vscode.MarkdownString).value, /BTP Connect Sandbox CA/);
    assert.equal(provider.getTreeItem(items.find((item) => item.name === 'backend-client.p12') as CertificateNode).contextValue, 'certificate:keystore');
    assert.equal(provider.getParent(items[0] as CertificateNode), node);
  });

  it('refuses to delete a certificate that destinations name, saying which, and keeps it', async () => {
    const { items } = await certificates();
    const truststore = items.find((item) => item.name === 'truststore.pem');
    const shown = await scripted({ warning: 'Delete' }, () => vscode.commands.executeCommand('btpConnect.deleteCertificate', truststore));
    assert.equal(shown.warnings.length, 1, 'the user was asked to confirm');
    assert.equal(shown.errors.length, 1, shown.errors.join('\n'));
    assert.match(shown.errors[0] ?? '', /^Certificate in use: .*destination "internet-truststore" \(TrustStoreLocation\)/);
    assert.ok(
      (await certificates()).items.some((item) => item.name === 'truststore.pem'),
      'truststore.pem is still there',
    );
  });

  it('uploads a certificate file, downloads its public part, and deletes it when nothing names it', async () => {
    const ca = createCertificateAuthority({ commonName: 'Tree Upload CA' });
    const file = join(dir, 'tree-ca.pem');
    writeFileSync(file, `${ca.certPem}${ca.keyPem}`);
    const { node } = await certificates();
    const upload = await scripted({ picks: ['Subaccount'], inputs: ['tree-ca.pem'], open: file }, () =>
      vscode.commands.executeCommand('btpConnect.uploadCertificate', node),
    );
    assert.deepEqual(upload.errors, []);
    const uploaded = (await certificates()).items.find((item) => item.name === 'tree-ca.pem');
    assert.ok(uploaded, 'the uploaded certificate is listed');
    assert.equal(uploaded.level, 'subaccount');

    const saved = join(dir, 'downloaded.pem');
    const download = await scripted({ save: saved }, () => vscode.commands.executeCommand('btpConnect.downloadPublicCertificate', uploaded));
    assert.deepEqual(download.errors, []);
    const downloaded = readFileSync(saved, 'utf8');
    assert.doesNotMatch(downloaded, /PRIVATE KEY/);
    assert.equal(downloaded, new X509Certificate(ca.certPem).toString());

    const removal = await scripted({ warning: 'Delete' }, () => vscode.commands.executeCommand('btpConnect.deleteCertificate', uploaded));
    assert.deepEqual(removal.errors, []);
    assert.ok(!(await certificates()).items.some((item) => item.name === 'tree-ca.pem'), 'tree-ca.pem is gone');
  });

  it('refuses a file whose content is not what its name says, with the coded reason', async () => {
    const file = join(dir, 'not-a-keystore.p12');
    writeFileSync(file, 'hello');
    const { node } = await certificates();
    const shown = await scripted({ picks: ['Subaccount'], inputs: ['not-a-keystore.p12'], open: file }, () =>
      vscode.commands.executeCommand('btpConnect.uploadCertificate', node),
    );
    assert.equal(shown.errors.length, 1);
    assert.match(shown.errors[0] ?? '', /^Invalid input: The keystore "not-a-keystore\.p12" is not a PKCS#12 file/);
  });
});
