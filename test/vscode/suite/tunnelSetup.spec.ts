import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import * as vscode from 'vscode';
import { parseCredentials } from '../../../src/core/bindings/parseCredentials';
import type { ConnectivityBinding, DestinationBinding } from '../../../src/core/bindings/types';
import type { DestinationNode } from '../../../src/extension/tree/destinationsModel';
import { extensionApi } from './api';

// Set Up Tunnel… and Remove Tunnel App in the extension host, with the fake cf and kubectl of test/support/fakeCloud
// and the person's answers scripted by replacing the window's pickers and messages: the offer a failing OnPremise
// forward makes, the guided Cloud Foundry flow (declined once, then accepted), the forward through `cf ssh`, the
// removal, and the Kyma flow with its credential import. The connection's key names 127.0.0.2 as the proxy (loopback,
// nothing listens: out of reach, as the real one is from a laptop); the fake `cf ssh` and `kubectl port-forward`
// reach the sandbox's proxy from "inside".

const partners = '/sap/opu/odata/sap/API_BUSINESS_PARTNER/A_BusinessPartner';

interface Script {
  readonly picks: string[];
  /** The answer to modal confirmations and warnings, by a text the message contains. */
  readonly warnings: [RegExp, string | undefined][];
  readonly infos: string[];
  readonly errors: string[];
}

/** Waiters for information messages: messages have no event of their own, so the scripted window wakes these. */
const infoWaiters = new Set<() => void>();

/** Replaces the window's pickers and messages until the returned restore() is called, answering from `script`. */
function scripted(script: Script): () => void {
  const window = vscode.window as unknown as Record<string, unknown>;
  const saved = ['showQuickPick', 'showWarningMessage', 'showInformationMessage', 'showErrorMessage'].map((name) => [name, window[name]] as const);
  window.showQuickPick = async (items: readonly vscode.QuickPickItem[] | Thenable<readonly vscode.QuickPickItem[]>) => {
    const list = await items;
    const wanted = script.picks.shift();
    return wanted === undefined ? undefined : (list.find((item) => item.label === wanted) ?? list.find((item) => item.label.includes(wanted)));
  };
  window.showWarningMessage = async (message: string) => script.warnings.find(([pattern]) => pattern.test(message))?.[1];
  window.showInformationMessage = async (message: string) => {
    script.infos.push(message);
    for (const wake of [...infoWaiters]) wake();
    return undefined;
  };
  window.showErrorMessage = async (message: string) => {
    script.errors.push(message);
    for (const wake of [...infoWaiters]) wake();
    return undefined;
  };
  return () => {
    for (const [name, original] of saved) window[name] = original;
  };
}

/** Resolves with the first information message matching `pattern`; fails early on an error message. */
function infoMatching(script: Script, pattern: RegExp, timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const found = script.infos.find((message) => pattern.test(message));
      if (!found && script.errors.length === 0) return;
      infoWaiters.delete(check);
      clearTimeout(timer);
      if (found) resolve(found);
      else reject(new Error(`an error instead of ${pattern}: ${script.errors.join(' | ')}`));
    };
    const timer = setTimeout(() => {
      infoWaiters.delete(check);
      reject(new Error(`no message ${pattern}; messages: ${script.infos.join(' | ')}`));
    }, timeoutMs);
    infoWaiters.add(check);
    check();
  });
}

