import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { ExitCode } from '../../src/cli/exitCodes';
import { MemorySecretStore } from '../support/memorySecretStore';
import { SUBSCRIBER_TENANT_ID } from '../../src/sandbox/base/world';
import { runCli, runForwardUntil } from '../support/cliHarness';
import { startSandboxFixture, type SandboxFixture } from '../support/sandboxFixture';

// A connection acting for the sandbox's subscriber tenant: `tenant` saves the choice, `forward` and `check` then
// reach the subscriber's destinations and never the provider's; `--tenant` chooses for one command.

let f: SandboxFixture;
let dir: string;
const secrets = new MemorySecretStore();
let env: NodeJS.ProcessEnv;
const cli = (...argv: string[]) => runCli(argv, { cwd: dir, env, secrets });
const subscriberBasic = `Basic ${Buffer.from('subscriber-user:subscriber-password-1').toString('base64')}`;

before(async () => {
  f = await startSandboxFixture();
  dir = await mkdtemp(join(tmpdir(), 'btp-tenant-cli-'));
  env = { BTP_CONNECT_LOCAL_TOKEN: 'off', BTP_CONNECT_CONFIG_DIR: join(dir, 'config') };
  await writeFile(join(dir, 'destination.json'), JSON.stringify(f.sandbox.keys.destination));
  // The subscriber's tokens come from its zone over HTTPS (<subdomain>.<uaadomain>): the sandbox CA must be trusted.
  await writeFile(join(dir, 'ca.pem'), f.sandbox.caPem);
  assert.equal((await cli('connect', 'dev', '--key', 'destination.json')).code, ExitCode.Ok);
});
after(async () => {
  await f.close();
  await rm(dir, { recursive: true, force: true });
});

function forward(args: string[], use: (addresses: string[]) => Promise<void>, mayNotStart = false) {
  return runForwardUntil([...args, '--ca', 'ca.pem'], { cwd: dir, env, secrets, mayNotStart }, use);
}

async function get(url: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const response = await request(url);
  return { status: response.statusCode, headers: response.headers, body: await response.body.text() };
}

