// AC-31 and AC-35 of docs/security.md: a run with unique canary secrets — in service keys, destinations, a local
// destination and failing token requests — then a scan of everything the run wrote or said: the config folder
// (connections.json, local-destinations.json), the workspace (an exported default-env.json), CLI stdout/stderr,
// the log, and every error body a forward sent. Each canary is looked for plain, base64 (also as `user:secret`)
// and URL-encoded. The sandbox's own state is the emulated cloud's database and is not scanned.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { ForwardManager } from '../../src/core/forward/forwardManager';
import { LocalDestinationStore } from '../../src/core/localDestinations/localDestinationStore';
import { mergeDefaultEnv } from '../../src/core/localEnv/defaultEnv';
import { envDestinations } from '../../src/core/localEnv/destinationsVariable';
import { createLogger } from '../../src/core/log';
import { MemorySecretStore } from '../support/memorySecretStore';
import { runCli } from '../support/cliHarness';
import { startSandboxFixture, type SandboxFixture } from '../support/sandboxFixture';

const canary = (what: string) => `CANARY-${what}-${randomBytes(12).toString('hex')}`;

let f: SandboxFixture;
let dir: string;
const said: { where: string; text: string }[] = [];
const canaries: { name: string; forms: string[] }[] = [];

function addCanary(name: string, secret: string, user?: string): void {
  const forms = [secret, Buffer.from(secret).toString('base64'), encodeURIComponent(secret), Buffer.from(secret).toString('base64url')];
  if (user !== undefined) forms.push(Buffer.from(`${user}:${secret}`).toString('base64'));
  canaries.push({ name, forms: [...new Set(forms)] });
}

async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true });
  const nested = await Promise.all(entries.map(async (entry) => (entry.isDirectory() ? filesUnder(join(root, entry.name)) : [join(root, entry.name)])));
  return nested.flat();
}

before(async () => {
  f = await startSandboxFixture();
  dir = await mkdtemp(join(tmpdir(), 'btp-canary-'));
  // The sandbox's service-key secrets are random per run: canaries already.
  addCanary('destination key clientsecret', String(f.sandbox.keys.destination.clientsecret));
  addCanary('connectivity key clientsecret', String(f.sandbox.keys.connectivity.clientsecret));
});
after(async () => {
  await f.close();
  await rm(dir, { recursive: true, force: true });
});