describe('Set Up Tunnel… and Remove Tunnel App in the extension host', () => {
  let dir: string;
  const savedPath = process.env.PATH;
  const commands = () =>
    readFileSync(join(dir, 'commands.log'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { tool: string; argv: string[] });
  const cfState = () => JSON.parse(readFileSync(join(dir, 'cf.json'), 'utf8')) as { apps: { name: string }[] };
  const node = (connection: string, name: string): DestinationNode => ({
    kind: 'destination',
    id: `${connection}/${name}`,
    connection,
    level: 'subaccount',
    name,
    record: { Name: name },
  });

  before(async () => {
    const api = await extensionApi();
    const sandbox = api.ctx.sandbox.running ?? (await api.ctx.sandbox.start());
    dir = mkdtempSync(join(tmpdir(), 'btp-tunnel-vscode-'));
    const extension = vscode.extensions.getExtension('btp-connect.btp-connect');
    process.env.PATH = `${join(extension?.extensionPath ?? '', 'test', 'support', 'fakeCloud')}${delimiter}${savedPath ?? ''}`;
    process.env.FAKE_CLOUD_DIR = dir;
    process.env.FAKE_CF_SSH_HOSTS = JSON.stringify({ '127.0.0.2': '127.0.0.1' });
    writeFileSync(join(dir, 'cf.json'), JSON.stringify({ services: [{ name: 'connectivity', offering: 'connectivity', plan: 'lite' }], apps: [] }));
    const connectivity = parseCredentials(sandbox.keys.connectivity, { expected: 'connectivity' }) as ConnectivityBinding;
    writeFileSync(join(dir, 'kube.json'), JSON.stringify(kubeState(sandbox.keys.connectivity, connectivity)));
    const destination = parseCredentials(sandbox.keys.destination, { expected: 'destination' }) as DestinationBinding;
    await api.ctx.registry.add('remote', {
      destination,
      connectivity: parseCredentials({ ...sandbox.keys.connectivity, onpremise_proxy_host: '127.0.0.2' }, { expected: 'connectivity' }) as ConnectivityBinding,
    });
    await api.ctx.registry.add('kyma-remote', { destination });
  });

  after(async () => {
    const api = await extensionApi();
    for (const name of ['remote', 'kyma-remote']) await api.ctx.registry.remove(name).catch(() => undefined);
    process.env.PATH = savedPath;
    for (const name of ['FAKE_CLOUD_DIR', 'FAKE_CF_SSH_HOSTS']) delete process.env[name];
    await vscode.commands.executeCommand('btpConnect.stopSandbox');
    rmSync(dir, { recursive: true, force: true });
  });

  it('from the palette: picks the connection and Cloud Foundry, shows the plan, and creates nothing when the person declines', async () => {
    const script: Script = {
      picks: ['remote', 'Cloud Foundry', 'Create a tunnel app', 'connectivity'],
      warnings: [[/^Creates a tunnel app/, undefined]],
      infos: [],
      errors: [],
    };
    const restore = scripted(script);
    try {
      await vscode.commands.executeCommand('btpConnect.setUpTunnel');
    } finally {
      restore();
    }
    assert.deepEqual(script.errors, []);
    assert.deepEqual(script.infos, ['Nothing was created or changed.']);
    assert.equal(
      commands().some((command) => ['push', 'bind-service', 'enable-ssh', 'start'].includes(command.argv[0] ?? '')),
      false,
    );
    assert.equal(await (await extensionApi()).ctx.registry.store.tunnel('remote'), undefined);
  });

  it('a forward that cannot reach the proxy offers Set Up Tunnel…; the guided flow creates the app and the forward then reaches the on-premise system through cf ssh', async () => {
    const api = await extensionApi();
    const script: Script = {
      picks: ['Cloud Foundry', 'Create a tunnel app', 'connectivity'],
      warnings: [
        [/cannot reach the connectivity proxy of remote/, 'Set Up Tunnel…'],
        [/^Creates a tunnel app in org "my-org" \/ space "dev"/, 'Create Tunnel App'],
      ],
      infos: [],
      errors: [],
    };
    const restore = scripted(script);
    try {
      await vscode.commands.executeCommand('btpConnect.startForward', node('remote', 'onprem-erp-basic'));
      const forward = api.ctx.registry.forwardOf('remote', 'onprem-erp-basic');
      assert.ok(forward);
      const failed = await fetch(`${api.ctx.registry.urlForApps(forward)}${partners}`);
      assert.equal(failed.status, 502);
      assert.equal(((await failed.json()) as { error: { code: string } }).error.code, 'BTP_PROXY_UNREACHABLE');
      const done = await infoMatching(script, /^remote reaches the connectivity proxy/);
      assert.deepEqual(script.errors, []);
      assert.match(
        done,
        /^remote reaches the connectivity proxy through cf-ssh:btp-connect-tunnel; 1 forward restarted through it\. App "btp-connect-tunnel" was created in org "my-org" \/ space "dev"; Remove Tunnel App deletes it\.$/,
      );
      const lines = commands().map((command) => [command.tool, ...command.argv].join(' '));
      for (const expected of [
        /^cf push btp-connect-tunnel --no-manifest --no-route --no-start -m 64M -k 256M /,
        /^cf bind-service btp-connect-tunnel connectivity$/,
        /^cf enable-ssh btp-connect-tunnel$/,
        /^cf start btp-connect-tunnel$/,
      ]) {
        assert.ok(
          lines.some((line) => expected.test(line)),
          `${expected} in\n${lines.join('\n')}`,
        );
      }
      const restarted = api.ctx.registry.forwardOf('remote', 'onprem-erp-basic');
      assert.equal(restarted?.port, forward.port, 'restarted on the same port');
      const through = await fetch(`${api.ctx.registry.urlForApps(restarted ?? forward)}${partners}`);
      assert.equal(through.status, 200);
      assert.ok(((await through.json()) as { d: { results: unknown[] } }).d.results.length > 0);
      assert.ok(commands().some((command) => command.tool === 'cf' && command.argv[0] === 'ssh' && command.argv[1] === 'btp-connect-tunnel'));
      assert.deepEqual(await api.ctx.registry.tunnels(), [{ connection: 'remote', mode: { kind: 'cf-ssh', app: 'btp-connect-tunnel' }, state: 'ready' }]);
    } finally {
      restore();
    }
  });

  it('Remove Tunnel App deletes exactly the created app after a yes; the forward is back to no tunnel', async () => {
    const api = await extensionApi();
    const script: Script = {
      picks: [],
      warnings: [[/^Removes what BTP Connect created in org "my-org" \/ space "dev"/, 'Remove Tunnel App']],
      infos: [],
      errors: [],
    };
    const restore = scripted(script);
    try {
      await vscode.commands.executeCommand('btpConnect.removeTunnelApp', { kind: 'connection', connection: 'remote', connectionKind: 'saved' });
    } finally {
      restore();
    }
    assert.deepEqual(script.errors, []);
    assert.deepEqual(script.infos, ['Deleted app "btp-connect-tunnel" and its service binding; remote has no tunnel through it any more.']);
    assert.deepEqual(cfState().apps, []);
    assert.deepEqual(
      commands()
        .filter((command) => command.argv[0] === 'delete')
        .map((command) => command.argv),
      [['delete', 'btp-connect-tunnel', '-f']],
    );
    assert.equal(await api.ctx.registry.store.tunnel('remote'), undefined);
    assert.deepEqual(await api.ctx.registry.tunnels(), []);
    await vscode.commands.executeCommand('btpConnect.stopForward', node('remote', 'onprem-erp-basic'));
  });

  it("Kyma: picks the kube context, imports the connectivity proxy's credentials after a yes, and forwards through kubectl port-forward", async () => {
    const api = await extensionApi();
    const script: Script = {
      picks: ['Kyma', 'shoot--kyma--c-1a2b3c'],
      warnings: [[/^Uses Service "kyma-system\/connectivity-proxy"/, 'Import and Use']],
      infos: [],
      errors: [],
    };
    const restore = scripted(script);
    try {
      await vscode.commands.executeCommand('btpConnect.setUpTunnel', { kind: 'connection', connection: 'kyma-remote', connectionKind: 'saved' });
    } finally {
      restore();
    }
    assert.deepEqual(script.errors, []);
    assert.deepEqual(script.infos, ['kyma-remote reaches the connectivity proxy through kubectl:kyma-system@shoot--kyma--c-1a2b3c.']);
    assert.equal((await api.ctx.registry.store.load('kyma-remote')).connectivity?.proxyHost, 'connectivity-proxy.kyma-system.svc.cluster.local');
    const info = await (await api.ctx.registry.get('kyma-remote')).startForward({ destination: 'onprem-erp-basic' });
    const through = await fetch(`${api.ctx.registry.urlForApps(info)}${partners}`);
    assert.equal(through.status, 200);
    await through.body?.cancel();
    assert.ok(
      commands().some(
        (command) =>
          command.tool === 'kubectl' &&
          command.argv[0] === 'port-forward' &&
          command.argv.includes('--context=shoot--kyma--c-1a2b3c') &&
          command.argv.includes('--namespace=kyma-system') &&
          command.argv.includes('svc/connectivity-proxy'),
      ),
    );
    await (await api.ctx.registry.get('kyma-remote')).forwards.stop(info.id);
  });
});

/** A Kyma cluster whose connectivity proxy (the fake port-forward reaches 127.0.0.1) is the sandbox's, on its ports. */
function kubeState(key: Record<string, unknown>, binding: ConnectivityBinding): unknown {
  const ports = {
    onpremise_proxy_host: 'connectivity-proxy.kyma-system.svc.cluster.local',
    onpremise_proxy_http_port: String(binding.httpPort),
    onpremise_proxy_port: String(binding.httpPort),
    onpremise_socks5_proxy_port: String(binding.socks5Port),
  };
  const {
    onpremise_proxy_host: _host,
    onpremise_proxy_http_port: _http,
    onpremise_proxy_port: _port,
    onpremise_socks5_proxy_port: _socks,
    ...serviceKey
  } = key;
  return {
    contexts: ['shoot--kyma--c-1a2b3c'],
    current: null,
    clusters: {
      'shoot--kyma--c-1a2b3c': {
        server: 'https://api.c-1a2b3c.kyma.ondemand.com',
        objects: {
          'kyma-system': {
            configmap: { 'connectivity-proxy-info': { data: ports } },
            service: { 'connectivity-proxy': { spec: { ports: [{ port: binding.httpPort }, { port: binding.socks5Port }] } } },
            secret: { 'connectivity-proxy-service-key': { data: { service_key: Buffer.from(JSON.stringify(serviceKey)).toString('base64') } } },
          },
        },
      },
    },
  };
}
