import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import * as vscode from 'vscode';
import { extensionApi } from './api';

// Export for local apps (default-env.json pointing at forwards, no secrets) and import of a default-env.json
// (its Destination service binding becomes a connection, its destinations local ones, secrets into the keychain).

const CANARY = 'CANARY-imported-password-31x';

function getJson(url: string): Promise<{ status: number; body: { headers?: Record<string, string>; path?: string } }> {
  return new Promise((resolve, reject) => {
    request(url, (response) => {
      let text = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as { headers?: Record<string, string> } }));
    })
      .on('error', reject)
      .end();
  });
}

describe('export for local apps and import of default-env.json', () => {
  let dir: string;

  before(async () => {
    const api = await extensionApi();
    if (!api.ctx.sandbox.running) await api.ctx.sandbox.start();
    dir = mkdtempSync(join(tmpdir(), 'btp-connect-env-'));
  });

  after(async () => {
    const api = await extensionApi();
    await api.ctx.registry.remove('imported').catch(() => undefined);
    for (const name of ['imported-echo', 'proxied']) await api.ctx.registry.local.delete('subaccount', name).catch(() => undefined);
    await vscode.commands.executeCommand('btpConnect.stopSandbox');
    rmSync(dir, { recursive: true, force: true });
  });

  it('exports a forwarded destination into an existing default-env.json, keeping its other keys, with no credentials', async () => {
    const api = await extensionApi();
    const file = join(dir, 'default-env.json');
    writeFileSync(file, JSON.stringify({ PORT: '5000', destinations: [{ name: 'own', url: 'http://127.0.0.1:9' }] }));
    const written = await vscode.commands.executeCommand<string | undefined>('btpConnect.exportForLocalApps', {
      format: 'default-env',
      destinations: ['sandbox/onprem-erp-basic'],
      file,
    });
    assert.equal(written, file);
    const forward = api.ctx.registry.forwardOf('sandbox', 'onprem-erp-basic');
    assert.ok(forward, 'the export started the forward');
    const text = readFileSync(file, 'utf8');
    assert.deepEqual(JSON.parse(text), {
      PORT: '5000',
      destinations: [
        { name: 'own', url: 'http://127.0.0.1:9' },
        { name: 'onprem-erp-basic', url: api.ctx.registry.urlForApps(forward), forwardAuthToken: false },
      ],
    });
    assert.ok(!text.includes('erp-password'), 'no destination secret in the file');
  });

  it('imports a default-env.json: a connection and a local destination, secrets moved out of the file, a forward to it works', async () => {
    const api = await extensionApi();
    const sandbox = api.ctx.sandbox.running;
    assert.ok(sandbox);
    const file = join(dir, 'import', 'default-env.json');
    const { xsuaa: _xsuaa, ...vcap } = sandbox.vcapServices;
    const echoUrl = `${sandbox.endpoints.internetApiUrl}/imported-echo`;
    mkdirSync(join(dir, 'import'));
    writeFileSync(
      file,
      JSON.stringify({
        VCAP_SERVICES: vcap,
        destinations: [
          { name: 'imported-echo', url: echoUrl, username: 'bob', password: CANARY },
          { name: 'proxied', url: 'http://x.example', proxyHost: 'p', proxyPort: 1 },
        ],
      }),
    );

    const summary = await vscode.commands.executeCommand<{ connection?: string; localDestinations: string[]; secretsRemoved: boolean } | undefined>(
      'btpConnect.importDefaultEnv',
      { file, connectionName: 'imported', removeSecrets: true },
    );
    assert.deepEqual(summary, { connection: 'imported', localDestinations: ['imported-echo', 'proxied'], secretsRemoved: true });

    const names = (await api.ctx.registry.list()).map((entry) => entry.name);
    assert.ok(names.includes('imported') && names.includes('local'), names.join(', '));
    const imported = await api.ctx.registry.get('imported');
    assert.ok(
      (await imported.client.list('subaccount')).some((destination) => destination.Name === 'onprem-erp-basic'),
      'the imported connection reads the sandbox',
    );

    const left = readFileSync(file, 'utf8');
    assert.ok(!left.includes(CANARY), 'the destination password left the file');
    const destinationKey = (sandbox.keys.destination as { clientsecret: string }).clientsecret;
    assert.ok(!left.includes(destinationKey), 'the binding secret left the file');
    assert.ok(!readFileSync(api.ctx.registry.local.path, 'utf8').includes(CANARY), 'no secret in local-destinations.json');
    assert.equal((await api.ctx.registry.local.get('subaccount', 'imported-echo')).value.Password, CANARY, `the password is in the ${api.ctx.secretStorage}`);

    const local = await api.ctx.registry.get('local');
    const forward = await local.startForward({ destination: 'imported-echo' });
    const echoed = await getJson(`${api.ctx.registry.urlForApps(forward)}/hello`);
    assert.equal(echoed.status, 200);
    assert.equal(echoed.body.headers?.authorization, `Basic ${Buffer.from(`bob:${CANARY}`).toString('base64')}`);
    await local.forwards.stop(forward.id);
  });
});
