import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { parseCredentials } from '../../../src/core/bindings/parseCredentials';
import type { DestinationBinding } from '../../../src/core/bindings/types';
import { ExitCode } from '../../../src/cli/exitCodes';
import { DestinationServiceClient } from '../../../src/core/destinationService/client';
import { ErrorCode, isBtpError } from '../../../src/core/errors';
import { HttpAgents } from '../../../src/core/http/agents';
import { MemorySecretStore } from '../../support/memorySecretStore';
import { extensionNetwork } from '../../../src/extension/network';
import { runCli, runForwardUntil, type CliResult } from '../../support/cliHarness';
import { startInspectingProxy, type InspectingProxy } from '../../support/corporateProxies';
import { startSandboxFixture, type SandboxFixture } from '../../support/sandboxFixture';

// Behind a TLS-inspecting corporate proxy (mockttp, with its own CA): without that CA every HTTPS call fails with a
// message naming the CA and the three ways to trust it; each way works: NODE_EXTRA_CA_CERTS (a real process),
// --ca (which now adds to NODE_EXTRA_CA_CERTS instead of replacing it), and btpConnect.http.caFile (the
// extension's config path). The service keys and the destination use https://*.btp.test, which only the proxy
// resolves; it decrypts, counts and passes each request on to the sandbox's loopback ports.

let f: SandboxFixture;
let mitm: InspectingProxy;
let dir: string;
const secrets = new MemorySecretStore();
const repoRoot = join(__dirname, '..', '..', '..');
const figures: string[] = [];
let keyFile: string;
let corpCa: string;
let sandboxCa: string;

const portOf = (url: string) => Number(new URL(url).port);
const env = (extra: Record<string, string> = {}) => ({
  BTP_CONNECT_CONFIG_DIR: join(dir, 'config'),
  BTP_CONNECT_LOCAL_TOKEN: 'off',
  HTTPS_PROXY: mitm.url,
  ...extra,
});
const cli = (environment: NodeJS.ProcessEnv, ...argv: string[]) => runCli(argv, { cwd: dir, env: environment, secrets });
const output = (result: CliResult) => result.stdout + result.stderr;

/** Requests the proxy decrypted per host while `work` ran. */
async function seen<T>(work: () => Promise<T>): Promise<{ value: T; hosts: Record<string, number> }> {
  const hosts = ['uaa.btp.test', 'destination.btp.test', 'api.btp.test'];
  const before = await Promise.all(hosts.map((host) => mitm.seen(host)));
  const value = await work();
  const afterwards = await Promise.all(hosts.map((host) => mitm.seen(host)));
  return {
    value,
    hosts: Object.fromEntries(hosts.map((host, index) => [host, (afterwards[index] ?? 0) - (before[index] ?? 0)]).filter(([, count]) => count !== 0)),
  };
}

before(async () => {
  f = await startSandboxFixture();
  const { endpoints } = f.sandbox;
  mitm = await startInspectingProxy({
    hosts: { uaa: portOf(endpoints.tokenServiceUrl), destination: portOf(endpoints.destinationServiceUrl), api: portOf(endpoints.internetApiUrl) },
  });
  dir = await mkdtemp(join(tmpdir(), 'btp-corp-mitm-'));
  keyFile = join(dir, 'inspected.json');
  await writeFile(keyFile, JSON.stringify({ ...f.sandbox.keys.destination, url: 'https://uaa.btp.test', uri: 'https://destination.btp.test' }));
  corpCa = join(dir, 'corp-ca.pem');
  await writeFile(corpCa, mitm.caPem);
  sandboxCa = join(dir, 'sandbox-ca.pem');
  await writeFile(sandboxCa, f.sandbox.caPem);
  await f.client.create('subaccount', {
    Name: 'corp-https-api',
    Type: 'HTTP',
    URL: 'https://api.btp.test/v1',
    ProxyType: 'Internet',
    Authentication: 'NoAuthentication',
  });
});
after(async () => {
  console.log(`TLS-inspecting proxy, decrypted requests per scenario:\n  ${figures.join('\n  ')}`);
  await mitm.close();
  await f.close();
  await rm(dir, { recursive: true, force: true });
});

