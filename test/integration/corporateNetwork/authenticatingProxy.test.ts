import { once } from 'node:events';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { parseCredentials } from '../../../src/core/bindings/parseCredentials';
import type { DestinationBinding } from '../../../src/core/bindings/types';
import { ExitCode } from '../../../src/cli/exitCodes';
import { DestinationServiceClient } from '../../../src/core/destinationService/client';
import { ErrorCode, isBtpError } from '../../../src/core/errors';
import { HttpAgents } from '../../../src/core/http/agents';
import { loadNetwork } from '../../../src/core/http/network';
import { proxySettingsFromEnv } from '../../../src/core/http/proxySettings';
import { sendRequest } from '../../../src/core/http/request';
import { MemorySecretStore } from '../../support/memorySecretStore';
import { extensionNetwork } from '../../../src/extension/network';
import { createCertificateAuthority, issueClientCertificate, issueServerCertificate } from '../../../src/sandbox/pki';
import { runCli, runForwardUntil, type CliResult } from '../../support/cliHarness';
import { startBasicAuthProxy, type BasicAuthProxy } from '../../support/corporateProxies';
import { signInInBrowser } from '../../support/loginBrowser';
import { startSandboxFixture, type SandboxFixture } from '../../support/sandboxFixture';
import { startWebSocketEcho, upgradeRequest } from '../../support/webSocketEcho';

// Behind a corporate forward proxy that wants Basic credentials: every outbound call of the CLI (ls, forward of an
// Internet destination, check, sign-in) and of the extension's configuration goes through it and is counted in the
// proxy's own log; NO_PROXY and loopback go around it; a missing or wrong password is BTP_PROXY_AUTH with the fix.
// The service keys name the sandbox as *.btp.test, which only the proxy resolves (support/corporateProxies.ts).

let f: SandboxFixture;
let proxy: BasicAuthProxy;
let echo: Awaited<ReturnType<typeof startWebSocketEcho>>;
let dir: string;
const secrets = new MemorySecretStore();
const cliPassword = 'pr0xy:p@ss/word';
const users = { cli: cliPassword, ext: 'ext-password' };
let proxiedKey: Record<string, unknown>;
const figures: string[] = [];

const portOf = (url: string) => Number(new URL(url).port);
const baseEnv = () => ({ BTP_CONNECT_CONFIG_DIR: join(dir, 'config'), BTP_CONNECT_LOCAL_TOKEN: 'off' });
const proxyEnv = (url: string, extra: Record<string, string> = {}) => ({ ...baseEnv(), HTTP_PROXY: url, HTTPS_PROXY: url, ...extra });
const cli = (env: NodeJS.ProcessEnv, ...argv: string[]) => runCli(argv, { cwd: dir, env, secrets });
const output = (result: CliResult) => result.stdout + result.stderr;

/** Runs `work` and returns how many requests the proxy allowed and refused meanwhile. */
async function counted<T>(work: () => Promise<T>): Promise<{ value: T; allowed: Record<string, number>; refused: number }> {
  const start = proxy.log.length;
  const value = await work();
  const entries = proxy.log.slice(start);
  const allowed: Record<string, number> = {};
  for (const entry of entries.filter((item) => item.allowed))
    allowed[entry.target.replace(/:\d+$/, '')] = (allowed[entry.target.replace(/:\d+$/, '')] ?? 0) + 1;
  return { value, allowed, refused: entries.filter((item) => !item.allowed).length };
}

