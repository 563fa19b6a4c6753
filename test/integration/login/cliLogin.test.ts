import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { ExitCode } from '../../../src/cli/exitCodes';
import { MemorySecretStore } from '../../support/memorySecretStore';
import { runCli, runForwardUntil } from '../../support/cliHarness';
import { password, signInInBrowser } from '../../support/loginBrowser';
import { startSandboxFixture, type SandboxFixture } from '../../support/sandboxFixture';
import { noScriptTools } from '../../support/platform';

// `btp-connect login` / `logout` in-process against the sandbox, and `forward` picking up the signed-in user:
// the on-premise system behind a PrincipalPropagation destination sees who signed in. Users sign in with the
// client of the sandbox app's xsuaa key (`connect --login-key`, `login --login-key`), never the Destination key's.

let f: SandboxFixture;
let dir: string;
let env: NodeJS.ProcessEnv;
const secrets = new MemorySecretStore();

before(async () => {
  f = await startSandboxFixture();
  dir = await mkdtemp(join(tmpdir(), 'btp-login-cli-'));
  env = { BTP_CONNECT_CONFIG_DIR: join(dir, 'config'), BTP_CONNECT_LOCAL_TOKEN: 'off' };
  await writeFile(join(dir, 'destination.json'), JSON.stringify(f.sandbox.keys.destination));
  await writeFile(join(dir, 'connectivity.json'), JSON.stringify(f.sandbox.keys.connectivity));
  await writeFile(join(dir, 'xsuaa.json'), JSON.stringify(f.sandbox.keys.xsuaa));
  const connected = await runCli(['connect', 'sb', '--key', 'destination.json', '--connectivity-key', 'connectivity.json', '--login-key', 'xsuaa.json'], {
    cwd: dir,
    env,
    secrets,
  });
  assert.equal(connected.code, ExitCode.Ok, connected.stderr);
  assert.match(connected.stdout, /Users sign in with the client of the xsuaa key \(sb-btp-connect-app!t101\): `btp-connect login sb`\./);
});
after(async () => {
  await f.close();
  await rm(dir, { recursive: true, force: true });
});

const userKeys = () =>
  secrets
    .keys()
    .filter((key) => key.startsWith('connection/sb/user/'))
    .sort();

/** `login <connection> --no-browser [extra…]`, with the test as the user who follows the printed URL. */
async function login(userName: string, connection = 'sb', extra: string[] = []) {
  let output = '';
  let browser: Promise<unknown> | undefined;
  const result = await runCli(['login', connection, '--no-browser', '--timeout', '60', ...extra], {
    cwd: dir,
    env,
    secrets,
    onStdout: (text) => {
      output += text;
      const url = /^ {2}(http\S+)$/m.exec(output)?.[1];
      if (url && !browser) browser = signInInBrowser(f.sandbox, url, userName);
    },
  });
  await browser;
  return result;
}

/** Runs `forward` until `use` has finished with the announced addresses, then "presses Ctrl-C". */
function forward(args: string[], use: (addresses: string[]) => Promise<void>) {
  return runForwardUntil(args, { cwd: dir, env, secrets }, use);
}

async function whoami(address: string | undefined): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await request(`${address}/whoami`);
  return { status: response.statusCode, body: (await response.body.json()) as Record<string, unknown> };
}

