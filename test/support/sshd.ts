import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync } from 'node:fs';
import { chmod, copyFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';

// A throwaway OpenSSH sshd on loopback for tunnel tests: its own config, host key and user key in a folder.
// CI installs openssh-server; elsewhere the tests that need it are skipped and say why (`sshdMissing`).

const sshdPath = '/usr/sbin/sshd';

/** Why a real-sshd test cannot run here, or false. */
export const sshdMissing: string | false = (() => {
  // macOS has an sshd at that path too, but this harness is written for Debian's OpenSSH (privilege separation in /run/sshd).
  if (process.platform !== 'linux') return `skipped: the throwaway sshd is set up for Linux's OpenSSH, not ${process.platform}'s`;
  if (!existsSync(sshdPath)) return `skipped: ${sshdPath} is missing (apt-get install openssh-server)`;
  try {
    execFileSync('sh', ['-c', 'command -v ssh && command -v ssh-keygen'], { stdio: 'ignore' });
    return false;
  } catch {
    return 'skipped: ssh or ssh-keygen is missing (apt-get install openssh-client)';
  }
})();

export interface Sshd {
  readonly port: number;
  /** The private key that logs in as `user`. */
  readonly key: string;
  readonly user: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts sshd in the foreground with everything in `dir` (mode 0700); resolves when it listens. */
export async function startSshd(dir: string): Promise<Sshd> {
  await chmod(dir, 0o700);
  for (const name of ['host_key', 'user_key']) execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', join(dir, name)]);
  await copyFile(join(dir, 'user_key.pub'), join(dir, 'authorized_keys'));
  await chmod(join(dir, 'authorized_keys'), 0o600);
  const port = await freePort();
  const config = [
    `Port ${port}`,
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
  const child: ChildProcess = spawn(sshdPath, ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes(`Server listening on 127.0.0.1 port ${port}`)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`sshd exited with ${code}: ${log}`)));
  });
  return {
    port,
    key: join(dir, 'user_key'),
    user: userInfo().username,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}
