import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { ExitCode } from '../../../src/cli/exitCodes';
import type { CheckResult } from '../../../src/core/diagnosis/types';
import { runCli, runForwardUntil } from '../../support/cliHarness';
import { decodeClaims, startSandboxFixture, type SandboxFixture } from '../../support/sandboxFixture';

// OAuth2ClientCredentials with `tokenServiceURLType: Common`: the Destination service puts a subdomain into the
// token URL and fetches no token without `X-tenant` (spec §3.4). Forwards and `check` send the provider's subdomain
// (the key's identityzone), as the SAP Cloud SDK does without a user; the first lookup reveals the need.

let f: SandboxFixture;
let dir: string;
const env = () => ({ BTP_CONNECT_LOCAL_TOKEN: 'off', BTP_CONNECT_CONFIG_DIR: join(dir, 'config') });

before(async () => {
  f = await startSandboxFixture();
  dir = await mkdtemp(join(tmpdir(), 'btp-common-'));
  await writeFile(join(dir, 'destination.json'), JSON.stringify(f.sandbox.keys.destination));
});
after(async () => {
  await f.close();
  await rm(dir, { recursive: true, force: true });
});

describe('a destination with a Common token URL', () => {
  it("forward: the backend gets a token of the provider's zone, fetched with X-tenant", async () => {
    const provider = f.sandbox.identity.world.provider;
    let served = 0;
    const result = await runForwardUntil(['internet-oauth-cc-common', '--key', 'destination.json'], { cwd: dir, env: env() }, async ([address]) => {
      for (const path of ['/first', '/again']) {
        const response = await request(`${address ?? ''}${path}`);
        const body = await response.body.text();
        assert.equal(response.statusCode, 200, body);
        const bearer = /^Bearer (.+)$/.exec((JSON.parse(body) as { headers: Record<string, string> }).headers.authorization ?? '');
        assert.ok(bearer, 'a Bearer token was injected');
        assert.equal(decodeClaims(bearer[1] ?? '').zid, provider.id, "the provider's zone");
        served++;
      }
    });
    assert.equal(result.code, ExitCode.Ok, result.stderr);
    assert.equal(served, 2, `the forward did not start: ${result.stderr}`);
  });

  it('check: the auth-token hop gets the token with X-tenant', async () => {
    const result = await runCli(['check', 'internet-oauth-cc-common', '--json', '--key', 'destination.json'], { cwd: dir, env: env() });
    assert.equal(result.code, ExitCode.Ok, result.stderr);
    const hops = (JSON.parse(result.stdout) as CheckResult).hops;
    assert.equal(hops.find((hop) => hop.hop === 'authToken')?.status, 'ok', JSON.stringify(hops));
  });
});