describe('secret canaries (AC-31, AC-35)', () => {
  it('appear in no file, output, log line or error body of a run that used them', async () => {
    const basicPassword = canary('basic');
    const oauthSecret = canary('oauth');
    const localPassword = canary('local');
    addCanary('Basic password', basicPassword, 'canary-user');
    addCanary('OAuth client secret', oauthSecret);
    addCanary('local destination password', localPassword, 'local-user');
    const echo = f.sandbox.endpoints.internetApiUrl;
    await f.client.create('subaccount', {
      Name: 'canary-basic',
      Type: 'HTTP',
      URL: `${echo}/canary-basic`,
      ProxyType: 'Internet',
      Authentication: 'BasicAuthentication',
      User: 'canary-user',
      Password: basicPassword,
    });
    // A client secret the token service refuses: the failure path must not echo it either.
    await f.client.create('subaccount', {
      Name: 'canary-oauth',
      Type: 'HTTP',
      URL: `${echo}/canary-oauth`,
      ProxyType: 'Internet',
      Authentication: 'OAuth2ClientCredentials',
      clientId: 'canary-client',
      clientSecret: oauthSecret,
      tokenServiceURL: `${f.sandbox.endpoints.tokenServiceUrl}/oauth/token`,
    });

    // The CLI: connect from key files (which are the user's own input and are deleted afterwards), list, get, find.
    const config = join(dir, 'config');
    const workspace = join(dir, 'workspace');
    const keyFiles = { destination: join(dir, 'destination-key.json'), connectivity: join(dir, 'connectivity-key.json') };
    await writeFile(keyFiles.destination, JSON.stringify(f.sandbox.keys.destination));
    await writeFile(keyFiles.connectivity, JSON.stringify(f.sandbox.keys.connectivity));
    const secrets = new MemorySecretStore();
    const env = { BTP_CONNECT_CONFIG_DIR: config };
    const cli = async (...argv: string[]) => {
      const result = await runCli(argv, { cwd: dir, env, secrets });
      said.push(
        { where: `btp-connect ${argv.join(' ')} (stdout)`, text: result.stdout },
        { where: `btp-connect ${argv.join(' ')} (stderr)`, text: result.stderr },
      );
      return result;
    };
    assert.equal((await cli('connect', 'dev', '--key', keyFiles.destination, '--connectivity-key', keyFiles.connectivity)).code, 0);
    await rm(keyFiles.destination);
    await rm(keyFiles.connectivity);
    for (const argv of [
      ['ls', '--json'],
      ['get', 'canary-basic'],
      ['get', 'canary-basic', '--json'],
      ['get', 'canary-basic', '--find'],
      ['get', 'canary-oauth', '--find', '--json'],
      ['connections', '--json'],
      ['get', 'no-such-destination'],
    ]) {
      await cli(...argv, ...(argv[0] === 'connections' ? [] : ['--connection', 'dev']));
    }
    assert.ok(secrets.keys().length > 0, 'the connection secrets went to the secret store');

    // Forwards with a logger at debug level: a good request, a refused token, an upstream that is gone.
    const logger = createLogger((level, prefix, message, args) =>
      said.push({
        where: `log ${level} ${prefix}`,
        text: `${message} ${args.map((arg) => (arg instanceof Error ? `${arg.message} ${arg.stack ?? ''}` : JSON.stringify(arg))).join(' ')}`,
      }),
    );
    const manager = new ForwardManager({ client: f.client, logger });
    try {
      const basic = await manager.start({ destination: 'canary-basic' });
      const ok = await request(`${basic.localAddress}/x`);
      await ok.body.dump();
      assert.equal(ok.statusCode, 200);
      const oauthStart = await manager.start({ destination: 'canary-oauth' }).then(
        async (info) => {
          const failed = await request(`${info.localAddress}/x`);
          const body = await failed.body.text();
          said.push({ where: 'error body canary-oauth', text: body });
          return failed.statusCode;
        },
        (error: Error) => {
          said.push({ where: 'start error canary-oauth', text: `${error.message} ${JSON.stringify(error)} ${error.stack ?? ''}` });
          return 0;
        },
      );
      assert.notEqual(oauthStart, 200, 'the refused client secret does not work');

      // Local destinations: properties in the config folder, the password in the secret store.
      const local = new LocalDestinationStore(secrets, config);
      await local.create('subaccount', {
        Name: 'canary-local',
        Type: 'HTTP',
        URL: `${echo}/canary-local`,
        ProxyType: 'Internet',
        Authentication: 'BasicAuthentication',
        User: 'local-user',
        Password: localPassword,
      });
      const localManager = new ForwardManager({ client: local, logger });
      const localForward = await localManager.start({ destination: 'canary-local' });
      const localOk = await request(`${localForward.localAddress}/x`);
      await localOk.body.dump();
      assert.equal(localOk.statusCode, 200);
      // Export for local apps into the workspace.
      await rm(workspace, { recursive: true, force: true });
      await mkdir(workspace, { recursive: true });
      await writeFile(
        join(workspace, 'default-env.json'),
        JSON.stringify(
          mergeDefaultEnv(
            undefined,
            envDestinations([
              { destination: 'canary-basic', kind: 'http', localAddress: basic.localAddress },
              { destination: 'canary-local', kind: 'http', localAddress: localForward.localAddress },
            ]),
            'default-env.json',
          ),
        ),
      );
      await localManager.dispose();

      // The upstream is gone: the 502 body and the log line must not carry the credentials either.
      await f.client.update('subaccount', {
        Name: 'canary-basic',
        Type: 'HTTP',
        URL: 'http://127.0.0.1:9/gone',
        ProxyType: 'Internet',
        Authentication: 'BasicAuthentication',
        User: 'canary-user',
        Password: basicPassword,
      });
      await manager.restart(basic.id);
      const restarted = manager.list().find((info) => info.destination === 'canary-basic');
      assert.ok(restarted);
      const gone = await request(`${restarted.localAddress}/x`);
      said.push({ where: 'error body upstream gone', text: await gone.body.text() });
      assert.equal(gone.statusCode, 502);
    } finally {
      await manager.dispose();
    }

    const files = [...(await filesUnder(config)), ...(await filesUnder(workspace))];
    assert.ok(
      files.some((file) => file.endsWith('connections.json')) &&
        files.some((file) => file.endsWith('local-destinations.json')) &&
        files.some((file) => file.endsWith('default-env.json')),
      files.join('\n'),
    );
    const findings: string[] = [];
    for (const file of files) {
      if (!(await stat(file)).isFile()) continue;
      const text = await readFile(file, 'latin1');
      for (const { name, forms } of canaries) if (forms.some((form) => text.includes(form))) findings.push(`${name} in ${file}`);
    }
    for (const { where, text } of said) {
      for (const { name, forms } of canaries) if (forms.some((form) => text.includes(form))) findings.push(`${name} in ${where}`);
    }
    assert.deepEqual(findings, []);
    assert.ok(said.length > 20 && files.length >= 3, `scanned ${said.length} outputs and ${files.length} files`);
  });
});
