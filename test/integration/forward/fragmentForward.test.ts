import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { ExitCode } from '../../../src/cli/exitCodes';
import type { CheckResult } from '../../../src/core/diagnosis/types';
import { ErrorCode, isBtpError } from '../../../src/core/errors';
import { ForwardManager } from '../../../src/core/forward/forwardManager';
import { ALL_DESTINATIONS } from '../../../src/core/forward/router';
import { runCli, runForwardUntil } from '../../support/cliHarness';
import { decodeClaims, startSandboxFixture, type SandboxFixture } from '../../support/sandboxFixture';

// A forward is a destination plus an optional fragment: the sandbox's `oauth-override` fragment points a Basic
// destination at another URL with OAuth client credentials, on every lookup, in the core, the CLI and `check`.

let f: SandboxFixture;
let manager: ForwardManager;
let dir: string;

interface Echo {
  readonly path: string;
  readonly headers: Record<string, string>;
}

async function echo(address: string, path: string): Promise<Echo> {
  const response = await request(`${address}${path}`);
  assert.equal(response.statusCode, 200);
  return (await response.body.json()) as Echo;
}

const refusedWith = (code: string, field?: string) => (error: unknown) =>
  isBtpError(error) && error.code === code && (field === undefined || error.field === field);

before(async () => {
  f = await startSandboxFixture();
  manager = new ForwardManager({ client: f.client });
  dir = await mkdtemp(join(tmpdir(), 'btp-fragment-'));
  await writeFile(join(dir, 'destination.json'), JSON.stringify(f.sandbox.keys.destination));
});
after(async () => {
  await manager.dispose();
  await f.close();
  await rm(dir, { recursive: true, force: true });
});

describe('a forward with a fragment', () => {
  it('takes URL and authentication from the fragment; the same destination without it keeps its own', async () => {
    const plain = await manager.start({ destination: 'internet-basic' });
    const merged = await manager.start({ destination: 'internet-basic', fragment: 'oauth-override' });
    assert.equal(plain.fragment, undefined);
    assert.equal(merged.fragment, 'oauth-override');
    assert.equal(merged.destination, 'internet-basic');

    const own = await echo(plain.localAddress, '/hi');
    assert.equal(own.path, '/internet-basic/hi');
    assert.match(own.headers.authorization ?? '', /^Basic /);

    const overridden = await echo(merged.localAddress, '/hi');
    assert.equal(overridden.path, '/oauth-override/hi', 'the fragment URL is the target');
    const bearer = /^Bearer (.+)$/.exec(overridden.headers.authorization ?? '');
    assert.ok(bearer?.[1], `a bearer token instead of Basic: ${overridden.headers.authorization ?? '(none)'}`);
    assert.equal(decodeClaims(bearer[1]).client_id, f.sandbox.identity.world.clientOfKind('backend').clientId, "the fragment's OAuth client");
  });

  it('carries header properties of a fragment, and survives a restart with it', async () => {
    const started = await manager.start({ destination: 'internet-noauth', fragment: 'slow-backend' });
    assert.equal((await echo(started.localAddress, '/x')).headers['x-fragment'], 'slow-backend');
    const restarted = await manager.restart(started.id);
    assert.equal(restarted.fragment, 'slow-backend');
    assert.equal(restarted.port, started.port);
    assert.equal((await echo(restarted.localAddress, '/x')).headers['x-fragment'], 'slow-backend');
  });

  it('fails to start on a missing fragment, unless it is optional', async () => {
    const before = manager.list().length;
    await assert.rejects(manager.start({ destination: 'internet-noauth', fragment: 'no-such-fragment' }), refusedWith(ErrorCode.NotFound));
    assert.equal(manager.list().length, before, 'no port stays bound');
    const optional = await manager.start({ destination: 'internet-noauth', fragment: 'no-such-fragment', fragmentOptional: true });
    assert.equal((await echo(optional.localAddress, '/y')).path, '/internet-noauth/y');
  });

  it('refuses a fragment name that is none, a fragment for all destinations, and "optional" without a fragment', async () => {
    await assert.rejects(manager.start({ destination: 'internet-noauth', fragment: 'a b' }), refusedWith(ErrorCode.InvalidInput, 'fragment'));
    await assert.rejects(manager.start({ destination: ALL_DESTINATIONS, fragment: 'slow-backend' }), refusedWith(ErrorCode.InvalidInput, 'fragment'));
    await assert.rejects(manager.start({ destination: 'internet-noauth', fragmentOptional: true }), refusedWith(ErrorCode.InvalidInput, 'fragmentOptional'));
  });
});