before(async () => {
  f = await startSandboxFixture();
  const { endpoints } = f.sandbox;
  echo = await startWebSocketEcho();
  proxy = await startBasicAuthProxy({
    users,
    hosts: {
      uaa: portOf(endpoints.tokenServiceUrl),
      destination: portOf(endpoints.destinationServiceUrl),
      api: portOf(endpoints.internetApiUrl),
      ws: echo.port,
    },
  });
  dir = await mkdtemp(join(tmpdir(), 'btp-corp-proxy-'));
  proxiedKey = {
    ...f.sandbox.keys.destination,
    url: `http://uaa.btp.test:${portOf(endpoints.tokenServiceUrl)}`,
    uri: `http://destination.btp.test:${portOf(endpoints.destinationServiceUrl)}`,
  };
  await writeFile(join(dir, 'proxied.json'), JSON.stringify(proxiedKey));
  // The sign-in key: the xsuaa key of the demo app, its token service named through the proxy as well.
  await writeFile(
    join(dir, 'proxied-xsuaa.json'),
    JSON.stringify({ ...f.sandbox.keys.xsuaa, url: `http://uaa.btp.test:${portOf(endpoints.tokenServiceUrl)}` }),
  );
  await writeFile(join(dir, 'loopback.json'), JSON.stringify(f.sandbox.keys.destination));
  await f.client.create('subaccount', {
    Name: 'corp-api',
    Type: 'HTTP',
    URL: `http://api.btp.test:${portOf(endpoints.internetApiUrl)}/v1`,
    ProxyType: 'Internet',
    Authentication: 'NoAuthentication',
  });
  await f.client.create('subaccount', {
    Name: 'corp-ws',
    Type: 'HTTP',
    URL: `http://ws.btp.test:${echo.port}/socket`,
    ProxyType: 'Internet',
    Authentication: 'BasicAuthentication',
    User: 'ws',
    Password: 'ws-password-2',
  });
});
after(async () => {
  console.log(`proxy log per scenario:\n  ${figures.join('\n  ')}`);
  await proxy.close();
  await echo.close();
  await f.close();
  await rm(dir, { recursive: true, force: true });
});

