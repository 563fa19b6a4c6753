import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fetch, ProxyAgent } from 'undici';
import { ForwardManager, type ForwardInfo } from '../../../src/core/forward/forwardManager';
import { createLocalToken } from '../../../src/core/forward/localToken';
import { ALL_DESTINATIONS } from '../../../src/core/forward/router';
import { echoWithRedirect, startRecordingServer, type RecordingServer } from '../../support/recordingServer';
import { runResultChild } from '../../support/resultChild';
import { startSandboxFixture, type SandboxFixture } from '../../support/sandboxFixture';

// HTTP-proxy mode of the one-port forward, as SAP Business Application Studio offers it: real clients configured
// with the forward as their HTTP proxy reach `http://<destination>.dest/…` — curl, Node's fetch through undici's
// ProxyAgent, Python requests, and the SAP Cloud SDK (http_proxy, and X-Destination-Name as a destination header).

let f: SandboxFixture;
let manager: ForwardManager;
let upstream: RecordingServer;
let all: ForwardInfo;
const token = createLocalToken();
let guarded: ForwardManager;
let guardedAll: ForwardInfo;

before(async () => {
  f = await startSandboxFixture();
  upstream = await startRecordingServer(echoWithRedirect('/base/redirect'));
  await f.client.create('subaccount', {
    Name: 'recorder',
    Type: 'HTTP',
    URL: `${upstream.url}/base`,
    ProxyType: 'Internet',
    Authentication: 'BasicAuthentication',
    User: 'rec-user',
    Password: 'rec-password-1',
  });
  manager = new ForwardManager({ client: f.client });
  all = await manager.start({ destination: ALL_DESTINATIONS });
  guarded = new ForwardManager({ client: f.client, localToken: token });
  guardedAll = await guarded.start({ destination: ALL_DESTINATIONS });
});
after(async () => {
  await guarded.dispose();
  await manager.dispose();
  await upstream.close();
  await f.close();
});

const recorderBasic = `Basic ${Buffer.from('rec-user:rec-password-1').toString('base64')}`;
type Echo = { url: string; headers: Record<string, string> };

/** A clean environment: only what the child needs, so that no proxy of this machine gets in the way. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...extra };
}

function run(file: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, [...args], { env, timeout: 30_000, killSignal: 'SIGKILL' }, (error, stdout, stderr) =>
      error ? reject(new Error(`${file} failed: ${error.message}\n${stderr}`)) : resolve(stdout),
    );
  });
}

/** curl's status line, headers and body, with `http_proxy` (curl reads only the lower-case name). */
async function curl(url: string, proxy: string, extra: readonly string[] = []): Promise<{ status: number; headers: string; body: string }> {
  const out = await run('curl', ['-s', '-i', ...extra, url], childEnv({ http_proxy: proxy }));
  const split = out.indexOf('\r\n\r\n');
  const head = out.slice(0, split);
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]), headers: head, body: out.slice(split + 4) };
}

