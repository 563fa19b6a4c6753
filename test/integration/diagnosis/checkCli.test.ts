import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CheckResult } from '../../../src/core/diagnosis/types';
import { ExitCode } from '../../../src/cli/exitCodes';
import { runCli } from '../../support/cliHarness';
import { repoRoot } from '../../support/sandboxProcess';
import { startSandboxFixture, type SandboxFixture } from '../../support/sandboxFixture';

// `btp-connect check` against the sandbox: one line per hop, the fix of the first failure, --json, the exit code
// of the failing hop's error, and no secret anywhere in the output; once in-process and once as a real process.
// The times are whatever this machine took (\S+ ms): how they are printed (12.3 ms, 150 ms) is checkWords.test.ts's.

let f: SandboxFixture;
let dir: string;
let secrets: string[];
const partners = '/sap/opu/odata/sap/API_BUSINESS_PARTNER/A_BusinessPartner';
const keys = () => ['--key', join(dir, 'destination.json'), '--connectivity-key', join(dir, 'connectivity.json')];
const cli = (...argv: string[]) => runCli(['check', ...argv], { cwd: dir, env: { BTP_CONNECT_CONFIG_DIR: join(dir, 'config') } });

function assertNoSecrets(text: string): void {
  assert.doesNotMatch(text, /eyJ[A-Za-z0-9_-]{5,}\./, 'no JWT in the output');
  for (const secret of secrets) assert.ok(!text.includes(secret), `secret ${secret.slice(0, 3)}… leaked`);
}

before(async () => {
  f = await startSandboxFixture();
  dir = await mkdtemp(join(tmpdir(), 'btp-check-'));
  await writeFile(join(dir, 'destination.json'), JSON.stringify(f.sandbox.keys.destination));
  await writeFile(join(dir, 'connectivity.json'), JSON.stringify(f.sandbox.keys.connectivity));
  // A connectivity "key" whose token the proxy refuses: the Destination service client's credentials.
  await writeFile(
    join(dir, 'foreign-connectivity.json'),
    JSON.stringify({ ...f.sandbox.keys.connectivity, clientid: f.sandbox.keys.destination.clientid, clientsecret: f.sandbox.keys.destination.clientsecret }),
  );
  await f.client.create('subaccount', { Name: 'check-cli-hidden-tcp', Type: 'TCP', Address: 'hidden.virtual:7000', ProxyType: 'OnPremise' });
  secrets = [
    String(f.sandbox.keys.destination.clientsecret),
    String(f.sandbox.keys.connectivity.clientsecret),
    'erp-password-1',
    Buffer.from('ERPUSER:erp-password-1').toString('base64'),
  ];
});
after(async () => {
  await f.close();
  await rm(dir, { recursive: true, force: true });
});