describe('through an authenticating corporate proxy', () => {
  it('ls: the token service and the Destination service requests go through the proxy with the credentials of HTTPS_PROXY/HTTP_PROXY', async () => {
    const run = await counted(() => cli(proxyEnv(proxy.url({ user: 'cli', password: cliPassword })), 'ls', '--key', 'proxied.json'));
    assert.equal(run.value.code, ExitCode.Ok, output(run.value));
    assert.match(run.value.stdout, /^corp-api +subaccount +HTTP +Internet/m);
    assert.equal(run.allowed['uaa.btp.test'], 1);
    assert.ok((run.allowed['destination.btp.test'] ?? 0) >= 1, JSON.stringify(run.allowed));
    assert.equal(run.refused, 0);
    assert.ok(proxy.log.filter((entry) => entry.allowed).every((entry) => entry.user === 'cli'));
    figures.push(`ls: ${JSON.stringify(run.allowed)}`);
  });

  it('lower-case http_proxy/https_proxy are read too', async () => {
    const url = proxy.url({ user: 'cli', password: cliPassword });
    const run = await counted(() => cli({ ...baseEnv(), http_proxy: url, https_proxy: url }, 'ls', '--key', 'proxied.json'));
    assert.equal(run.value.code, ExitCode.Ok, output(run.value));
    assert.equal(run.allowed['uaa.btp.test'], 1);
  });

  it('forward: the upstream request of an Internet destination goes through the proxy', async () => {
    let body: Record<string, unknown> = {};
    const run = await counted(() =>
      runForwardUntil(
        ['corp-api', '--key', 'proxied.json'],
        { cwd: dir, env: proxyEnv(proxy.url({ user: 'cli', password: cliPassword })), secrets },
        async ([address]) => {
          const response = await request(`${address}/items?top=1`);
          assert.equal(response.statusCode, 200);
          body = (await response.body.json()) as Record<string, unknown>;
        },
      ),
    );
    assert.equal(run.value.code, ExitCode.Ok, output(run.value));
    assert.equal(body.service, 'sandbox-internet-api');
    assert.equal(body.path, '/v1/items');
    assert.equal((body.headers as Record<string, string>).host, `api.btp.test:${portOf(f.sandbox.endpoints.internetApiUrl)}`);
    assert.equal(run.allowed['api.btp.test'], 1);
    figures.push(`forward corp-api (1 request): ${JSON.stringify(run.allowed)}`);
  });

  it('forward --websocket: the upgrade of an Internet destination goes through the proxy, credentials injected', async () => {
    const run = await counted(() =>
      runForwardUntil(
        ['corp-ws', '--websocket', '--key', 'proxied.json'],
        { cwd: dir, env: proxyEnv(proxy.url({ user: 'cli', password: cliPassword })), secrets },
        async ([address]) => {
          const port = Number(new URL(address ?? '').port);
          const { status, socket } = await upgradeRequest(port, {});
          assert.equal(status, 'HTTP/1.1 101 Switching Protocols');
          socket.write('through-the-proxy');
          const [chunk] = (await once(socket, 'data')) as [Buffer];
          assert.equal(chunk.toString(), 'through-the-proxy');
          socket.destroy();
        },
      ),
    );
    assert.equal(run.value.code, ExitCode.Ok, output(run.value));
    assert.equal(run.allowed['ws.btp.test'], 1);
    assert.equal(echo.upgrades.at(-1)?.authorization, `Basic ${Buffer.from('ws:ws-password-2').toString('base64')}`);
    figures.push(`forward corp-ws (1 upgrade): ${JSON.stringify(run.allowed)}`);
  });

  it('check: names the proxy hop that carried the requests, and reaches the backend through it', async () => {
    const run = await counted(() => cli(proxyEnv(proxy.url({ user: 'cli', password: cliPassword })), 'check', 'corp-api', '--key', 'proxied.json'));
    assert.equal(run.value.code, ExitCode.Ok, output(run.value));
    assert.match(
      run.value.stdout,
      new RegExp(
        `^✓ HTTP proxy +\\d+(\\.\\d)? ms {2}http://127\\.0\\.0\\.1:${proxy.port} \\(HTTP_PROXY; credentials from the proxy URL\\) carried the token service request$`,
        'm',
      ),
    );
    assert.match(
      run.value.stdout,
      new RegExp(`^✓ backend +\\d+(\\.\\d)? ms {2}api\\.btp\\.test:\\d+ accepted the connection through http://127\\.0\\.0\\.1:${proxy.port}$`, 'm'),
    );
    assert.deepEqual(Object.keys(run.allowed).sort(), ['api.btp.test', 'destination.btp.test', 'uaa.btp.test']);
    figures.push(`check corp-api: ${JSON.stringify(run.allowed)}`);
  });

  it('check with a wrong proxy password: broken at the HTTP proxy, BTP_PROXY_AUTH, the fix, no password', async () => {
    const run = await counted(() => cli(proxyEnv(proxy.url({ user: 'cli', password: 'wrong-secret' })), 'check', 'corp-api', '--key', 'proxied.json'));
    assert.equal(run.value.code, ExitCode.AccessDenied, output(run.value));
    assert.match(run.value.stdout, /^✗ HTTP proxy /m);
    assert.match(run.value.stdout, /^– token service +not reached: an earlier hop failed$/m);
    assert.match(run.value.stdout, /^Broken at the HTTP proxy: Proxy refused the credentials \[BTP_PROXY_AUTH\]/m);
    assert.match(
      run.value.stdout,
      new RegExp(
        `^Fix: Give the proxy's user and password in HTTP_PROXY as user:password@127\\.0\\.0\\.1:${proxy.port} after http:// \\(percent-encode special characters\\), or in VS Code set http\\.proxyAuthorization\\.$`,
        'm',
      ),
    );
    assert.doesNotMatch(output(run.value), /wrong-secret/);
    assert.equal(run.refused, 1);
  });

  it('sign-in: the authorization code is exchanged for tokens through the proxy', async () => {
    const env = proxyEnv(proxy.url({ user: 'cli', password: cliPassword }));
    assert.equal((await cli(env, 'connect', 'corp', '--key', 'proxied.json', '--login-key', 'proxied-xsuaa.json')).code, ExitCode.Ok);
    let printed = '';
    let browser: Promise<unknown> | undefined;
    const run = await counted(() =>
      runCli(['login', 'corp', '--no-browser', '--timeout', '60'], {
        cwd: dir,
        env,
        secrets,
        onStdout: (text) => {
          printed += text;
          const url = /^ {2}(http\S+)$/m.exec(printed)?.[1];
          // The browser is not BTP Connect: it reaches the sign-in page on its own (here: straight to loopback).
          if (url && !browser) browser = signInInBrowser(f.sandbox, url.replace(/\/\/uaa\.btp\.test:/, '//127.0.0.1:'), 'alice');
        },
      }),
    );
    await browser;
    assert.equal(run.value.code, ExitCode.Ok, output(run.value));
    assert.match(run.value.stdout, new RegExp(`^ {2}http://uaa\\.btp\\.test:\\d+/oauth/authorize\\?`, 'm'));
    assert.match(run.value.stdout, /Signed in to "corp" as alice/);
    // The look at the authorize page before the browser opens (is the client set up for it?) and the code exchange:
    // one proxy tunnel, or two when the first was closed idle in between.
    assert.ok((run.allowed['uaa.btp.test'] ?? 0) >= 1, JSON.stringify(run.allowed));
    figures.push(`login corp: ${JSON.stringify(run.allowed)}`);
  });
});

