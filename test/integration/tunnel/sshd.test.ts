import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync } from 'node:fs';
import { chmod, copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TunnelSupervisor } from '../../../src/core/tunnel';
import { captureLogger, exchange, isAlive, portIsFree, recordStates, startEchoServer, type EchoServer } from './harness';

// The supervisor around a real tunnel program: OpenSSH `ssh -N -L` against a throwaway `sshd` on loopback,
// in `command` mode. CI installs openssh-server; elsewhere the test is skipped and says why (at the test, not the
// suite: node's totals count a skipped suite nowhere, and CI's REQUIRE_NO_SKIPS=1 makes the skip fatal).

const sshdPath = '/usr/sbin/sshd';
const hasSsh = (() => {
  try {
    execFileSync('sh', ['-c', 'command -v ssh && command -v ssh-keygen'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const skip = !existsSync(sshdPath)
  ? `skipped: ${sshdPath} is missing (apt-get install openssh-server)`
  : !hasSsh
    ? 'skipped: ssh or ssh-keygen is missing (apt-get install openssh-client)'
    : false;

let dir: string;
let sshd: ChildProcess | undefined;
let sshdPort: number;
let echo: EchoServer;

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts sshd in the foreground with its config, keys and pid file in `dir`; resolves when it listens. */
async function startSshd(): Promise<void> {
  for (const name of ['host_key', 'user_key']) {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', join(dir, name)]);
  }
  await copyFile(join(dir, 'user_key.pub'), join(dir, 'authorized_keys'));
  await chmod(join(dir, 'authorized_keys'), 0o600);
  sshdPort = await freePort();
  const config = [
    `Port ${sshdPort}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${join(dir, 'host_key')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    'UsePAM no',
    'PermitRootLogin yes',
    'StrictModes no',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'AllowTcpForwarding yes',
  ];
  await writeFile(join(dir, 'sshd_config'), `${config.join('\n')}\n`);
  // Run as root, sshd insists on its privilege-separation directory, which only the ssh service creates.
  if (process.getuid?.() === 0 && !existsSync('/run/sshd')) mkdirSync('/run/sshd', { mode: 0o755 });
  const child = spawn(sshdPath, ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
  sshd = child;
  let log = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes(`Server listening on 127.0.0.1 port ${sshdPort}`)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`sshd exited with ${code}: ${log}`)));
  });
}

describe('tunnel through a real OpenSSH sshd', { timeout: 30_000 }, () => {
  before(async () => {
    if (skip) return;
    dir = await mkdtemp(join(tmpdir(), 'btp-tunnel-sshd-'));
    await chmod(dir, 0o700);
    echo = await startEchoServer('behind-sshd');
    await startSshd();
  });
  after(async () => {
    if (skip) return;
    if (sshd && sshd.exitCode === null) {
      const exited = once(sshd, 'exit');
      sshd.kill('SIGTERM');
      await exited;
    }
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
          '-L', '127.0.0.1:{childPort0}:{host0}:{port0}',
          '-p', String(sshdPort),
          '-i', join(dir, 'user_key'),
          '-F', '/dev/null',
          '-o', 'StrictHostKeyChecking=no',
          '-o', 'UserKnownHostsFile=/dev/null',
          '-o', 'BatchMode=yes',
          '-o', 'ExitOnForwardFailure=yes',
          '-o', 'LogLevel=ERROR',
          `${userInfo().username}@127.0.0.1`,
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