describe('HTTP-proxy mode: http://<destination>.dest through the one-port forward', () => {
  it('curl with http_proxy reaches the destination, with its credentials and the path below its URL', async () => {
    const answer = await curl('http://recorder.dest/x/y?q=1', all.localAddress);
    assert.equal(answer.status, 200, answer.body);
    const echo = JSON.parse(answer.body) as Echo;
    assert.equal(echo.url, '/base/x/y?q=1');
    assert.equal(echo.headers.authorization, recorderBasic);
    assert.equal(echo.headers.host, `127.0.0.1:${upstream.port}`);
  });

  it('same-origin redirects point back at http://<destination>.dest', async () => {
    const answer = await curl('http://recorder.dest/redirect', all.localAddress);
    assert.equal(answer.status, 302);
    assert.match(answer.headers, /\r\nlocation: http:\/\/recorder\.dest\/landing\?x=1\r?$/im);
  });

  it("Node fetch through undici ProxyAgent gets the same answer, with undici 8's default and with proxyTunnel: false", async () => {
    // undici 8 sends http:// targets in absolute form by default; undici 7 needed proxyTunnel: false for that.
    for (const options of [{}, { proxyTunnel: false }]) {
      const dispatcher = new ProxyAgent({ uri: all.localAddress, ...options });
      try {
        const response = await fetch('http://recorder.dest/node?from=undici', { dispatcher });
        assert.equal(response.status, 200, JSON.stringify(options));
        const echo = (await response.json()) as Echo;
        assert.equal(echo.url, '/base/node?from=undici');
        assert.equal(echo.headers.authorization, recorderBasic);
      } finally {
        await dispatcher.close();
      }
    }
  });

  it("ProxyAgent forced to tunnel (proxyTunnel: true, undici 7's default) is refused, and the answer says to use http://…dest without a tunnel", async () => {
    const before = upstream.requests.length;
    const dispatcher = new ProxyAgent({ uri: all.localAddress, proxyTunnel: true });
    try {
      await assert.rejects(fetch('http://recorder.dest/tunnel', { dispatcher }));
    } finally {
      await dispatcher.close();
    }
    // curl shows what the refusal says: https://…dest asks for a tunnel, and the answer names the fix.
    await assert.rejects(run('curl', ['-s', '-S', '-v', '-x', all.localAddress, 'https://recorder.dest/x'], childEnv({})), /405|CONNECT tunnel failed/);
    const refusal = await new Promise<string>((resolve, reject) => {
      execFile('curl', ['-s', '-v', '-x', all.localAddress, 'https://recorder.dest/x'], { env: childEnv({}), timeout: 30_000 }, (_error, _stdout, stderr) =>
        stderr ? resolve(stderr) : reject(new Error('no output')),
      );
    });
    assert.match(refusal, /HTTP\/1\.1 405/);
    assert.equal(upstream.requests.length, before);
  });

  it('Python requests with proxies= reaches the destination', async () => {
    const script =
      'import json, sys, requests\nr = requests.get(sys.argv[1], proxies={"http": sys.argv[2]}, timeout=20)\nprint(json.dumps({"status": r.status_code, "body": r.json()}))';
    const out = JSON.parse(await run('python3', ['-c', script, 'http://recorder.dest/py?lang=python', all.localAddress], childEnv({}))) as {
      status: number;
      body: Echo;
    };
    assert.equal(out.status, 200);
    assert.equal(out.body.url, '/base/py?lang=python');
    assert.equal(out.body.headers.authorization, recorderBasic);
  });

  it('the SAP Cloud SDK 4.9.1: a destination http://recorder.dest with http_proxy, and X-Destination-Name as a destination header', async () => {
    const script = join(import.meta.dirname, 'cloudSdkThroughForward.mjs');
    const byProxy = await runResultChild<{ scenario: string; ok: boolean; status: number; data: Echo }>('Cloud SDK', 'proxy', [script], {
      // The SDK applies http_proxy to destinations it reads (here: the `destinations` variable), as it would in BAS.
      env: childEnv({
        http_proxy: all.localAddress,
        destinations: JSON.stringify([{ name: 'recorder', url: 'http://recorder.dest' }]),
        SDK_PLAN: JSON.stringify({ scenario: 'proxy', destination: { destinationName: 'recorder' }, path: '/sdk/proxy' }),
      }),
    });
    assert.equal(byProxy.result.ok, true, JSON.stringify(byProxy.result));
    assert.equal(byProxy.result.data.url, '/base/sdk/proxy');
    assert.equal(byProxy.result.data.headers.authorization, recorderBasic);
    const byHeader = await runResultChild<{ scenario: string; ok: boolean; status: number; data: Echo }>('Cloud SDK', 'header', [script], {
      env: childEnv({
        SDK_PLAN: JSON.stringify({
          scenario: 'header',
          destination: { url: all.localAddress, headers: { 'X-Destination-Name': 'recorder' } },
          path: '/sdk/header',
        }),
      }),
    });
    assert.equal(byHeader.result.ok, true, JSON.stringify(byHeader.result));
    assert.equal(byHeader.result.data.url, '/base/sdk/header');
    assert.equal(byHeader.result.data.headers['x-destination-name'], undefined);
  });

  it('with a local token: the token as proxy credentials (http://btp:<token>@…) or Bearer; without it 407', async () => {
    const address = new URL(guardedAll.localAddress);
    const withToken = await curl('http://recorder.dest/guarded', `http://btp:${token}@${address.host}`);
    assert.equal(withToken.status, 200, withToken.body);
    assert.equal((JSON.parse(withToken.body) as Echo).url, '/base/guarded');
    assert.equal((await curl('http://recorder.dest/guarded', guardedAll.localAddress, ['--proxy-header', `Proxy-Authorization: Bearer ${token}`])).status, 200);
    const without = await curl('http://recorder.dest/guarded', guardedAll.localAddress);
    assert.equal(without.status, 407);
    assert.equal((await curl('http://recorder.dest/guarded', `http://btp:wrong@${address.host}`)).status, 407);
  });

  it('an unknown .dest name is 404 naming it; a .dest target on a forward of one destination stays refused', async () => {
    const missing = await curl('http://no-such-destination.dest/x', all.localAddress);
    assert.equal(missing.status, 404);
    assert.match(missing.body, /\\"no-such-destination\\"/);
    const single = await manager.start({ destination: 'recorder' });
    try {
      assert.equal((await curl('http://recorder.dest/x', single.localAddress)).status, 400);
    } finally {
      await manager.stop(single.id);
    }
  });
});