describe('around the proxy', () => {
  it('NO_PROXY: a listed host is reached directly (here: it does not resolve, so the direct attempt shows)', async () => {
    const run = await counted(() =>
      cli(proxyEnv(proxy.url({ user: 'cli', password: cliPassword }), { NO_PROXY: 'destination.btp.test' }), 'ls', '--key', 'proxied.json'),
    );
    assert.equal(run.value.code, ExitCode.ServiceFailure, output(run.value));
    assert.match(
      run.value.stderr,
      /The Destination service at http:\/\/destination\.btp\.test:\d+ could not be reached \(ENOTFOUND\)\. The host name does not resolve: check the URL in the service key, and NO_PROXY/,
    );
    assert.deepEqual(run.allowed, { 'uaa.btp.test': 1 });
  });

  it('NO_PROXY: hosts it lists, subdomains included, are reached directly and the proxy sees nothing', async () => {
    const network = await loadNetwork({
      proxy: proxySettingsFromEnv({ HTTP_PROXY: proxy.url({ user: 'cli', password: cliPassword }), NO_PROXY: 'localhost, .btp.test' }),
      env: {},
    });
    // The direct path resolves *.btp.test as the proxy does; the proxied path never resolves anything itself.
    const agents = new HttpAgents({
      network,
      lookup: (_host, options, callback) =>
        (options as { all?: boolean }).all ? callback(null, [{ address: '127.0.0.1', family: 4 }]) : callback(null, '127.0.0.1', 4),
    });
    try {
      const client = new DestinationServiceClient({ binding: parseCredentials(proxiedKey, { expected: 'destination' }) as DestinationBinding, agents });
      const run = await counted(() => client.list('subaccount'));
      assert.ok(run.value.some((destination) => destination.Name === 'corp-api'));
      assert.deepEqual(run.allowed, {});
      assert.equal(run.refused, 0);
    } finally {
      await agents.close();
    }
  });

  it('loopback (the sandbox as it is) never goes through the proxy, even when NO_PROXY does not name it', async () => {
    const run = await counted(() => cli(proxyEnv(proxy.url({ user: 'cli', password: cliPassword })), 'ls', '--key', 'loopback.json'));
    assert.equal(run.value.code, ExitCode.Ok, output(run.value));
    assert.deepEqual(run.allowed, {});
    assert.equal(run.refused, 0);
    figures.push(`ls on the loopback sandbox with HTTPS_PROXY set: ${JSON.stringify(run.allowed)}`);
  });
});

