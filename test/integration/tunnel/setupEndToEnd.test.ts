import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { parseCredentials } from '../../../src/core/bindings/parseCredentials';
import type { ConnectivityBinding, DestinationBinding } from '../../../src/core/bindings/types';
import { ConnectionStore } from '../../../src/core/connections/connectionStore';
import { MemorySecretStore } from '../../support/memorySecretStore';
import { ExitCode } from '../../../src/cli/exitCodes';
import { runCli, runForwardUntil } from '../../support/cliHarness';
import { startFakeCloud, type FakeCloud } from '../../support/fakeCloudHarness';
import { startSandboxFixture, type SandboxFixture } from '../../support/sandboxFixture';
import { sshdMissing, startSshd, type Sshd } from '../../support/sshd';
import { openClient } from '../../support/tunnelHarness';

// The whole way on "real BTP": the connection's connectivity key names a proxy this machine cannot reach
// (127.0.0.2: loopback, but nothing listens there, as connectivityproxy.internal.cf… answers nothing from a laptop).
// An OnPremise forward fails with the one command to run; `tunnel setup --cf --yes` creates the tunnel app through the
// fake cf; then the forward's `cf ssh -L` is a real OpenSSH `ssh -N -L` through a throwaway sshd (the app's
// container) to the sandbox's connectivity proxy, and the on-premise system answers through the Cloud Connector.

const partners = '/sap/opu/odata/sap/API_BUSINESS_PARTNER/A_BusinessPartner';
const unreachableProxy = '127.0.0.2';

let f: SandboxFixture;
let dir: string;
let sshd: Sshd;
let cloud: FakeCloud;
let secrets: MemorySecretStore;
let env: Record<string, string>;

/** Processes still running with `text` on their command line (Linux /proc). */
function processesWith(text: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmdline.includes(text) && Number(pid) !== process.pid) found.push(`${pid}: ${cmdline}`);
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