describe('fragments on the command line', () => {
  const env = () => ({ BTP_CONNECT_LOCAL_TOKEN: 'off', BTP_CONNECT_CONFIG_DIR: join(dir, 'config') });

  it('--fragment-optional: a missing fragment leaves the destination as it is; without it the forward is refused', async () => {
    let served = 0;
    const optional = await runForwardUntil(
      ['internet-basic+no-such-fragment', '--fragment-optional', '--key', 'destination.json'],
      { cwd: dir, env: env() },
      async ([address]) => {
        const plain = await echo(address ?? '', '/plain');
        assert.equal(plain.path, '/internet-basic/plain', "the destination's own URL");
        assert.match(plain.headers.authorization ?? '', /^Basic /, 'and its own credentials');
        served++;
      },
    );
    assert.equal(optional.code, ExitCode.Ok, optional.stderr);
    assert.equal(served, 1);
    const required = await runForwardUntil(
      ['internet-basic+no-such-fragment', '--key', 'destination.json'],
      { cwd: dir, env: env(), mayNotStart: true },
      async () => assert.fail('a missing fragment must refuse the forward'),
    );
    assert.equal(required.code, ExitCode.NotFound, required.stderr);
    assert.match(required.stderr, /no-such-fragment/);
    const alone = await runCli(['forward', 'internet-basic', '--fragment-optional', '--key', 'destination.json'], { cwd: dir, env: env() });
    assert.equal(alone.code, ExitCode.InvalidInput);
    assert.match(alone.stderr, /--fragment-optional goes with a fragment/);
  });

  it('forward <destination>+<fragment> and --fragment', async () => {
    const result = await runForwardUntil(
      ['internet-basic+oauth-override', 'internet-noauth', '--key', 'destination.json'],
      { cwd: dir, env: env() },
      async ([merged, plain]) => {
        const overridden = await echo(merged ?? '', '/a');
        assert.equal(overridden.path, '/oauth-override/a');
        assert.match(overridden.headers.authorization ?? '', /^Bearer /);
        assert.equal((await echo(plain ?? '', '/b')).path, '/internet-noauth/b');
      },
    );
    assert.equal(result.code, ExitCode.Ok, result.stderr);
    assert.match(result.stdout, /→ internet-basic\+oauth-override \(HTTP/);
    const option = await runForwardUntil(
      ['internet-basic', '--fragment', 'oauth-override', '--key', 'destination.json'],
      { cwd: dir, env: env() },
      async ([merged]) => {
        assert.equal((await echo(merged ?? '', '/c')).path, '/oauth-override/c');
      },
    );
    assert.equal(option.code, ExitCode.Ok, option.stderr);
  });

  it('check <name> --fragment checks the merged destination', async () => {
    const check = (...argv: string[]) => runCli(['check', ...argv, '--json', '--key', 'destination.json'], { cwd: dir, env: env() });
    const merged = await check('internet-basic', '--fragment', 'oauth-override');
    assert.equal(merged.code, ExitCode.Ok, merged.stderr);
    const result = JSON.parse(merged.stdout) as CheckResult;
    assert.match(result.target ?? '', /\/oauth-override$/, 'the fragment URL is what was requested');
    assert.ok(
      result.hops.some((hop) => hop.hop === 'authToken' && hop.status === 'ok' && /OAuth2ClientCredentials|Bearer/.test(hop.detail ?? '')),
      merged.stdout,
    );
    const plain = JSON.parse((await check('internet-basic')).stdout) as CheckResult;
    assert.match(plain.target ?? '', /\/internet-basic$/);

    const missing = await check('internet-basic', '--fragment', 'no-such-fragment');
    assert.notEqual(missing.code, ExitCode.Ok);
    const failed = JSON.parse(missing.stdout) as CheckResult;
    assert.equal(failed.firstFailure?.hop, 'destinationLookup');
    const text = await runCli(['check', 'internet-basic', '--fragment', 'oauth-override', '--key', 'destination.json'], { cwd: dir, env: env() });
    assert.match(text.stdout, /^Fragment oauth-override merged into internet-basic:\ninternet-basic \(HTTP, Internet\) → GET http:\/\/\S+\/oauth-override\n/);
    const bad = await runCli(['check', 'internet-basic', '--fragment', 'a.b', '--key', 'destination.json'], { cwd: dir, env: env() });
    assert.equal(bad.code, ExitCode.InvalidInput);
    assert.match(bad.stderr, /no fragment name/);
  });
});