describe('proxy credentials', () => {
  it('a wrong password: BTP_PROXY_AUTH (exit 5) naming the proxy and the fix, never the password', async () => {
    const run = await counted(() => cli(proxyEnv(proxy.url({ user: 'cli', password: 'wrong-secret' })), 'ls', '--key', 'proxied.json'));
    assert.equal(run.value.code, ExitCode.AccessDenied, output(run.value));
    assert.match(run.value.stderr, /Proxy refused the credentials \[BTP_PROXY_AUTH\]/);
    assert.match(
      run.value.stderr,
      new RegExp(
        `The token service at http://uaa\\.btp\\.test:\\d+: the proxy at 127\\.0\\.0\\.1:${proxy.port} \\(HTTP_PROXY\\) answered 407 Proxy Authentication Required: it refused the credentials\\. Give them in HTTP_PROXY as user:password@127\\.0\\.0\\.1:${proxy.port} after http:// \\(percent-encode special characters\\), or in VS Code set http\\.proxyAuthorization\\.`,
      ),
    );
    assert.doesNotMatch(output(run.value), /wrong-secret|cli:/);
    assert.equal(run.refused, 1);
    figures.push(`ls with a wrong proxy password: refused ${run.refused}, allowed ${JSON.stringify(run.allowed)}`);
  });

  it('forward: a 407 on the upstream request answers 502 with BTP_PROXY_AUTH and the fix (services on loopback, destination behind the proxy)', async () => {
    let answer: { status: number; error?: { code: string; message: string } } = { status: 0 };
    const run = await counted(() =>
      runForwardUntil(
        ['corp-api', '--key', 'loopback.json'],
        { cwd: dir, env: proxyEnv(proxy.url({ user: 'cli', password: 'wrong-secret' })), secrets },
        async ([address]) => {
          const response = await request(`${address}/items`);
          answer = { status: response.statusCode, ...((await response.body.json()) as { error: { code: string; message: string } }) };
        },
      ),
    );
    assert.equal(run.value.code, ExitCode.Ok, output(run.value));
    assert.equal(answer.status, 502);
    assert.equal(answer.error?.code, 'BTP_PROXY_AUTH');
    assert.match(
      answer.error?.message ?? '',
      new RegExp(`^The proxy at 127\\.0\\.0\\.1:${proxy.port} \\(HTTP_PROXY\\) answered 407 Proxy Authentication Required: it refused the credentials\\.`),
    );
    assert.doesNotMatch(JSON.stringify(answer) + output(run.value), /wrong-secret/);
    assert.equal(run.refused, 1);
  });

  it('no credentials at all: the same code, saying none were sent', async () => {
    const run = await counted(() => cli(proxyEnv(proxy.url()), 'ls', '--key', 'proxied.json'));
    assert.equal(run.value.code, ExitCode.AccessDenied, output(run.value));
    assert.match(run.value.stderr, /answered 407 Proxy Authentication Required: it needs credentials and got none\./);
    assert.equal(run.refused, 1);
  });

  it('an unparsable proxy URL is refused naming the variable, with the password masked', async () => {
    const run = await cli({ ...baseEnv(), HTTPS_PROXY: 'socks5://cli:hunter2@127.0.0.1:1080' }, 'ls', '--key', 'proxied.json');
    assert.equal(run.code, ExitCode.InvalidInput);
    assert.match(
      run.stderr,
      /HTTPS_PROXY "socks5:\/\/\*\*\*@127\.0\.0\.1:1080" uses socks5:\/\/; only http:\/\/ and https:\/\/ proxies are supported: use http:\/\/host:port, with user:password@ before the host when the proxy wants credentials\./,
    );
    assert.doesNotMatch(run.stderr, /hunter2/);
  });
});