describe('behind a TLS-inspecting proxy', () => {
  it('without its CA: ls fails naming the CA the chain ends at, the proxy, and --ca / NODE_EXTRA_CA_CERTS / btpConnect.http.caFile', async () => {
    const run = await seen(() => cli(env(), 'ls', '--key', keyFile));
    assert.equal(run.value.code, ExitCode.ServiceFailure, output(run.value));
    assert.match(
      run.value.stderr,
      /The token service at https:\/\/uaa\.btp\.test could not be reached through the proxy at 127\.0\.0\.1:\d+ \((SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\)\./,
    );
    assert.match(
      run.value.stderr,
      /Its TLS certificate is not trusted: the chain ends at "CN=Corp TLS Inspection CA, O=Corp", which is not among the trusted CAs\. The proxy at 127\.0\.0\.1:\d+ may inspect TLS and sign with its own CA\./,
    );
    assert.match(run.value.stderr, /pass --ca <file> \(CLI\), set NODE_EXTRA_CA_CERTS=<file>, or set btpConnect\.http\.caFile \(VS Code\)/);
    assert.deepEqual(run.hosts, {});
  });

  it("--ca <the proxy's CA>: ls works, every request decrypted by the proxy", async () => {
    const run = await seen(() => cli(env(), 'ls', '--key', keyFile, '--ca', corpCa));
    assert.equal(run.value.code, ExitCode.Ok, output(run.value));
    assert.match(run.value.stdout, /^corp-https-api +subaccount +HTTP +Internet/m);
    assert.equal(run.hosts['uaa.btp.test'], 1);
    assert.ok((run.hosts['destination.btp.test'] ?? 0) >= 1);
    figures.push(`ls --ca: ${JSON.stringify(run.hosts)}`);
  });

  it('--ca of a file that holds no certificate is refused naming --ca', async () => {
    const notPem = join(dir, 'not-a-ca.pem');
    await writeFile(notPem, 'just text');
    const run = await cli(env(), 'ls', '--key', keyFile, '--ca', notPem);
    assert.equal(run.code, ExitCode.InvalidInput);
    assert.match(run.stderr, /The CA file .*not-a-ca\.pem \(--ca\) holds no PEM certificate/);
  });

  it('NODE_EXTRA_CA_CERTS in a real process; and --ca with another CA adds to it instead of replacing it', async () => {
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !/^(https?_proxy|no_proxy|node_extra_ca_certs|node_options)$/i.test(name)),
    );
    const runChild = async (...extra: string[]) => {
      const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src', 'cli', 'app', 'main.ts'), 'ls', '--key', keyFile, ...extra], {
        cwd: repoRoot,
        env: { ...inherited, ...env({ NODE_EXTRA_CA_CERTS: corpCa }) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
      const [code] = (await once(child, 'exit')) as [number | null];
      return { code, text };
    };
    const plain = await seen(() => runChild());
    assert.equal(plain.value.code, ExitCode.Ok, plain.value.text);
    assert.match(plain.value.text, /^corp-https-api +subaccount/m);
    const withCa = await seen(() => runChild('--ca', sandboxCa));
    assert.equal(withCa.value.code, ExitCode.Ok, withCa.value.text);
    figures.push(`ls with NODE_EXTRA_CA_CERTS (child process): ${JSON.stringify(plain.hosts)}; plus --ca <sandbox CA>: ${JSON.stringify(withCa.hosts)}`);
  });

  it("check with --ca: the TLS of an Internet destination behind the proxy is verified against this machine's CAs", async () => {
    const run = await seen(() => cli(env(), 'check', 'corp-https-api', '--key', keyFile, '--ca', corpCa));
    assert.equal(run.value.code, ExitCode.Ok, output(run.value));
    assert.match(run.value.stdout, /^✓ HTTP proxy .* http:\/\/127\.0\.0\.1:\d+ \(HTTPS_PROXY; no credentials\) carried the token service request$/m);
    assert.match(run.value.stdout, /^✓ TLS .* certificate CN=api\.btp\.test verified against this machine's CAs$/m);
    assert.equal(run.hosts['api.btp.test'], 1);
    figures.push(`check corp-https-api --ca: ${JSON.stringify(run.hosts)}`);
  });

  it('check without the CA: broken at the token service, naming the CA; the proxy hop itself is fine', async () => {
    const run = await cli(env(), 'check', 'corp-https-api', '--key', keyFile);
    assert.equal(run.code, ExitCode.ServiceFailure, output(run));
    assert.match(run.stdout, /^✓ HTTP proxy /m);
    assert.match(run.stdout, /^✗ token service .*the chain ends at "CN=Corp TLS Inspection CA, O=Corp"/m);
    assert.match(
      run.stdout,
      /^Fix: Trust the CA named above on this machine: --ca <file>, NODE_EXTRA_CA_CERTS=<file>, or btpConnect\.http\.caFile in VS Code/m,
    );
  });

  it('forward with --ca: an HTTPS Internet destination is reached through the proxy and its certificate verified', async () => {
    let status = 0;
    const run = await seen(() =>
      runForwardUntil(['corp-https-api', '--key', keyFile, '--ca', corpCa], { cwd: dir, env: env(), secrets }, async ([address]) => {
        const response = await request(`${address}/orders`);
        status = response.statusCode;
        assert.equal(((await response.body.json()) as { path: string }).path, '/v1/orders');
      }),
    );
    assert.equal(run.value.code, ExitCode.Ok, output(run.value));
    assert.equal(status, 200);
    assert.equal(run.hosts['api.btp.test'], 1);
    figures.push(`forward corp-https-api --ca (1 request): ${JSON.stringify(run.hosts)}`);
  });
});

describe("the extension's btpConnect.http.caFile (the config path activate() takes)", () => {
  const read = (settings: Record<string, unknown>) => (key: string) => settings[key];
  const binding = () =>
    parseCredentials(
      { ...f.sandbox.keys.destination, url: 'https://uaa.btp.test', uri: 'https://destination.btp.test' },
      { expected: 'destination' },
    ) as DestinationBinding;

  it('with the setting the Destination service answers through the proxy; without it the error names the CA', async () => {
    const problems: string[] = [];
    const trusting = new HttpAgents({
      network: await extensionNetwork(read({ 'http.proxy': mitm.url, 'btpConnect.http.caFile': corpCa }), {}, (problem) => problems.push(problem)),
    });
    const plain = new HttpAgents({ network: await extensionNetwork(read({ 'http.proxy': mitm.url }), {}, (problem) => problems.push(problem)) });
    try {
      const run = await seen(() => new DestinationServiceClient({ binding: binding(), agents: trusting }).list('subaccount'));
      assert.ok(run.value.some((destination) => destination.Name === 'corp-https-api'));
      assert.equal(run.hosts['uaa.btp.test'], 1);
      await assert.rejects(new DestinationServiceClient({ binding: binding(), agents: plain }).list('subaccount'), (error: unknown) => {
        assert.ok(isBtpError(error, ErrorCode.Unreachable), String(error));
        assert.match(error.message, /the chain ends at "CN=Corp TLS Inspection CA, O=Corp"/);
        return true;
      });
      assert.deepEqual(problems, []);
      figures.push(`extension settings (http.proxy + btpConnect.http.caFile), one list: ${JSON.stringify(run.hosts)}`);
    } finally {
      await trusting.close();
      await plain.close();
    }
  });

  it('a caFile that cannot be used is reported naming the setting, and the extension goes on without it', async () => {
    const problems: string[] = [];
    const network = await extensionNetwork(read({ 'http.proxy': mitm.url, 'btpConnect.http.caFile': join(dir, 'missing.pem') }), {}, (problem) =>
      problems.push(problem),
    );
    assert.equal(problems.length, 1);
    assert.match(problems[0] ?? '', /^Cannot read the CA file .*missing\.pem \(btpConnect\.http\.caFile\): ENOENT\. BTP Connect goes on without it\.$/);
    assert.equal(network.route('https://uaa.btp.test')?.source, 'http.proxy');
    const relative: string[] = [];
    await extensionNetwork(read({ 'btpConnect.http.caFile': 'certs/ca.pem' }), {}, (problem) => relative.push(problem));
    assert.match(relative[0] ?? '', /btpConnect\.http\.caFile "certs\/ca\.pem" is not an absolute path/);
  });
});
