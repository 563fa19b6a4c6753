import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { ALL_DESTINATIONS } from '../../../src/core/forward/router';
import { extensionApi } from './api';

// `"btpConnect": { "onePort": "path" | "proxy" }`: a debug session reaches its destinations through the
// connection's one port — below http://127.0.0.1:PORT/<name>, or as http://<name>.dest through the http_proxy the
// extension sets (with the local token as proxy credentials on a shared machine).

interface AppResult {
  readonly status: number;
  readonly partners: number;
  readonly destinations: { name: string; url: string }[];
  readonly proxy: { http_proxy?: string; HTTP_PROXY?: string; no_proxy?: string };
}

// Node's fetch ignores http_proxy, so the app speaks to the proxy itself, as curl or Python would.
const APP = `
const http = require('node:http');
const { writeFileSync } = require('node:fs');
const destinations = JSON.parse(process.env.destinations || '[]');
const erp = destinations.find((d) => d.name === 'onprem-erp-basic');
const target = new URL(erp.url + '/sap/opu/odata/sap/API_BUSINESS_PARTNER/A_BusinessPartner');
const proxy = process.env.http_proxy ? new URL(process.env.http_proxy) : undefined;
const headers = { host: target.host };
if (proxy && proxy.password) headers['proxy-authorization'] = 'Basic ' + Buffer.from(decodeURIComponent(proxy.username) + ':' + decodeURIComponent(proxy.password)).toString('base64');
const options = proxy ? { host: proxy.hostname, port: proxy.port, path: target.href, headers } : { host: target.hostname, port: target.port, path: target.pathname + target.search };
http.get(options, (response) => {
  let text = '';
  response.setEncoding('utf8').on('data', (chunk) => (text += chunk));
  response.on('end', () => {
    let partners = 0;
    try { partners = JSON.parse(text).d.results.length; } catch {}
    writeFileSync(process.argv[2], JSON.stringify({ status: response.statusCode, partners, destinations, proxy: { http_proxy: process.env.http_proxy, HTTP_PROXY: process.env.HTTP_PROXY, no_proxy: process.env.no_proxy } }));
  });
});
`;

async function runToEnd(configuration: vscode.DebugConfiguration): Promise<void> {
  const ended = new Promise<void>((resolve) => {
    const subscription = vscode.debug.onDidTerminateDebugSession((session) => {
      if (session.name !== configuration.name) return;
      subscription.dispose();
      resolve();
    });
  });
  assert.ok(await vscode.debug.startDebugging(vscode.workspace.workspaceFolders?.[0], configuration), 'the debug session starts');
  await ended;
}

describe('debug sessions through one port', () => {
  after(async () => {
    const api = await extensionApi();
    const onePort = api.ctx.registry.forwardOf('sandbox', ALL_DESTINATIONS);
    if (onePort) await vscode.commands.executeCommand('btpConnect.stopForward', { connection: 'sandbox', info: onePort });
    await vscode.commands.executeCommand('btpConnect.stopSandbox');
  });

  for (const form of ['path', 'proxy'] as const) {
    it(`"onePort": "${form}" reaches on-premise data through the connection's one port`, async () => {
      const api = await extensionApi();
      if (!api.ctx.sandbox.running) await vscode.commands.executeCommand('btpConnect.startSandbox');
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
      assert.ok(folder, 'the test workspace is open');
      const program = join(folder, `one-port-${form}.js`);
      const result = join(folder, `one-port-${form}.json`);
      writeFileSync(program, APP);
      rmSync(result, { force: true });
      const ownBefore = api.ctx.registry.forwardOf('sandbox', 'onprem-erp-basic');

      await runToEnd({
        type: 'node',
        request: 'launch',
        name: `btp-one-port-${form}`,
        program,
        args: [result],
        btpConnect: { destinations: ['sandbox/onprem-erp-basic'], onePort: form },
      });

      const onePort = api.ctx.registry.forwardOf('sandbox', ALL_DESTINATIONS);
      assert.ok(onePort, 'the launch started the one-port forward');
      assert.ok(existsSync(result), 'the program ran to the end');
      const app = JSON.parse(readFileSync(result, 'utf8')) as AppResult;
      assert.equal(app.status, 200, JSON.stringify(app));
      assert.ok(app.partners > 0, 'on-premise business partners came back');
      const base = api.ctx.registry.urlForApps(onePort);
      if (form === 'path') {
        assert.deepEqual(app.destinations, [{ name: 'onprem-erp-basic', url: `${base}/onprem-erp-basic`, forwardAuthToken: false }]);
        assert.equal(app.proxy.http_proxy, undefined);
      } else {
        assert.deepEqual(app.destinations, [{ name: 'onprem-erp-basic', url: 'http://onprem-erp-basic.dest', forwardAuthToken: false }]);
        assert.equal(app.proxy.HTTP_PROXY, app.proxy.http_proxy);
        assert.equal(app.proxy.no_proxy, 'localhost,127.0.0.1,::1');
        const proxy = new URL(app.proxy.http_proxy ?? '');
        assert.equal(`${proxy.protocol}//${proxy.host}`, onePort.localAddress);
        // With a local token (the shared-machine pass) it rides in the proxy URL; the address never carries it.
        assert.equal(proxy.password !== '', onePort.tokenRequired);
      }
      assert.equal(api.ctx.registry.forwardOf('sandbox', 'onprem-erp-basic'), ownBefore, 'no forward of its own was started');
    });
  }

  it('the export for local apps writes the one-port form when asked', async () => {
    const api = await extensionApi();
    if (!api.ctx.sandbox.running) await vscode.commands.executeCommand('btpConnect.startSandbox');
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(folder, 'the test workspace is open');
    for (const form of ['path', 'proxy'] as const) {
      const file = join(folder, `one-port-${form}-destinations.json`);
      const written = await vscode.commands.executeCommand<string | undefined>('btpConnect.exportForLocalApps', {
        format: 'destinations',
        destinations: ['sandbox/onprem-erp-basic'],
        file,
        onePort: form,
      });
      assert.equal(written, file);
      const onePort = api.ctx.registry.forwardOf('sandbox', ALL_DESTINATIONS);
      assert.ok(onePort);
      const url = form === 'path' ? `${api.ctx.registry.urlForApps(onePort)}/onprem-erp-basic` : 'http://onprem-erp-basic.dest';
      assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), [{ name: 'onprem-erp-basic', url, forwardAuthToken: false }]);
      rmSync(file, { force: true });
    }
  });
});
