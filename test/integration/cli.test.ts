import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MemorySecretStore } from '../support/memorySecretStore';
import { ExitCode } from '../../src/cli/exitCodes';
import { runCli } from '../support/cliHarness';
import { startSandboxFixture, type SandboxFixture } from '../support/sandboxFixture';

// The btp-connect CLI in-process against the sandbox: output, --json, exit codes, saved connections.

let f: SandboxFixture;
let dir: string;
let env: NodeJS.ProcessEnv;
const secrets = new MemorySecretStore();
const cli = (...argv: string[]) => runCli(argv, { cwd: dir, env, secrets });
const cliStdin = (stdin: string, ...argv: string[]) => runCli(argv, { cwd: dir, env, secrets, stdin });

before(async () => {
  f = await startSandboxFixture();
  dir = await mkdtemp(join(tmpdir(), 'btp-cli-'));
  env = { BTP_CONNECT_CONFIG_DIR: join(dir, 'config') };
  await writeFile(join(dir, 'destination.json'), JSON.stringify(f.sandbox.keys.destination));
  await writeFile(join(dir, 'connectivity.json'), JSON.stringify(f.sandbox.keys.connectivity));
});
after(async () => {
  await f.close();
  await rm(dir, { recursive: true, force: true });
});

describe('btp-connect: help and usage', () => {
  it('--help lists the commands and the exit codes; an unknown command or option is a usage error', async () => {
    const help = await cli('--help');
    assert.equal(help.code, ExitCode.Ok);
    for (const command of ['sandbox', 'connect', 'ls', 'get', 'create', 'update', 'delete', 'rename'])
      assert.match(help.stdout, new RegExp(`\\n  ${command} `));
    assert.match(help.stdout, /Exit codes:[\s\S]*8 {2}no OS keychain available/);
    assert.equal((await cli('frobnicate')).code, ExitCode.Usage);
    const badOption = await cli('ls', '--nope');
    assert.equal(badOption.code, ExitCode.Usage);
    assert.match(badOption.stderr, /Unknown option '--nope'/);
  });
});

describe('btp-connect: destinations with a key file', () => {
  it('ls prints a table of both levels; --json prints records with the level and masked secrets', async () => {
    const table = await cli('ls', '--key', 'destination.json');
    assert.equal(table.code, ExitCode.Ok, table.stderr);
    assert.match(table.stdout, /^NAME +LEVEL +TYPE +PROXY +AUTHENTICATION +TARGET$/m);
    assert.match(table.stdout, /^onprem-rfc +subaccount +RFC +OnPremise +CONFIGURED_USER|^onprem-rfc +subaccount +RFC +OnPremise/m);
    assert.match(table.stdout, /^instance-api +instance +HTTP/m);
    const json = await cli('ls', '--key', 'destination.json', '--json');
    const rows = JSON.parse(json.stdout) as Record<string, string>[];
    const basic = rows.find((row) => row.Name === 'internet-basic');
    assert.equal(basic?.level, 'subaccount');
    assert.equal(basic?.Password, '******');
    assert.doesNotMatch(json.stdout, /demo-password-1/);
    assert.equal(
      JSON.parse((await cli('ls', '--key', 'destination.json', '--json', '--show-secrets')).stdout).find(
        (row: Record<string, string>) => row.Name === 'internet-basic',
      ).Password,
      'demo-password-1',
    );
  });

  it('get resolves the level like find-destination, prints the ETag, and --find shows the auth token masked', async () => {
    const shown = await cli('get', 'shared-name', '--key', 'destination.json', '--json');
    const parsed = JSON.parse(shown.stdout) as { level: string; etag: string; destination: Record<string, string> };
    assert.equal(parsed.level, 'instance');
    assert.match(parsed.etag, /^".+"$/);
    const found = await cli('get', 'internet-oauth-cc', '--find', '--key', 'destination.json');
    assert.equal(found.code, ExitCode.Ok, found.stderr);
    assert.match(found.stdout, /authToken: Bearer → header Authorization: \*{6} \(expires in \d+ s\)/);
    assert.doesNotMatch(found.stdout, /eyJ/);
    const tokenError = await cli('get', 'internet-user-exchange', '--find', '--key', 'destination.json');
    assert.equal(tokenError.code, ExitCode.ServiceFailure);
    assert.match(tokenError.stdout, /authToken: error: Retrieval of OAuth token failed: A user token is required/);
    const missing = await cli('get', 'nope', '--key', 'destination.json');
    assert.equal(missing.code, ExitCode.NotFound);
    assert.match(missing.stderr, /^Not found \[BTP_NOT_FOUND\]: Destination "nope" exists at neither the instance nor the subaccount level\./);
  });

  it('create validates everything first, update keeps secrets the file omits and detects concurrent changes, rename and delete work', async () => {
    const destination = {
      Name: 'cli-made',
      Type: 'HTTP',
      URL: 'https://api.example.com',
      ProxyType: 'Internet',
      Authentication: 'BasicAuthentication',
      User: 'u',
      Password: 'cli-secret-1',
    };
    await writeFile(join(dir, 'batch.json'), JSON.stringify([destination, { ...destination, Name: 'bad name', URL: 'nope' }]));
    const invalid = await cli('create', 'batch.json', '--key', 'destination.json');
    assert.equal(invalid.code, ExitCode.InvalidInput);
    assert.match(invalid.stderr, /\[1\] .*Name/);
    assert.equal((await cli('get', 'cli-made', '--key', 'destination.json')).code, ExitCode.NotFound, 'nothing created when one item is invalid');

    assert.equal((await cliStdin(JSON.stringify(destination), 'create', '-', '--key', 'destination.json')).code, ExitCode.Ok);
    assert.equal((await cliStdin(JSON.stringify(destination), 'create', '-', '--key', 'destination.json')).code, ExitCode.Conflict);

    const { etag } = JSON.parse((await cli('get', 'cli-made', '--key', 'destination.json', '--json')).stdout) as { etag: string };
    const { Password: _omitted, ...withoutPassword } = destination;
    await writeFile(join(dir, 'update.json'), JSON.stringify({ ...withoutPassword, Description: 'updated' }));
    const updated = await cli('update', 'update.json', '--key', 'destination.json', '--etag', etag);
    assert.equal(updated.code, ExitCode.Ok, updated.stderr);
    const stored = await f.client.get('subaccount', 'cli-made');
    assert.equal(stored.value.Description, 'updated');
    assert.equal(stored.value.Password, 'cli-secret-1', 'the stored secret is kept');
    const stale = await cli('update', 'update.json', '--key', 'destination.json', '--etag', etag);
    assert.equal(stale.code, ExitCode.Conflict);
    assert.match(stale.stderr, /changed by someone else/);

    assert.equal((await cli('rename', 'cli-made', 'cli-renamed', '--key', 'destination.json')).code, ExitCode.Ok);
    assert.equal((await cli('delete', 'cli-renamed', '--key', 'destination.json')).code, ExitCode.Ok);
    assert.equal((await cli('delete', 'cli-renamed', '--key', 'destination.json')).code, ExitCode.NotFound);
  });

  it('maps failures to exit codes: unreachable 7, token rejected 5, broken key 3 naming the field', async () => {
    await writeFile(join(dir, 'down.json'), JSON.stringify({ ...f.sandbox.keys.destination, uri: 'http://127.0.0.1:9' }));
    assert.equal((await cli('ls', '--key', 'down.json')).code, ExitCode.ServiceFailure);
    await writeFile(join(dir, 'wrong.json'), JSON.stringify({ ...f.sandbox.keys.destination, clientsecret: 'wrong' }));
    assert.equal((await cli('ls', '--key', 'wrong.json')).code, ExitCode.AccessDenied);
    const { uri: _uri, ...broken } = f.sandbox.keys.destination;
    await writeFile(join(dir, 'broken.json'), JSON.stringify(broken));
    const result = await cli('ls', '--key', 'broken.json');
    assert.equal(result.code, ExitCode.InvalidInput);
    assert.match(result.stderr, /"uri"/);
  });
});

