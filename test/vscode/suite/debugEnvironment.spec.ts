import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { DebugEnvironmentProvider } from '../../../src/extension/environment/debugEnvironment';
import { extensionApi, when } from './api';

// A debug session of a small Node program in the workspace reaches an on-premise system of the sandbox through
// the `destinations` the extension injects, with the forward the launch configuration names started for it.

interface AppResult {
  readonly status: number;
  readonly partners: number;
  readonly destinations: { name: string; url: string }[];
  readonly proxyHost: string | null;
}

const APP = `
const { writeFileSync } = require('node:fs');
const destinations = JSON.parse(process.env.destinations || '[]');
const erp = destinations.find((d) => d.name === 'onprem-erp-basic');
const vcap = process.env.VCAP_SERVICES ? JSON.parse(process.env.VCAP_SERVICES) : undefined;
fetch(erp.url + '/sap/opu/odata/sap/API_BUSINESS_PARTNER/A_BusinessPartner').then(async (response) => {
  const body = await response.json();
  writeFileSync(process.argv[2], JSON.stringify({
    status: response.status,
    partners: body.d.results.length,
    destinations,
    proxyHost: vcap ? vcap.connectivity[0].credentials.onpremise_proxy_host + ':' + vcap.connectivity[0].credentials.onpremise_proxy_http_port : null,
  }));
});
`;

async function runToEnd(configuration: vscode.DebugConfiguration): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  const ended = new Promise<void>((resolve) => {
    const subscription = vscode.debug.onDidTerminateDebugSession((session) => {
      if (session.name !== configuration.name) return;
      subscription.dispose();
      resolve();
    });
  });
  assert.ok(await vscode.debug.startDebugging(folder, configuration), 'the debug session starts');
  await ended;
}

describe('debug sessions and terminals', () => {
  after(async () => {
    await vscode.workspace.getConfiguration('btpConnect').update('terminal.injectEnvironment', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('btpConnect.stopSandbox');
  });

  // Restricted Mode cannot be switched on inside a running test host: the provider gets the trust answer injected.
  it('in Restricted Mode a launch configuration naming a destination is refused and starts no forward', async () => {
    const api = await extensionApi();
    if (!api.ctx.sandbox.running) await vscode.commands.executeCommand('btpConnect.startSandbox');
    const untrusted = new DebugEnvironmentProvider(api.ctx, () => false);
    const configuration = {
      type: 'node',
      request: 'launch',
      name: 'btp-untrusted',
      program: 'app.js',
      btpConnect: { destinations: ['sandbox/onprem-erp-basic'] },
    };
    assert.equal(await untrusted.resolveDebugConfiguration(undefined, configuration), undefined, 'the launch is stopped');
    assert.equal(api.ctx.registry.forwardOf('sandbox', 'onprem-erp-basic'), undefined, 'no forward started');
  });

  it('a Node launch configuration naming a destination gets its forward started and reaches on-premise data', async () => {
    const api = await extensionApi();
    if (!api.ctx.sandbox.running) await vscode.commands.executeCommand('btpConnect.startSandbox');
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(folder, 'the test workspace is open');
    const program = join(folder, 'app.js');
    const result = join(folder, 'result.json');
    writeFileSync(program, APP);
    rmSync(result, { force: true });
    assert.equal(api.ctx.registry.forwardOf('sandbox', 'onprem-erp-basic'), undefined, 'no forward before the launch');

    await runToEnd({
      type: 'node',
      request: 'launch',
      name: 'btp-app',
      program,
      args: [result],
      btpConnect: { destinations: ['sandbox/onprem-erp-basic'], vcapServices: true },
    });

    const forward = api.ctx.registry.forwardOf('sandbox', 'onprem-erp-basic');
    assert.ok(forward, 'the launch started the forward');
    assert.ok(existsSync(result), 'the program ran to the end');
    const app = JSON.parse(readFileSync(result, 'utf8')) as AppResult;
    assert.equal(app.status, 200);
    assert.ok(app.partners > 0, 'on-premise business partners came back');
    assert.deepEqual(app.destinations, [{ name: 'onprem-erp-basic', url: api.ctx.registry.urlForApps(forward), forwardAuthToken: false }]);
    const connection = await api.ctx.registry.get('sandbox');
    const proxy = await connection.localProxy();
    assert.equal(app.proxyHost, `${proxy?.host}:${proxy?.httpPort}`, 'VCAP_SERVICES points at the local connectivity proxy');
  });

  it('in Restricted Mode a launch configuration without "btpConnect" runs, but its app gets no destinations', async () => {
    const api = await extensionApi();
    assert.ok(api.ctx.registry.forwardOf('sandbox', 'onprem-erp-basic'), 'a forward is running');
    const configuration = { type: 'node', request: 'launch', name: 'btp-plain', program: 'app.js' };
    const untrusted = await new DebugEnvironmentProvider(api.ctx, () => false).resolveDebugConfiguration(undefined, configuration);
    assert.deepEqual(untrusted, configuration);
    // Control: trusted, the same configuration gets the running forward.
    const trusted = await new DebugEnvironmentProvider(api.ctx, () => true).resolveDebugConfiguration(undefined, configuration);
    assert.match(String((trusted?.env as Record<string, string> | undefined)?.destinations), /onprem-erp-basic/);
  });

  it('refuses to launch with a destination no connection has, and says which', async () => {
    const started = await vscode.debug.startDebugging(vscode.workspace.workspaceFolders?.[0], {
      type: 'node',
      request: 'launch',
      name: 'btp-missing',
      program: 'app.js',
      btpConnect: { destinations: ['no-such-destination'] },
    });
    assert.equal(started, false);
  });

  it('gives new terminals a destinations variable when the setting is on', async () => {
    const api = await extensionApi();
    const collection = api.ctx.context.environmentVariableCollection;
    assert.equal(collection.get('destinations'), undefined, 'off by default');
    await vscode.workspace.getConfiguration('btpConnect').update('terminal.injectEnvironment', true, vscode.ConfigurationTarget.Global);
    await when(vscode.workspace.onDidChangeConfiguration, () => collection.get('destinations') !== undefined, 'the terminal variable');
    const value = collection.get('destinations')?.value;
    assert.ok(value, 'the variable is set');
    const forward = api.ctx.registry.forwardOf('sandbox', 'onprem-erp-basic');
    assert.ok(forward);
    assert.deepEqual(JSON.parse(value), [{ name: 'onprem-erp-basic', url: api.ctx.registry.urlForApps(forward), forwardAuthToken: false }]);
    await vscode.commands.executeCommand('btpConnect.stopForward', { connection: 'sandbox', info: forward });
    await when(api.ctx.registry.onDidChangeForward, () => collection.get('destinations') === undefined, 'the variable to go with the last forward');
  });
});
