import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TunnelSupervisor } from '../../../src/core/tunnel/supervisor';
import { startSshd, sshdMissing, type Sshd } from '../../support/sshd';
import { captureLogger, exchange, isAlive, portIsFree, recordStates, startEchoServer, type EchoServer } from '../../support/tunnelHarness';

// The supervisor around a real tunnel program: OpenSSH `ssh -N -L` against a throwaway `sshd` on loopback,
// in `command` mode. CI installs openssh-server; elsewhere the test is skipped and says why (at the test, not the
// suite: node's totals count a skipped suite nowhere, and CI's REQUIRE_NO_SKIPS=1 makes the skip fatal).

const skip = sshdMissing;

let dir: string;
let sshd: Sshd | undefined;
let echo: EchoServer;

describe('tunnel through a real OpenSSH sshd', { timeout: 30_000 }, () => {
  before(async () => {
    if (skip) return;
    dir = await mkdtemp(join(tmpdir(), 'btp-tunnel-sshd-'));
    echo = await startEchoServer('behind-sshd');
    sshd = await startSshd(dir);
  });
  after(async () => {
    if (skip) return;
    await sshd?.stop();
    await echo?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('ssh -N -L in command mode: ready, data flows, a killed ssh is replaced, stop() ends it and frees the ports', { skip }, async () => {
    const { logger } = captureLogger();
    const tunnel = new TunnelSupervisor({
      mode: {
        kind: 'command',
        command: 'ssh',
        args: [
          '-N',
          '-L',
          '127.0.0.1:{childPort0}:{host0}:{port0}',
          '-p',
          String(sshd?.port),
          '-i',
          sshd?.key ?? '',
          '-F',
          '/dev/null',
          '-o',
          'StrictHostKeyChecking=no',
          '-o',
          'UserKnownHostsFile=/dev/null',
          '-o',
          'BatchMode=yes',
          '-o',
          'ExitOnForwardFailure=yes',
          '-o',
          'LogLevel=ERROR',
          `${sshd?.user}@127.0.0.1`,
        ],
      },
      targets: [{ host: '127.0.0.1', port: echo.port }],
      logger,
      startupFailureWindowMs: 0,
      backoff: { initialMs: 50, jitter: 0 },
    });
    const states = recordStates(tunnel);
    try {
      await tunnel.start();
      const local = tunnel.endpoints[0]?.port ?? 0;
      assert.deepEqual(await exchange(local, 'through sshd'), { greeting: 'hello from behind-sshd', echo: 'through sshd' });
      const payload = 'y'.repeat(256 * 1024);
      assert.equal((await exchange(local, payload)).echo, payload);

      const first = tunnel.pid ?? 0;
      const from = states.entries.length;
      process.kill(first, 'SIGKILL');
      await states.next('reconnecting', 2000, from);
      await states.next('ready', 10_000, from);
      assert.notEqual(tunnel.pid, first);
      assert.equal((await exchange(local, 'after restart')).echo, 'after restart');

      const second = tunnel.pid ?? 0;
      await tunnel.stop();
      assert.equal(isAlive(second), false);
      assert.ok(await portIsFree(local));
    } finally {
      await tunnel.stop();
    }
  });
});