describe('btp-connect check (in-process)', () => {
  it('prints ✓ for every hop of a healthy OnPremise destination, – for those that do not apply, and exits 0', async () => {
    const result = await cli('onprem-erp-basic', '--path', partners, ...keys());
    assert.equal(result.code, ExitCode.Ok, result.stderr);
    const lines = result.stdout.trimEnd().split('\n');
    assert.equal(lines[0], `onprem-erp-basic (HTTP, OnPremise) → GET http://erp.virtual:8000${partners}`);
    assert.deepEqual(
      lines.slice(1, 11).map((text) => text.slice(0, 20).trimEnd()),
      [
        '– HTTP proxy',
        '✓ token service',
        '✓ destination lookup',
        '✓ auth token',
        '– tunnel',
        '✓ connectivity proxy',
        '✓ Cloud Connector',
        '✓ backend',
        '– TLS',
        '✓ response',
      ],
    );
    assert.match(lines[1] ?? '', /^– HTTP proxy {10} +none: HTTPS_PROXY and HTTP_PROXY \(http\.proxy in VS Code\) are unset, connections are direct$/);
    assert.match(lines[2] ?? '', /^✓ token service {7} +\S+ ms {2}client-credentials token from http:\/\/127\.0\.0\.1:\d+ \(valid \d+ s\)$/);
    assert.match(lines[11] ?? '', /^OK: every hop that applies works \(\S+ ms\)\.$/);
    assertNoSecrets(result.stdout + result.stderr);
  });

  it('a path the Cloud Connector does not expose, after every earlier hop worked, is a warning with exit code 0', async () => {
    const exposed = await cli('onprem-erp-basic', '--path', '/not-exposed', ...keys());
    assert.equal(exposed.code, ExitCode.Ok, exposed.stdout);
    assert.match(
      exposed.stdout,
      /^! Cloud Connector +\S+ ms {2}The way works up to the Cloud Connector, which does not expose erp\.virtual:8000\/not-exposed \(HTTP 403\)\.$/m,
    );
    assert.match(exposed.stdout, /^– backend +not reached: the Cloud Connector did not let this path through$/m);
    assert.match(
      exposed.stdout,
      /^OK with a warning: the way works; the Cloud Connector does not let this path through \[BTP_NOT_EXPOSED\] \(\S+ ms\)\.\nHint: Check a path that is exposed \(--path\), or expose this one: in the Cloud Connector, Cloud To On-Premise > Access Control > erp\.virtual:8000, add a resource "\/not-exposed"/m,
    );
    assert.doesNotMatch(exposed.stdout, /Broken/);
    const json = JSON.parse((await cli('onprem-erp-basic', '--json', ...keys())).stdout) as CheckResult;
    assert.equal(json.firstFailure, undefined);
    assert.equal(json.warning?.hop, 'cloudConnector');
    assert.equal(json.warning?.status, 'warning');
    assert.equal(json.warning?.code, 'BTP_NOT_EXPOSED');
    assert.equal(json.hops.find((hop) => hop.hop === 'cloudConnector')?.status, 'warning');
    assertNoSecrets(exposed.stdout + exposed.stderr);
  });

  it("names the first broken hop and its fix; the exit code is the failing error's", async () => {
    const exposed = await cli('check-cli-hidden-tcp', ...keys());
    assert.equal(exposed.code, ExitCode.ServiceFailure);
    assert.match(exposed.stdout, /^✗ Cloud Connector +\S+ ms {2}The Cloud Connector does not expose hidden\.virtual:7000 /m);
    assert.match(exposed.stdout, /^– backend +not reached: an earlier hop failed$/m);
    assert.match(
      exposed.stdout,
      /^Broken at the Cloud Connector: Not exposed by the Cloud Connector \[BTP_NOT_EXPOSED\] \(\S+ ms\)\.\nFix: In the Cloud Connector, Cloud To On-Premise > Access Control: add virtual host "hidden\.virtual", port 7000, protocol TCP\./m,
    );

    const missing = await cli('no-such-destination', ...keys());
    assert.equal(missing.code, ExitCode.NotFound);
    assert.match(missing.stdout, /^✗ destination lookup/m);

    const foreign = await cli('onprem-tcp-db', '--key', join(dir, 'destination.json'), '--connectivity-key', join(dir, 'foreign-connectivity.json'));
    assert.equal(foreign.code, ExitCode.AccessDenied);
    assert.match(foreign.stdout, /\[BTP_CONNECTIVITY_AUTH\]/);
    for (const output of [exposed, missing, foreign]) assertNoSecrets(output.stdout + output.stderr);
  });

  it('--json prints the structured result with stable hop ids', async () => {
    const result = await cli('internet-basic', '--json', ...keys());
    assert.equal(result.code, ExitCode.Ok, result.stderr);
    const parsed = JSON.parse(result.stdout) as CheckResult;
    assert.equal(parsed.destination, 'internet-basic');
    assert.deepEqual(
      parsed.hops.map((hop) => `${hop.hop}:${hop.status}`),
      [
        'httpProxy:skipped',
        'tokenService:ok',
        'destinationLookup:ok',
        'authToken:ok',
        'tunnel:skipped',
        'connectivityProxy:skipped',
        'cloudConnector:skipped',
        'backend:ok',
        'tls:skipped',
        'response:ok',
      ],
    );
    assert.equal(parsed.status, 200);
    assert.doesNotMatch(result.stdout, /demo-password-1|ZGVtbzpkZW1vLXBhc3N3b3JkLTE/);
  });

  it('refuses a --tunnel it does not know and a missing name as usage of invalid input', async () => {
    const tunnel = await cli('onprem-erp-basic', '--tunnel', 'teleport', ...keys());
    assert.equal(tunnel.code, ExitCode.InvalidInput);
    assert.match(tunnel.stderr, /--tunnel "teleport" is not direct, cf-ssh:<app> or kubectl\[:<namespace>\]/);
    assert.equal((await cli(...keys())).code, ExitCode.InvalidInput);
  });
});

describe('btp-connect check (a real process)', () => {
  it('exits with the code of the failing hop and prints the report, without secrets', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src', 'cli', 'app', 'main.ts'), 'check', 'check-cli-hidden-tcp', ...keys()], {
      cwd: repoRoot,
      env: { ...process.env, NODE_OPTIONS: '', BTP_CONNECT_CONFIG_DIR: join(dir, 'config') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, ExitCode.ServiceFailure, stderr);
    assert.match(stdout, /^✗ Cloud Connector/m);
    assert.match(stdout, /^Fix: /m);
    assertNoSecrets(stdout + stderr);
  });
});
