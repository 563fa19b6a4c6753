import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { ExitCode } from '../../src/cli/exitCodes';
import { keptTokensKey } from '../../src/core/secrets/secretKeys';
import { runCli, runForwardUntil } from '../support/cliHarness';
import { MemorySecretStore } from '../support/memorySecretStore';
import { startSandboxFixture, type SandboxFixture } from '../support/sandboxFixture';

// Issue 18: every `btp-connect` command is a process of its own. A saved connection keeps its client-credentials
// tokens beside its secret, so a command after the first starts without a token request.

let f: SandboxFixture;
let dir: string;
let env: NodeJS.ProcessEnv;
const secrets = new MemorySecretStore();
const cli = (...argv: string[]) => runCli(argv, { cwd: dir, env, secrets });
const tokenRequests = (clientId: unknown) => f.sandbox.tokenService.requestCount.get(String(clientId)) ?? 0;
type KeptValue = { parts: Partial<Record<'destination' | 'connectivity', { tokens: Record<string, { accessToken: string }> }>> };
const destinationClient = () => f.sandbox.keys.destination.clientid;
const connectivityClient = () => f.sandbox.keys.connectivity.clientid;

before(async () => {
  f = await startSandboxFixture();
  dir = await mkdtemp(join(tmpdir(), 'btp-kept-tokens-'));
  env = { BTP_CONNECT_CONFIG_DIR: join(dir, 'config'), BTP_CONNECT_LOCAL_TOKEN: 'off' };
  await writeFile(join(dir, 'destination.json'), JSON.stringify(f.sandbox.keys.destination));
  await writeFile(join(dir, 'connectivity.json'), JSON.stringify(f.sandbox.keys.connectivity));
  assert.equal((await cli('connect', 'dev', '--key', 'destination.json', '--connectivity-key', 'connectivity.json')).code, ExitCode.Ok);
});
after(async () => {
  await f.close();
  await rm(dir, { recursive: true, force: true });
});

describe('btp-connect: tokens kept between commands of a saved connection', () => {
  it('the second command requests no Destination-service token; the first kept it in the secret store, not in a file', async () => {
    const before = tokenRequests(destinationClient());
    assert.equal((await cli('ls')).code, ExitCode.Ok);
    assert.equal(tokenRequests(destinationClient()), before + 1);
    assert.equal((await cli('get', 'internet-basic')).code, ExitCode.Ok);
    assert.equal((await cli('ls', '--level', 'instance')).code, ExitCode.Ok);
    assert.equal(tokenRequests(destinationClient()), before + 1, 'later commands took the kept token');
    const kept = (await secrets.get(keptTokensKey('dev'))) ?? '';
    const token = (JSON.parse(kept) as KeptValue).parts.destination?.tokens['||cc']?.accessToken ?? '';
    assert.match(token, /^ey/);
    for (const name of await readdir(join(dir, 'config'))) assert.doesNotMatch(await readFile(join(dir, 'config', name), 'utf8'), new RegExp(token.slice(-24)));
  });

  it('an OnPremise forward started again requests neither token', async () => {
    const use = async ([erp]: string[]) => {
      const partners = await request(`${erp}/sap/opu/odata/sap/API_BUSINESS_PARTNER/A_BusinessPartner`);
      assert.equal(partners.statusCode, 200);
      await partners.body.dump();
    };
    const first = await runForwardUntil(['onprem-erp-basic'], { cwd: dir, env, secrets }, use);
    assert.equal(first.code, ExitCode.Ok, first.stderr);
    const counts = [tokenRequests(destinationClient()), tokenRequests(connectivityClient())];
    assert.ok((JSON.parse((await secrets.get(keptTokensKey('dev'))) ?? '{}') as KeptValue).parts.connectivity?.tokens['||cc']);
    const again = await runForwardUntil(['onprem-erp-basic'], { cwd: dir, env, secrets }, use);
    assert.equal(again.code, ExitCode.Ok, again.stderr);
    assert.deepEqual([tokenRequests(destinationClient()), tokenRequests(connectivityClient())], counts);
  });

  it('a kept token the service refuses is replaced: the command succeeds with a new one, which is kept', async () => {
    const key = keptTokensKey('dev');
    const kept = JSON.parse((await secrets.get(key)) ?? '{}') as KeptValue;
    const refused = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJub2JvZHkifQ.';
    for (const token of Object.values(kept.parts.destination?.tokens ?? {})) token.accessToken = refused;
    await secrets.set(key, JSON.stringify(kept));
    const before = tokenRequests(destinationClient());
    const ls = await cli('ls');
    assert.equal(ls.code, ExitCode.Ok, ls.stderr);
    assert.equal(tokenRequests(destinationClient()), before + 1);
    assert.doesNotMatch((await secrets.get(key)) ?? '', new RegExp(refused.replace(/\./g, '\\.')));
  });

  it('a kept connectivity token the proxy refuses (407) is replaced: the first request through the forward still answers', async () => {
    const key = keptTokensKey('dev');
    const kept = JSON.parse((await secrets.get(key)) ?? '{}') as KeptValue;
    const refused = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJwcm94eSJ9.';
    assert.ok(kept.parts.connectivity, 'an earlier forward kept a connectivity token');
    for (const token of Object.values(kept.parts.connectivity.tokens)) token.accessToken = refused;
    await secrets.set(key, JSON.stringify(kept));
    const before = tokenRequests(connectivityClient());
    const result = await runForwardUntil(['onprem-erp-basic'], { cwd: dir, env, secrets }, async ([erp]) => {
      const partners = await request(`${erp}/sap/opu/odata/sap/API_BUSINESS_PARTNER/A_BusinessPartner`);
      assert.equal(partners.statusCode, 200);
      await partners.body.dump();
    });
    assert.equal(result.code, ExitCode.Ok, result.stderr);
    assert.equal(tokenRequests(connectivityClient()), before + 1);
    assert.doesNotMatch((await secrets.get(key)) ?? '', new RegExp(refused.replace(/\./g, '\\.')));
  });

  it('check asks the token service anyway: it diagnoses the key as it is now, not a token an earlier command kept', async () => {
    assert.ok(await secrets.get(keptTokensKey('dev')));
    const before = tokenRequests(destinationClient());
    const checked = await cli('check', 'internet-basic');
    assert.equal(checked.code, ExitCode.Ok, checked.stdout + checked.stderr);
    assert.match(checked.stdout, /client-credentials token from/);
    assert.equal(tokenRequests(destinationClient()), before + 1);
  });

  it('a key file or VCAP_SERVICES keeps nothing; connecting again or disconnect removes the kept tokens', async () => {
    const loose = new MemorySecretStore();
    assert.equal((await runCli(['ls', '--key', 'destination.json'], { cwd: dir, env, secrets: loose })).code, ExitCode.Ok);
    assert.deepEqual(loose.keys(), []);
    assert.ok(await secrets.get(keptTokensKey('dev')));
    const replaced = await cli('connect', 'dev', '--key', 'destination.json', '--connectivity-key', 'connectivity.json', '--replace');
    assert.equal(replaced.code, ExitCode.Ok, replaced.stderr);
    assert.equal(await secrets.get(keptTokensKey('dev')), undefined, 'new keys, no tokens of the old ones');
    assert.equal((await cli('ls')).code, ExitCode.Ok);
    assert.equal((await cli('disconnect', 'dev')).code, ExitCode.Ok);
    assert.deepEqual(secrets.keys(), []);
  });
});