describe('subscriber tenants on the CLI', () => {
  it('forward --tenant <subdomain>: the subscriber destination is reached, a provider-only one is not found', async () => {
    const result = await forward(['--all', '--connection', 'dev', '--tenant', 'subscriber'], async ([all]) => {
      const subscriber = await get(`${all}/subscriber-api/x`);
      assert.equal(subscriber.status, 200, subscriber.body);
      const echo = JSON.parse(subscriber.body) as { path: string; headers: Record<string, string> };
      assert.equal(echo.path, '/subscriber-api/x');
      assert.equal(echo.headers.authorization, subscriberBasic);
      // internet-noauth exists only in the provider subaccount: as the subscriber it does not exist.
      const providerOnly = await get(`${all}/internet-noauth/x`);
      assert.equal(providerOnly.status, 404, providerOnly.body);
      assert.equal((JSON.parse(providerOnly.body) as { error: { code: string } }).error.code, 'BTP_NOT_FOUND');
      // shared-name exists in both: the subscriber's copy answers.
      const shared = await get(`${all}/shared-name/x`);
      assert.equal(JSON.parse(shared.body).path, '/shared-name/x');
    });
    assert.equal(result.code, ExitCode.Ok, result.stderr);
  });

  it('without a tenant the same forward is the provider’s: the subscriber destination is unknown there', async () => {
    const result = await forward(['--all', '--connection', 'dev'], async ([all]) => {
      assert.equal((await get(`${all}/internet-noauth/x`)).status, 200);
      assert.equal((await get(`${all}/subscriber-api/x`)).status, 404);
    });
    assert.equal(result.code, ExitCode.Ok, result.stderr);
  });

  it('`tenant` saves the choice with the connection (by id too): named forwards and check act for it', async () => {
    const saved = await cli('tenant', 'dev', SUBSCRIBER_TENANT_ID);
    assert.equal(saved.code, ExitCode.Ok, saved.stderr);
    assert.match((await cli('tenant', 'dev')).stdout, new RegExp(`acts for the subscriber tenant id:${SUBSCRIBER_TENANT_ID}`));
    assert.match((await cli('connections')).stdout, new RegExp(`^dev .*id:${SUBSCRIBER_TENANT_ID}`, 'm'));

    const result = await forward(['subscriber-api', '--connection', 'dev'], async ([address]) => {
      const echo = JSON.parse((await get(`${address}/named`)).body) as { headers: Record<string, string> };
      assert.equal(echo.headers.authorization, subscriberBasic);
    });
    assert.equal(result.code, ExitCode.Ok, result.stderr);
    const providerOnly = await forward(['internet-noauth', '--connection', 'dev'], async () => assert.fail('a provider destination must not start'), true);
    assert.equal(providerOnly.code, ExitCode.NotFound, providerOnly.stdout);

    const check = await cli('check', 'subscriber-api', '--connection', 'dev', '--ca', 'ca.pem', '--json');
    assert.equal(check.code, ExitCode.Ok, check.stdout);
    const notThere = await cli('check', 'internet-noauth', '--connection', 'dev', '--ca', 'ca.pem', '--json');
    assert.equal((JSON.parse(notThere.stdout) as { firstFailure?: { hop: string } }).firstFailure?.hop, 'destinationLookup');
    // --tenant for one command; the saved choice stays.
    const listed = await cli('ls', '--connection', 'dev', '--ca', 'ca.pem', '--tenant', 'subscriber', '--json');
    assert.deepEqual((JSON.parse(listed.stdout) as { Name: string }[]).map((entry) => entry.Name).sort(), ['shared-name', 'subscriber-api']);

    assert.equal((await cli('tenant', 'dev', '--provider')).code, ExitCode.Ok);
    assert.match((await cli('tenant', 'dev')).stdout, /acts for the provider/);
    assert.equal((await cli('check', 'internet-noauth', '--connection', 'dev', '--json')).code, ExitCode.Ok);
  });

  it('connect --tenant saves the tenant with the new connection', async () => {
    const saved = await cli('connect', 'sub', '--key', 'destination.json', '--tenant', 'subscriber');
    assert.equal(saved.code, ExitCode.Ok, saved.stderr);
    assert.match(saved.stdout, /acts for the subscriber tenant subscriber/);
    const listed = await cli('ls', '--connection', 'sub', '--ca', 'ca.pem', '--json');
    assert.ok(
      (JSON.parse(listed.stdout) as { Name: string }[]).some((entry) => entry.Name === 'subscriber-api'),
      listed.stdout,
    );
    const refused = await cli('connect', 'bad', '--key', 'destination.json', '--tenant', 'no such tenant');
    assert.equal(refused.code, ExitCode.InvalidInput);
    assert.match((await cli('connections')).stdout, /^sub .*tenant subscriber$/m);
    assert.doesNotMatch((await cli('connections')).stdout, /^bad /m, 'nothing is saved for a refused tenant');
  });

  it("writes go to the tenant's subaccount: a destination created as the subscriber is not the provider's", async () => {
    await writeFile(
      join(dir, 'new.json'),
      JSON.stringify({ Name: 'made-by-subscriber', Type: 'HTTP', URL: 'http://127.0.0.1:9/x', ProxyType: 'Internet', Authentication: 'NoAuthentication' }),
    );
    const created = await cli('create', 'new.json', '--connection', 'sub', '--ca', 'ca.pem');
    assert.equal(created.code, ExitCode.Ok, created.stderr);
    const names = async (...args: string[]) =>
      (JSON.parse((await cli('ls', '--level', 'subaccount', '--ca', 'ca.pem', '--json', ...args)).stdout) as { Name: string }[]).map((entry) => entry.Name);
    assert.ok((await names('--connection', 'sub')).includes('made-by-subscriber'));
    assert.ok(!(await names('--connection', 'dev')).includes('made-by-subscriber'), 'the provider does not have it');
  });

  it('a tenant that is no subdomain or id is refused, naming the field and the forms that work', async () => {
    const result = await cli('tenant', 'dev', 'not a tenant!');
    assert.equal(result.code, ExitCode.InvalidInput);
    assert.match(result.stderr, /"not a tenant!" is no tenant subdomain or id\. Give the subscriber subaccount's subdomain/);
    const forwardBad = await cli('forward', 'x', '--connection', 'dev', '--tenant', 'bad.tenant!');
    assert.equal(forwardBad.code, ExitCode.InvalidInput);
  });
});