describe('btp-connect login / logout', () => {
  it('connect --login-key keeps the xsuaa key with the connection: its secret in the keychain, `connections` shows it', async () => {
    assert.ok(secrets.keys().includes('connection/sb/login/clientsecret'));
    const files = await readFile(join(dir, 'config', 'connections.json'), 'utf8');
    assert.ok(!files.includes(String(f.sandbox.keys.xsuaa.clientsecret)), 'no secret in connections.json');
    const listed = await runCli(['connections'], { cwd: dir, env, secrets });
    assert.match(listed.stdout, /SIGN-IN KEY/);
    assert.match(listed.stdout, /^sb\s+\S+\s+yes\s+yes\s+http/m);
  });

  it('login --no-browser prints the URL, waits for the browser and keeps the tokens in the keychain only', async () => {
    const started = performance.now();
    const result = await login('alice');
    console.log(`btp-connect login on the sandbox, URL printed → signed in: ${(performance.now() - started).toFixed(1)} ms`);
    assert.equal(result.code, ExitCode.Ok, result.stderr);
    assert.match(
      result.stdout,
      /Open this URL in a browser to sign in to "sb":\n {2}http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\?response_type=code&client_id=sb-btp-connect-app%21t101&redirect_uri=http%3A%2F%2Flocalhost%3A\d+%2Fbtp-connect%2Fcallback&/,
    );
    assert.match(result.stdout, /Signed in to "sb" as alice \(alice@example\.com\); the tokens are in the memory \(tests only\)\./);
    assert.deepEqual(userKeys(), ['connection/sb/user/access_token', 'connection/sb/user/refresh_token']);
    const files = await readFile(join(dir, 'config', 'connections.json'), 'utf8');
    assert.doesNotMatch(files, /eyJ|refresh/);
    assert.doesNotMatch(result.stdout + result.stderr, /eyJ|code=/);
  });

  it('forward acts for the signed-in user: the on-premise system sees alice', async () => {
    const result = await forward(['onprem-erp-principal', '--connection', 'sb'], async ([erp]) => {
      const seen = await whoami(erp);
      assert.equal(seen.status, 200);
      assert.equal(seen.body.user, 'alice');
    });
    assert.equal(result.code, ExitCode.Ok, result.stderr);
    assert.match(result.stdout, /Acting for alice, signed in to connection "sb"/);
  });

  it('finding (issue 15): forward and check carry the user flows (refresh token, authorization code, token exchange) for the signed-in user', async () => {
    const flows = ['user-refresh-token', 'user-authorization-code', 'internet-token-exchange'];
    const result = await forward([...flows, '--connection', 'sb'], async (addresses) => {
      for (const [index, address] of addresses.entries()) {
        const response = await request(`${address}/me`);
        const echoed = (await response.body.json()) as { headers: Record<string, string> };
        assert.equal(response.statusCode, 200, flows[index]);
        const bearer = /^Bearer (.+)$/.exec(echoed.headers.authorization ?? '')?.[1] ?? '';
        const claims = JSON.parse(Buffer.from(bearer.split('.')[1] ?? '', 'base64url').toString('utf8')) as { user_name?: string };
        assert.equal(claims.user_name, 'alice', flows[index]);
      }
    });
    assert.equal(result.code, ExitCode.Ok, result.stderr);
    const checked = await runCli(['check', 'user-authorization-code', '--connection', 'sb'], { cwd: dir, env, secrets });
    assert.equal(checked.code, ExitCode.Ok, checked.stdout + checked.stderr);
    assert.doesNotMatch(checked.stdout + checked.stderr, /eyJ|code=/);
  });

  it('logout deletes the tokens; forward then refuses PrincipalPropagation with BTP_SIGN_IN_REQUIRED', async () => {
    const out = await runCli(['logout', 'sb'], { cwd: dir, env, secrets });
    assert.equal(out.code, ExitCode.Ok, out.stderr);
    assert.match(out.stdout, /Signed alice out of "sb"/);
    assert.deepEqual(userKeys(), []);
    assert.ok(secrets.keys().includes('connection/sb/destination/clientsecret'), 'the connection itself stays');
    const result = await forward(['onprem-erp-principal', '--connection', 'sb'], async ([erp]) => {
      const seen = await whoami(erp);
      // A request that lacks its user is 401, as the transparent proxy answers one (issue 15).
      assert.equal(seen.status, 401);
      const error = seen.body.error as { code: string; message: string };
      assert.equal(error.code, 'BTP_SIGN_IN_REQUIRED');
      assert.match(error.message, /nobody is signed in to connection "sb"\. Sign in first \(`btp-connect login sb`/);
    });
    const checked = await runCli(['check', 'user-refresh-token', '--connection', 'sb'], { cwd: dir, env, secrets });
    assert.notEqual(checked.code, ExitCode.Ok);
    assert.match(checked.stdout, /BTP_SIGN_IN_REQUIRED/);
    assert.match(checked.stdout, /X-refresh-token/);
    assert.match(checked.stdout, /btp-connect login sb/);
    assert.doesNotMatch(result.stdout, /Acting for/);
    assert.match(result.stdout, /onprem-erp-principal: GET \/whoami → 401 .*\(BTP_SIGN_IN_REQUIRED\)/);
    const again = await runCli(['logout', 'sb'], { cwd: dir, env, secrets });
    assert.match(again.stdout, /Nobody was signed in to "sb"\./);
  });

  it('BTP_CONNECT_BROWSER opens the URL with the given program (the URL is its one argument)', { skip: noScriptTools }, async () => {
    const log = join(dir, 'browser.log');
    const browserEnv = {
      ...env,
      PATH: process.env.PATH,
      BTP_CONNECT_BROWSER: join(__dirname, '..', '..', 'support', 'fakeBin', 'browser'),
      FAKE_BROWSER_USER: 'bob',
      FAKE_BROWSER_PASSWORD: password(f.sandbox, 'bob'),
      FAKE_BROWSER_LOG: log,
    };
    const result = await runCli(['login', 'sb'], { cwd: dir, env: browserEnv, secrets });
    assert.equal(result.code, ExitCode.Ok, result.stderr);
    assert.match(result.stdout, /Signed in to "sb" as bob/);
    // Written before the browser calls back (the sign-in cannot end earlier); its last line may still be on the way.
    assert.match(await readFile(log, 'utf8'), /^form 200\nsubmit 302\n/);
    await runCli(['logout', 'sb'], { cwd: dir, env, secrets });
  });

  it('unknown connections and bad options are refused before anything listens', async () => {
    const unknown = await runCli(['login', 'nope', '--no-browser'], { cwd: dir, env, secrets });
    assert.equal(unknown.code, ExitCode.NotFound);
    assert.match(unknown.stderr, /no connection named "nope"/);
    const timeout = await runCli(['login', 'sb', '--timeout', 'soon'], { cwd: dir, env, secrets });
    assert.equal(timeout.code, ExitCode.InvalidInput);
    const none = await runCli(['logout'], { cwd: dir, env, secrets });
    assert.equal(none.code, ExitCode.InvalidInput);
  });

  it('disconnect removes the tokens of the signed-in user with the connection', async () => {
    assert.equal((await login('bob')).code, ExitCode.Ok);
    assert.equal(userKeys().length, 2);
    const removed = await runCli(['disconnect', 'sb'], { cwd: dir, env, secrets });
    assert.equal(removed.code, ExitCode.Ok, removed.stderr);
    assert.deepEqual(
      secrets.keys().filter((key) => key.startsWith('connection/sb/')),
      [],
    );
    const reconnected = await runCli(['connect', 'sb', '--key', 'destination.json', '--connectivity-key', 'connectivity.json', '--login-key', 'xsuaa.json'], {
      cwd: dir,
      env,
      secrets,
    });
    assert.equal(reconnected.code, ExitCode.Ok, reconnected.stderr);
  });

  it('a connection without a sign-in key: login refuses with BTP_SIGN_IN_NOT_CONFIGURED (exit 3) naming --login-key and the redirect URI', async () => {
    const connected = await runCli(['connect', 'plain', '--key', 'destination.json', '--connectivity-key', 'connectivity.json'], { cwd: dir, env, secrets });
    assert.equal(connected.code, ExitCode.Ok, connected.stderr);
    const result = await runCli(['login', 'plain', '--no-browser'], { cwd: dir, env, secrets });
    assert.equal(result.code, ExitCode.InvalidInput);
    assert.match(result.stderr, /Sign-in not set up \[BTP_SIGN_IN_NOT_CONFIGURED\]: Connection "plain" has no xsuaa service key to sign users in with\./);
    assert.match(result.stderr, /"redirect-uris": \["http:\/\/localhost:\*\/btp-connect\/callback"\]/);
    assert.match(result.stderr, /`btp-connect login plain --login-key <xsuaa-key\.json>`/);
    assert.doesNotMatch(result.stdout, /Open this URL/);
  });

  it('login --login-key refuses a Destination service key (wrong kind, with the reason) and changes nothing', async () => {
    const result = await runCli(['login', 'plain', '--login-key', 'destination.json', '--no-browser'], { cwd: dir, env, secrets });
    assert.equal(result.code, ExitCode.InvalidInput);
    assert.match(result.stderr, /This is a destination service key, an xsuaa key is needed/);
    assert.match(result.stderr, /Sign-in needs the client of an xsuaa service instance of your application/);
    assert.equal(secrets.keys().filter((key) => key.startsWith('connection/plain/login/')).length, 0);
  });

  it('login --login-key saves the xsuaa key on the connection, then signs in with its client', async () => {
    const result = await login('bob', 'plain', ['--login-key', 'xsuaa.json']);
    assert.equal(result.code, ExitCode.Ok, result.stderr);
    assert.match(result.stdout, /Saved the xsuaa key of client sb-btp-connect-app!t101 as the sign-in key of "plain"/);
    assert.match(result.stdout, /Signed in to "plain" as bob/);
    assert.ok(secrets.keys().includes('connection/plain/login/clientsecret'));
    const again = await login('alice', 'plain');
    assert.match(again.stdout, /Signed in to "plain" as alice/);
    assert.equal((await runCli(['disconnect', 'plain'], { cwd: dir, env, secrets })).code, ExitCode.Ok);
    assert.deepEqual(
      secrets.keys().filter((key) => key.startsWith('connection/plain/')),
      [],
    );
  });

  it("a key whose client XSUAA will not redirect for (here the Connectivity instance's): exit 3, XSUAA's words and the fix, no browser", async () => {
    // Without its proxy fields the connectivity key reads as an xsuaa key: only the token service can tell.
    const {
      onpremise_proxy_host: _h,
      onpremise_proxy_http_port: _p,
      onpremise_proxy_port: _l,
      onpremise_proxy_rfc_port: _r,
      onpremise_proxy_ldap_port: _d,
      onpremise_socks5_proxy_port: _s,
      ...notAnApp
    } = f.sandbox.keys.connectivity;
    await writeFile(join(dir, 'not-an-app.json'), JSON.stringify(notAnApp));
    const connected = await runCli(['connect', 'other', '--key', 'destination.json', '--login-key', 'not-an-app.json'], { cwd: dir, env, secrets });
    assert.equal(connected.code, ExitCode.Ok, connected.stderr);
    const result = await runCli(['login', 'other', '--no-browser'], { cwd: dir, env, secrets });
    assert.equal(result.code, ExitCode.InvalidInput, result.stderr);
    assert.match(
      result.stderr,
      /\[BTP_SIGN_IN_NOT_CONFIGURED\]: The token service refused to start a browser sign-in for client "sb-clone6e5d4c3b!b103\|connectivity!b17" \(HTTP 400: Invalid redirect http:\/\/localhost:\d+\/btp-connect\/callback did not match one of the registered values\.\)/,
    );
    assert.match(result.stderr, /Use an xsuaa service key of your own application/);
    assert.match(result.stderr, /`btp-connect login other --login-key <xsuaa-key\.json>`/);
    assert.doesNotMatch(result.stdout, /Open this URL/);
    assert.deepEqual(
      secrets.keys().filter((key) => key.startsWith('connection/other/user/')),
      [],
    );
    assert.equal((await runCli(['disconnect', 'other'], { cwd: dir, env, secrets })).code, ExitCode.Ok);
  });

  it('a sign-in nobody completes ends with a timeout (exit 7) and leaves no tokens', async () => {
    const result = await runCli(['login', 'sb', '--no-browser', '--timeout', '1'], { cwd: dir, env, secrets });
    assert.equal(result.code, ExitCode.ServiceFailure);
    assert.match(result.stderr, /BTP_TIMEOUT.*No sign-in came back from the browser within 1 s/);
    assert.deepEqual(userKeys(), []);
  });
});
