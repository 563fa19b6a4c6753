import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { ExitCode } from '../../../src/cli/exitCodes';
import type { BtpError } from '../../../src/core/errors';
import { ErrorCode, isBtpError } from '../../../src/core/errors';
import { ForwardManager, type ForwardInfo } from '../../../src/core/forward/forwardManager';
import { rfcSettingsText } from '../../../src/core/forward/notForwardable';
import { ALL_DESTINATIONS } from '../../../src/core/forward/router';
import { runCli } from '../../support/cliHarness';
import { startSandboxFixture, type SandboxFixture } from '../../support/sandboxFixture';

// What a laptop cannot reach: PrivateLink endpoints (inside BTP only) and RFC (not HTTP, not a TCP stream). Each
// gets its own code and says what to use instead; RFC comes with the node-rfc/JCo settings to copy, never the password.

let f: SandboxFixture;
let manager: ForwardManager;
let all: ForwardInfo;
let dir: string;

before(async () => {
  f = await startSandboxFixture();
  await f.client.create('subaccount', {
    Name: 'private-api',
    Type: 'HTTP',
    URL: 'https://api.private.example',
    ProxyType: 'PrivateLink',
    Authentication: 'NoAuthentication',
  });
  manager = new ForwardManager({ client: f.client });
  all = await manager.start({ destination: ALL_DESTINATIONS });
  dir = await mkdtemp(join(tmpdir(), 'btp-rfc-cli-'));
  await writeFile(join(dir, 'destination.json'), JSON.stringify(f.sandbox.keys.destination));
});
after(async () => {
  await manager.dispose();
  await f.close();
  await rm(dir, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>): Promise<BtpError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isBtpError(error), String(error));
    return error;
  }
  assert.fail('did not fail');
}

describe('destinations a forward cannot carry', () => {
  it('PrivateLink: BTP_PRIVATE_LINK names what a laptop cannot do and what to use instead', async () => {
    const error = await rejection(manager.start({ destination: 'private-api' }));
    assert.equal(error.code, ErrorCode.PrivateLinkOnly);
    assert.match(error.message, /reachable only from applications running in BTP/);
    assert.match(error.message, /public endpoint/);
    assert.equal(error.field, 'ProxyType');
  });

  it('RFC: BTP_RFC_DESTINATION with the node-rfc settings to copy, without the password', async () => {
    const error = await rejection(manager.start({ destination: 'onprem-rfc' }));
    assert.equal(error.code, ErrorCode.RfcDestination);
    assert.match(error.message, /node-rfc/);
    const text = String(error.details?.copyText);
    for (const line of [
      'ashost: "erp.virtual",',
      'sysnr: "00",',
      'client: "100",',
      'user: "RFCUSER",',
      'lang: "EN",',
      'passwd: process.env.RFC_PASSWORD',
      'jco.client.ashost=erp.virtual',
    ])
      assert.ok(text.includes(line), `${line} in\n${text}`);
    assert.match(text, /Cloud Connector virtual hosts/);
  });

  it('the settings never carry a password or secret, also when the destination was read with its credentials', async () => {
    const full = await f.client.find('onprem-rfc');
    assert.equal(full?.destinationConfiguration['jco.client.passwd'], 'rfc-password-1');
    const text = rfcSettingsText('onprem-rfc', { ...(full?.destinationConfiguration ?? {}), 'jco.client.mysapsso2': 'ticket-value' });
    assert.doesNotMatch(text, /rfc-password-1|ticket-value/);
    assert.match(text, /jco\.client\.passwd=<not shown/);
  });

  it('through one port: both answer with their code', async () => {
    for (const [name, code] of [
      ['private-api', ErrorCode.PrivateLinkOnly],
      ['onprem-rfc', ErrorCode.RfcDestination],
    ] as const) {
      const response = await request(`${all.localAddress}/${name}/x`);
      const body = (await response.body.json()) as { error: { code: string; message: string } };
      assert.equal(body.error.code, code, name);
      assert.ok(response.statusCode >= 500, name);
    }
  });

  it('btp-connect forward prints the RFC settings on stdout to copy, and fails with the code', async () => {
    const result = await runCli(['forward', 'onprem-rfc', '--key', 'destination.json'], { cwd: dir, env: { BTP_CONNECT_LOCAL_TOKEN: 'off' } });
    assert.equal(result.code, ExitCode.InvalidInput, result.stderr);
    assert.match(result.stderr, /\[BTP_RFC_DESTINATION\]/);
    assert.match(result.stdout, /const client = new Client\(\{/);
    assert.match(result.stdout, /ashost: "erp\.virtual"/);
    assert.doesNotMatch(result.stdout + result.stderr, /rfc-password-1/);
  });
});