describe(
  'tunnel setup, end to end through a real sshd',
  { timeout: 60_000, skip: sshdMissing || (process.platform !== 'linux' && 'skipped: 127.0.0.2 is a loopback address only on Linux') },
  () => {
    before(async () => {
      f = await startSandboxFixture();
      dir = await mkdtemp(join(tmpdir(), 'btp-tunnel-e2e-'));
      sshd = await startSshd(dir);
      cloud = await startFakeCloud({
        // The app's container (the sshd) reaches the proxy, which the key names 127.0.0.2, at the sandbox's address.
        FAKE_CF_SSH_HOSTS: JSON.stringify({ [unreachableProxy]: '127.0.0.1' }),
        FAKE_CF_SSHD: JSON.stringify({ port: sshd.port, key: sshd.key, user: sshd.user }),
      });
      await cloud.setCf({ services: [{ name: 'connectivity', offering: 'connectivity', plan: 'lite' }], apps: [] });
      secrets = new MemorySecretStore();
      await new ConnectionStore(secrets, dir).add('dev', {
        destination: parseCredentials(f.sandbox.keys.destination, { expected: 'destination' }) as DestinationBinding,
        connectivity: parseCredentials(
          { ...f.sandbox.keys.connectivity, onpremise_proxy_host: unreachableProxy },
          { expected: 'connectivity' },
        ) as ConnectivityBinding,
      });
      env = { ...cloud.env, BTP_CONNECT_CONFIG_DIR: dir, BTP_CONNECT_LOCAL_TOKEN: 'off' };
    });
    after(async () => {
      await sshd?.stop();
      await cloud?.close();
      await f?.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('fails without a tunnel and names the command; after `tunnel setup --cf --yes` the forward reaches the on-premise system; `tunnel remove` deletes the app', async () => {
      // 1. No tunnel: the forward answers 502 BTP_PROXY_UNREACHABLE and the CLI prints the one command, once.
      const before = await runForwardUntil(['onprem-erp-basic', 'onprem-tcp-db', '--connection', 'dev'], { cwd: dir, env, secrets }, async ([erp]) => {
        for (let attempt = 0; attempt < 2; attempt++) {
          const answer = await request(`${erp}${partners}`);
          assert.equal(answer.statusCode, 502);
          assert.equal(((await answer.body.json()) as { error: { code: string } }).error.code, 'BTP_PROXY_UNREACHABLE');
        }
      });
      assert.equal(before.code, ExitCode.Ok, before.stderr);
      assert.equal(
        before.stdout.match(/^The connectivity proxy cannot be reached from here\. Set up a tunnel once: btp-connect tunnel setup --connection dev$/gm)?.length,
        1,
        before.stdout,
      );
      const check = await runCli(['check', 'onprem-erp-basic', '--connection', 'dev', '--path', partners], { cwd: dir, env, secrets });
      assert.equal(check.code, ExitCode.ServiceFailure, check.stdout);
      assert.match(check.stdout, /^Set up a tunnel once: btp-connect tunnel setup --connection dev$/m);

      // 2. The setup creates the tunnel app through cf and saves the tunnel.
      const setup = await runCli(['tunnel', 'setup', '--cf', '--yes', '--connection', 'dev'], { cwd: dir, env, secrets });
      assert.equal(setup.code, ExitCode.Ok, setup.stderr);
      assert.match(setup.stdout, /^Tunnel of connection "dev": cf-ssh:btp-connect-tunnel\.$/m);

      // 3. Forwards of the connection now go through `cf ssh` (a real ssh -L via the sshd) to the sandbox's proxy.
      const through = await runForwardUntil(['onprem-erp-basic', 'onprem-tcp-db', '--connection', 'dev'], { cwd: dir, env, secrets }, async ([erp, db]) => {
        const answer = await request(`${erp}${partners}`);
        assert.equal(answer.statusCode, 200);
        assert.match(await answer.body.text(), /BusinessPartner/);
        const [host, port] = (db ?? '').split(':');
        assert.equal(host, '127.0.0.1');
        const line = await openClient(Number(port));
        line.socket.write('PING\r\n');
        assert.equal(await line.readLine(), 'PONG');
        line.socket.destroy();
        // It is OpenSSH that carries it: `cf ssh` ran `ssh -N -L …` with the sshd's key.
        assert.ok(
          processesWith(sshd.key).some((entry) => / ssh -N -L 127\.0\.0\.1:\d+:127\.0\.0\.1:/.test(entry)),
          processesWith(sshd.key).join('\n'),
        );
      });
      assert.equal(through.code, ExitCode.Ok, through.stderr);
      assert.match(through.stdout, /^Tunnel: cf-ssh:btp-connect-tunnel, saved for connection "dev" \(--tunnel direct goes without it\)\.$/m);
      const ssh = cloud.lines().filter((line) => line.startsWith('cf ssh '));
      assert.equal(ssh.length, 1);
      const { httpPort, socks5Port } = parseCredentials(f.sandbox.keys.connectivity, { expected: 'connectivity' }) as ConnectivityBinding;
      assert.match(
        ssh[0] ?? '',
        new RegExp(
          `^cf ssh btp-connect-tunnel -N -T -L 127\\.0\\.0\\.1:\\d+:127\\.0\\.0\\.2:${httpPort} -L 127\\.0\\.0\\.1:\\d+:127\\.0\\.0\\.2:${socks5Port}$`,
        ),
      );
      // The check uses the saved tunnel too, and every hop works.
      const healthy = await runCli(['check', 'onprem-erp-basic', '--connection', 'dev', '--path', partners], { cwd: dir, env, secrets });
      assert.equal(healthy.code, ExitCode.Ok, healthy.stdout);

      // 4. Removal deletes the app; no ssh or cf child is left over.
      const removed = await runCli(['tunnel', 'remove', '--yes', '--connection', 'dev'], { cwd: dir, env, secrets });
      assert.equal(removed.code, ExitCode.Ok, removed.stderr);
      assert.deepEqual(cloud.cf().apps, []);
      assert.deepEqual(processesWith(sshd.key), []);
    });
  },
);
