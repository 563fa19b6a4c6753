// AC-05/AC-06 of docs/security.md: on a shared machine every HTTP forward requires a per-session token, so that
// other users of the same loopback cannot use the credentials it injects.
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { createLocalToken } from '../../src/core/forward/localToken';
import { requireLocalToken, sharedMachineReason } from '../../src/core/forward/sharedMachine';
import { ErrorCode, isBtpError } from '../../src/core/errors';
import { runCli } from '../support/cliHarness';
import { startSandboxFixture, type SandboxFixture } from '../support/sandboxFixture';
import { basicToken, rawExchange, startForwardHarness, statusOf } from '../support/forwardHarness';
import { posixFileModes } from '../support/platform';

describe('the local token of a forward (AC-06)', () => {
  it('has 256 bits and differs every time', () => {
    const tokens = new Set(Array.from({ length: 100 }, createLocalToken));
    assert.equal(tokens.size, 100);
    for (const token of tokens) assert.equal(Buffer.from(token, 'base64url').length, 32);
  });

  it('is required: without it 407 and nothing forwarded; with it as Bearer or as /~token prefix the request goes through, the token never upstream', async () => {
    const token = createLocalToken();
    const h = await startForwardHarness({ localToken: token });
    try {
      h.define('api', {}, [basicToken('configured', 'secret')]);
      const info = await h.start({ destination: 'api', allowWebSocket: true });
      assert.equal(info.tokenRequired, true);
      assert.equal(h.manager.urlForApps(info), `${info.localAddress}/~${token}`);
      assert.ok(!info.localAddress.includes(token), 'the address shown and logged has no token');
      const host = `Host: 127.0.0.1:${info.port}`;
      for (const attempt of [
        ['GET /x HTTP/1.1', host],
        ['GET /x HTTP/1.1', host, `Proxy-Authorization: Bearer ${token.slice(1)}x`],
        ['GET /x HTTP/1.1', host, `Proxy-Authorization: Basic ${token}`],
        [`GET /~${token.slice(0, -1)}/x HTTP/1.1`, host],
        [`GET /x?token=${token} HTTP/1.1`, host],
        ['GET /ws HTTP/1.1', host, 'Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=='],
      ]) {
        const { text } = await rawExchange(info.port, `${[...attempt, 'Connection: close'].join('\r\n')}\r\n\r\n`);
        assert.equal(statusOf(text), 407, attempt.join(' | '));
        assert.ok(!text.includes(token.slice(4, 20)), 'the refusal does not echo the token');
      }
      // Not a byte: the connection the forward opened at start carries nothing until an admitted request.
      assert.equal(h.upstream.bytesReceived(), 0);
      const viaHeader = await request(`${info.localAddress}/x`, { headers: { 'proxy-authorization': `Bearer ${token}` } });
      await viaHeader.body.dump();
      assert.equal(viaHeader.statusCode, 200);
      const viaPath = await request(`${h.manager.urlForApps(info)}/y?z=1`);
      await viaPath.body.dump();
      assert.equal(viaPath.statusCode, 200);
      assert.deepEqual(
        h.upstream.requests.map((seen) => seen.url),
        ['/base/x', '/base/y?z=1'],
      );
      for (const seen of h.upstream.requests) {
        assert.ok(!JSON.stringify(seen.headers).includes(token), 'the token is not sent upstream');
        assert.equal(seen.headers.authorization, `Basic ${Buffer.from('configured:secret').toString('base64')}`);
      }
      assert.ok(!h.logLines.join('\n').includes(token), 'the log never has the token');
    } finally {
      await h.close();
    }
  });

  it('TCP forwards refuse to start while a token is required, saying why', async () => {
    const h = await startForwardHarness({ localToken: createLocalToken() });
    try {
      h.define('db', { Type: 'TCP', Address: '127.0.0.1:5432' });
      await assert.rejects(
        h.start({ destination: 'db' }),
        (error: unknown) => isBtpError(error, ErrorCode.Unsupported) && /cannot check the local token/.test(error.message),
      );
    } finally {
      await h.close();
    }
  });

  it('auto: on for SSH sessions, VS Code remote hosts and several logged-in users; off on a single-user machine', () => {
    const single = () => ['1000'];
    assert.equal(sharedMachineReason({ env: {}, runtimeUsers: single }), undefined);
    assert.match(sharedMachineReason({ env: { SSH_CONNECTION: '10.0.0.1 5000 10.0.0.2 22' }, runtimeUsers: single }) ?? '', /SSH/);
    assert.match(sharedMachineReason({ env: {}, remoteName: 'ssh-remote', runtimeUsers: single }) ?? '', /remote host/);
    assert.match(sharedMachineReason({ env: {}, runtimeUsers: () => ['1000', '1001', 'not-a-uid'] }) ?? '', /2 users/);
    assert.equal(sharedMachineReason({ env: {}, remoteName: 'dev-container', runtimeUsers: single }), undefined);
    assert.deepEqual(requireLocalToken('off', { env: { SSH_CLIENT: 'x' } }).required, false);
    assert.deepEqual(requireLocalToken('on', { env: {}, runtimeUsers: single }).required, true);
  });
});

describe('btp-connect forward --local-token on', () => {
  let f: SandboxFixture;
  let dir: string;
  before(async () => {
    f = await startSandboxFixture();
    dir = await mkdtemp(join(tmpdir(), 'btp-token-'));
    await writeFile(join(dir, 'destination.json'), JSON.stringify(f.sandbox.keys.destination));
  });
  after(async () => {
    await f.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the token to a 0600 file (never to the output), requires it, and deletes the file when stopped', async () => {
    const config = join(dir, 'config');
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    let output = '';
    let checked: Promise<void> | undefined;
    const tokenFile = join(config, `forward-token-${process.pid}`);
    const run = runCli(['forward', 'internet-basic', '--key', 'destination.json', '--local-token', 'on'], {
      cwd: dir,
      env: { BTP_CONNECT_CONFIG_DIR: config },
      stopped,
      onStdout: (text) => {
        output += text;
        if (checked || !output.includes('Press Ctrl-C to stop.')) return;
        checked = (async () => {
          try {
            const address = /^(http:\/\/127\.0\.0\.1:\d+)\s+→/m.exec(output)?.[1];
            assert.ok(address, output);
            if (posixFileModes) {
              assert.equal(statSync(tokenFile).mode & 0o777, 0o600);
              assert.equal(statSync(config).mode & 0o777, 0o700);
            }
            const token = await readFile(tokenFile, 'utf8');
            assert.ok(!output.includes(token), 'the token is not printed');
            assert.match(output, /local token \(the setting says so\); it is in .*forward-token/);
            const refused = await request(`${address}/x`);
            await refused.body.dump();
            assert.equal(refused.statusCode, 407);
            const ok = await request(`${address}/~${token}/x`);
            const echoed = (await ok.body.json()) as { path: string };
            assert.equal(ok.statusCode, 200);
            assert.equal(echoed.path, '/internet-basic/x');
          } finally {
            stop();
          }
        })();
      },
    });
    const result = await run;
    await checked;
    assert.equal(result.code, 0, result.stderr);
    assert.equal(existsSync(tokenFile), false, 'the token file is gone with the forwards');
  });
});