describe('btp-connect: saved connections', () => {
  it('connect keeps secrets in the secret store and out of connections.json; ls uses it; disconnect removes both', async () => {
    const connected = await cli('connect', 'sandbox', '--key', 'destination.json', '--connectivity-key', 'connectivity.json');
    assert.equal(connected.code, ExitCode.Ok, connected.stderr);
    const file = await readFile(join(dir, 'config', 'connections.json'), 'utf8');
    const destinationSecret = String(f.sandbox.keys.destination.clientsecret);
    assert.doesNotMatch(file, new RegExp(destinationSecret.replace(/\$/g, '\\$')));
    assert.doesNotMatch(file, new RegExp(String(f.sandbox.keys.connectivity.clientsecret).replace(/\$/g, '\\$')));
    assert.equal(await secrets.get('connection/sandbox/destination/clientsecret'), destinationSecret);

    const listed = await cli('connections', '--json');
    assert.deepEqual(
      (JSON.parse(listed.stdout) as { name: string; hasConnectivity: boolean }[]).map((c) => [c.name, c.hasConnectivity]),
      [['sandbox', true]],
    );
    const ls = await cli('ls', '--level', 'instance');
    assert.equal(ls.code, ExitCode.Ok, ls.stderr);
    assert.match(ls.stdout, /^instance-api /m);
    assert.equal((await cli('connect', 'sandbox', '--key', 'destination.json')).code, ExitCode.Conflict);

    assert.equal((await cli('disconnect', 'sandbox')).code, ExitCode.Ok);
    assert.deepEqual(secrets.keys(), []);
    const none = await cli('ls');
    assert.equal(none.code, ExitCode.NotFound);
    assert.match(none.stderr, /No connection to use/);
  });

  it('connect reads a pasted `cf service-key` output from stdin', async () => {
    const pasted = `Getting key sandbox-key for service instance sandbox-destination as dev@example.com...\n\n${JSON.stringify({ credentials: f.sandbox.keys.destination }, null, 2)}\n`;
    const result = await cliStdin(pasted, 'connect', 'pasted', '--key', '-');
    assert.equal(result.code, ExitCode.Ok, result.stderr);
    assert.equal((await cli('ls', '--connection', 'pasted', '--level', 'instance')).code, ExitCode.Ok);
    assert.equal((await cli('disconnect', 'pasted')).code, ExitCode.Ok);
  });
});