describe("the extension's settings (the config path activate() takes)", () => {
  const read = (settings: Record<string, unknown>) => (key: string) => settings[key];
  const binding = () => parseCredentials(proxiedKey, { expected: 'destination' }) as DestinationBinding;

  it('http.proxy with http.proxyAuthorization wins over HTTPS_PROXY of the environment', async () => {
    const problems: string[] = [];
    const authorization = `Basic ${Buffer.from('ext:ext-password').toString('base64')}`;
    const network = await extensionNetwork(
      read({ 'http.proxy': proxy.url(), 'http.proxyAuthorization': authorization }),
      { HTTPS_PROXY: 'http://127.0.0.1:9', HTTP_PROXY: 'http://127.0.0.1:9' },
      (problem) => problems.push(problem),
    );
    const agents = new HttpAgents({ network });
    try {
      const run = await counted(() => new DestinationServiceClient({ binding: binding(), agents }).list('subaccount'));
      assert.ok(run.value.some((destination) => destination.Name === 'corp-api'));
      assert.equal(proxy.log.at(-1)?.user, 'ext');
      assert.equal(run.allowed['uaa.btp.test'], 1);
      assert.deepEqual(problems, []);
    } finally {
      await agents.close();
    }
  });

  it('a wrong http.proxyAuthorization: BTP_PROXY_AUTH naming http.proxy, without the value', async () => {
    const authorization = `Basic ${Buffer.from('ext:nope').toString('base64')}`;
    const network = await extensionNetwork(read({ 'http.proxy': proxy.url(), 'http.proxyAuthorization': authorization }), {}, () => undefined);
    const agents = new HttpAgents({ network });
    try {
      await assert.rejects(new DestinationServiceClient({ binding: binding(), agents }).list('subaccount'), (error: unknown) => {
        assert.ok(isBtpError(error, ErrorCode.ProxyAuthRejected), String(error));
        assert.match(error.message, /the proxy at 127\.0\.0\.1:\d+ \(http\.proxy\) answered 407 Proxy Authentication Required: it refused the credentials/);
        assert.ok(!error.message.includes(authorization.slice(6)));
        return true;
      });
    } finally {
      await agents.close();
    }
  });
});

describe('client certificates (mTLS token requests)', () => {
  it('an X.509 dispatcher goes through the proxy; the certificate reaches the target, not the proxy', async () => {
    const ca = createCertificateAuthority({ commonName: 'Target CA' });
    const server = issueServerCertificate(ca, { commonName: 'mtls.btp.test', dnsNames: ['mtls.btp.test'] });
    const client = issueClientCertificate(ca, { commonName: 'sb-na-x509-client' });
    const target = createTlsServer({ cert: server.certPem, key: server.keyPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: true }, (req, res) => {
      res.end(JSON.stringify({ cn: (req.socket as TLSSocket).getPeerCertificate().subject?.CN }));
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    const mtlsProxy = await startBasicAuthProxy({ users, hosts: { mtls: (target.address() as AddressInfo).port } });
    const network = await loadNetwork({ proxy: proxySettingsFromEnv({ HTTPS_PROXY: mtlsProxy.url({ user: 'cli', password: cliPassword }) }), env: {} });
    const agents = new HttpAgents({ network, extraCaPem: ca.certPem });
    try {
      const response = await sendRequest(
        { method: 'POST', url: 'https://mtls.btp.test/oauth/token' },
        { dispatcher: agents.withClientCertificate(client.certPem, client.keyPem), service: 'The token service' },
      );
      assert.equal(response.status, 200);
      assert.deepEqual(JSON.parse(response.text), { cn: 'sb-na-x509-client' });
      assert.equal(mtlsProxy.count('mtls.btp.test', 'cli'), 1);
      figures.push(`mTLS token request: CONNECT mtls.btp.test ×${mtlsProxy.count('mtls.btp.test')}`);
    } finally {
      await agents.close();
      await mtlsProxy.close();
      await new Promise((resolve) => target.close(resolve));
    }
  });
});
