import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { Client, InvalidCredentialsError } from 'ldapts';
import { ExitCode } from '../../../src/cli/exitCodes';
import { parseCredentials } from '../../../src/core/bindings/parseCredentials';
import type { ConnectivityBinding } from '../../../src/core/bindings/types';
import { ConnectivityAccess } from '../../../src/core/connectivity/connectivityAccess';
import { ForwardManager } from '../../../src/core/forward/forwardManager';
import { createLogger, type Logger } from '../../../src/core/log';
import { defaultSlapdPath } from '../../../src/sandbox/onPremise/ldap';
import { directoryReader } from '../../../src/sandbox/onPremise/ldap/tree';
import { runCli, runForwardUntil } from '../../support/cliHarness';
import { connectivityToken, socksOpen, socksReply } from '../../support/connectivityClient';
import { listeningSocketsOfProcess } from '../../support/listeningSockets';
import { startSandboxFixture, type SandboxFixture } from '../../support/sandboxFixture';

// The seeded `onprem-ldap` destination reaches a real directory: OpenLDAP's slapd (Debian's `slapd`), started by
// the sandbox, behind its Cloud Connector. Real LDAP clients (ldapts, OpenLDAP's ldapsearch) bind with the
// destination's own credentials and search through OnPremise forwards (SOCKS5 → connectivity proxy → Cloud
// Connector → gate → slapd). Without slapd the sandbox says so in one line and the mapping is unreachable.

const slapdMissing = existsSync(defaultSlapdPath) ? false : `slapd is not installed (no ${defaultSlapdPath}; apt-get install slapd)`;
const exec = promisify(execFile);
const suffix = 'dc=example,dc=com';

function capturingLogger(): { logger: Logger; lines: { level: string; text: string }[] } {
  const lines: { level: string; text: string }[] = [];
  return { lines, logger: createLogger((level, prefix, message) => lines.push({ level, text: `${prefix} ${message}` })) };
}

async function withClient<T>(address: string, use: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ url: `ldap://${address}`, timeout: 20_000, connectTimeout: 20_000 });
  try {
    return await use(client);
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

describe('the sandbox LDAP directory (OpenLDAP slapd) behind the Cloud Connector', () => {
  let root: string;
  let directory: string;
  let f: SandboxFixture;
  let connectivity: ConnectivityAccess;
  let manager: ForwardManager;
  let forwardAddress: string;
  let reader: { dn: string; password: string };
  const keys = ['--key', 'destination.json', '--connectivity-key', 'connectivity.json'];
  const env = { BTP_CONNECT_LOCAL_TOKEN: 'off' };

  before(async () => {
    if (slapdMissing) return;
    root = await mkdtemp(join(tmpdir(), 'btp-ldap-sandbox-'));
    directory = join(root, 'sandbox');
    f = await startSandboxFixture({ directory });
    await writeFile(join(root, 'destination.json'), JSON.stringify(f.sandbox.keys.destination));
    await writeFile(join(root, 'connectivity.json'), JSON.stringify(f.sandbox.keys.connectivity));
    connectivity = new ConnectivityAccess(parseCredentials(f.sandbox.keys.connectivity, { expected: 'connectivity' }) as ConnectivityBinding, f.agents);
    manager = new ForwardManager({ client: f.client, connectivity });
    forwardAddress = (await manager.start({ destination: 'onprem-ldap' })).localAddress;
    // The credentials a client of the destination uses: the destination's own properties, as find-destination returns them.
    const found = (await f.client.find('onprem-ldap'))?.destinationConfiguration;
    reader = { dn: String(found?.['ldap.user']), password: String(found?.['ldap.password']) };
  });
  after(async () => {
    if (slapdMissing) return;
    await manager?.dispose();
    await connectivity?.close();
    await f?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it(
    'ldapts binds with the destination’s ldap.user and ldap.password and searches the seeded tree through an OnPremise forward',
    { skip: slapdMissing },
    async () => {
      await withClient(forwardAddress, async (client) => {
        await client.bind(reader.dn, reader.password);
        const people = await client.search(suffix, { filter: '(objectClass=inetOrgPerson)', attributes: ['uid', 'mail', 'title'] });
        assert.deepEqual(people.searchEntries.map((entry) => `${String(entry.uid)} ${String(entry.mail)} ${String(entry.title)}`).sort(), [
          'alice alice@example.com Developer',
          'bob bob@example.com Developer',
          'carol carol@example.com Sales Manager',
        ]);
        const groups = await client.search(`ou=groups,${suffix}`, { filter: `(member=uid=alice,ou=people,${suffix})`, attributes: ['cn'] });
        assert.deepEqual(
          groups.searchEntries.map((entry) => entry.dn),
          [`cn=developers,ou=groups,${suffix}`],
        );
        // The directory's access control holds: the reader binds with a password but never reads one.
        const self = await client.search(reader.dn, { scope: 'base', attributes: ['userPassword', 'cn'] });
        assert.deepEqual(
          self.searchEntries.map((entry) => [entry.cn, [entry.userPassword ?? []].flat().length]),
          [['reader', 0]],
        );
      });
      // slapd runs in the sandbox folder and listens on no TCP port: its only listener is the Unix socket there.
      const pid = f.sandbox.onPremise.directory.slapdPid;
      assert.ok(pid, 'slapd runs');
      assert.deepEqual(await listeningSocketsOfProcess(pid), []);
      assert.ok(existsSync(join(directory, 'ldap', 'ldapi')), 'the socket is in <sandbox>/ldap');
    },
  );

  it('a wrong password gets invalidCredentials (49) from slapd', { skip: slapdMissing }, async () => {
    await withClient(forwardAddress, async (client) => {
      await assert.rejects(client.bind(reader.dn, `${reader.password}-wrong`), (error: unknown) => {
        assert.ok(error instanceof InvalidCredentialsError, String(error));
        assert.equal(error.code, 49);
        return true;
      });
      // Anonymous binds work, and see nothing of the tree.
      await client.bind('', '');
      const anonymous = await client.search(suffix, { filter: '(objectClass=*)' }).catch((error: Error) => error);
      assert.ok(anonymous instanceof Error || anonymous.searchEntries.length === 0, 'anonymous reads nothing');
    });
  });

  it('ldapsearch through `btp-connect forward onprem-ldap`, and `check onprem-ldap` is green', { skip: slapdMissing }, async () => {
    const passwordFile = join(root, 'ldap-password');
    await writeFile(passwordFile, reader.password, { mode: 0o600 });
    const forward = await runForwardUntil(['onprem-ldap', ...keys], { cwd: root, env }, async ([address]) => {
      // The password from a file (-y), never in argv.
      const { stdout } = await exec(
        'ldapsearch',
        ['-x', '-LLL', '-H', `ldap://${address}`, '-D', reader.dn, '-y', passwordFile, '-b', `ou=people,${suffix}`, '(uid=carol)', 'cn', 'mail'],
        { timeout: 30_000 },
      );
      assert.equal(stdout, `dn: uid=carol,ou=people,${suffix}\ncn: Carol Clark\nmail: carol@example.com\n\n`);
      const wrong = await exec('ldapsearch', ['-x', '-LLL', '-H', `ldap://${address}`, '-D', reader.dn, '-w', 'not-the-password', '-b', suffix], {
        timeout: 30_000,
      }).catch((error: { code?: number; stderr?: string }) => error);
      assert.equal((wrong as { code?: number }).code, 49, JSON.stringify(wrong));
      assert.match(String((wrong as { stderr?: string }).stderr), /Invalid credentials \(49\)/);
    });
    assert.equal(forward.code, ExitCode.Ok, forward.stderr);
    assert.match(forward.stdout, /→ onprem-ldap \(TCP, OnPremise via the connectivity proxy\)/);

    const check = await runCli(['check', 'onprem-ldap', ...keys], { cwd: root, env });
    assert.equal(check.code, ExitCode.Ok, check.stdout);
    assert.match(check.stdout, /^✓ Cloud Connector/m);
  });
});

describe('the sandbox LDAP directory’s lifetime', () => {
  it(
    'slapd starts on demand, and the sandbox’s close() ends it and removes its folder',
    { skip: slapdMissing || (process.platform !== 'linux' && 'needs /proc') },
    async () => {
      const f = await startSandboxFixture();
      let pid: number | undefined;
      let folder: string | undefined;
      try {
        assert.equal(f.sandbox.onPremise.directory.slapdPid, undefined, 'no slapd before the first LDAP connection');
        await f.sandbox.onPremise.directory.ready();
        pid = f.sandbox.onPremise.directory.slapdPid;
        assert.ok(pid);
        const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
        folder = dirname(argv[argv.indexOf('-f') + 1] ?? '');
        assert.match(folder, /btp-ldap-/);
        assert.ok(existsSync(join(folder, 'ldapi')));
      } finally {
        await f.close();
      }
      // close() resolves after the watchdog has seen slapd exit: no wait needed.
      assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' });
      assert.equal(existsSync(folder), false, `${folder} removed`);
    },
  );
});

describe('the sandbox LDAP directory after slapd dies', () => {
  it('a killed slapd is logged, and the next LDAP connection starts a new one', { skip: slapdMissing }, async () => {
    let crashed: (line: string) => void = () => undefined;
    const crashLine = new Promise<string>((resolve) => (crashed = resolve));
    const logger = createLogger((level, _prefix, message) => {
      if (level === 'error' && /slapd ended unexpectedly/.test(message)) crashed(message);
    });
    const f = await startSandboxFixture({ logger });
    const connectivity = new ConnectivityAccess(parseCredentials(f.sandbox.keys.connectivity, { expected: 'connectivity' }) as ConnectivityBinding, f.agents);
    const manager = new ForwardManager({ client: f.client, connectivity });
    try {
      const { localAddress } = await manager.start({ destination: 'onprem-ldap' });
      const bind = () => withClient(localAddress, (client) => client.bind(directoryReader.dn, directoryReader.password).then(() => 'bound'));
      assert.equal(await bind(), 'bound');
      const first = f.sandbox.onPremise.directory.slapdPid;
      assert.ok(first);
      process.kill(first, 'SIGKILL');
      assert.match(await crashLine, /signal SIGKILL\); the next LDAP connection starts it again/);
      assert.equal(await bind(), 'bound');
      const second = f.sandbox.onPremise.directory.slapdPid;
      assert.ok(second && second !== first, `a new slapd (${first} → ${second})`);
    } finally {
      await manager.dispose();
      await connectivity.close();
      await f.close();
    }
  });
});

describe('the sandbox LDAP directory where slapd cannot run', () => {
  it('without slapd the sandbox starts, says so in one line with the install command, and ldap.virtual:389 is unreachable', async () => {
    const root = await mkdtemp(join(tmpdir(), 'btp-ldap-missing-'));
    const { logger, lines } = capturingLogger();
    const f = await startSandboxFixture({ slapdPath: join(root, 'no-slapd-here'), logger });
    try {
      const said = lines.filter((line) => /slapd/.test(line.text));
      assert.equal(said.length, 1, JSON.stringify(lines));
      assert.equal(said[0]?.level, 'warn');
      assert.match(
        said[0]?.text ?? '',
        /No on-premise LDAP directory: slapd is not installed \(no .*no-slapd-here\)\. Install OpenLDAP's server \(apt install slapd\) and start the sandbox again; until then ldap\.virtual:389 \(onprem-ldap\) is unreachable\./,
      );
      assert.equal(f.sandbox.onPremise.directory.port, 0);
      // As a backend that is down: SOCKS5 REP 0x04 (host unreachable), not "no mapping" (0x02).
      const { client, reply } = await socksOpen(f.sandbox.connectivity.socks5Port, await connectivityToken(f), 'ldap.virtual', 389);
      client.close();
      assert.deepEqual(reply, socksReply(0x04));
    } finally {
      await f.close();
      await rm(root, { recursive: true, force: true });
    }
  });

  it('`btp-connect sandbox --slapd <missing>` prints that one line on stderr and runs', async () => {
    const root = await mkdtemp(join(tmpdir(), 'btp-ldap-cli-'));
    try {
      const result = await runCli(['sandbox', '--dir', join(root, 'sandbox'), '--port-base', '0', '--slapd', 'no-slapd-here'], { cwd: root, env: {} });
      assert.equal(result.code, ExitCode.Ok, result.stderr);
      assert.deepEqual(
        result.stderr.split('\n').filter((line) => /slapd/.test(line)),
        [
          `[warn on-premise:ldap] No on-premise LDAP directory: slapd is not installed (no ${join(root, 'no-slapd-here')}). Install OpenLDAP's server (apt install slapd) and start the sandbox again; until then ldap.virtual:389 (onprem-ldap) is unreachable.`,
        ],
      );
      assert.match(result.stdout, /BTP Connect sandbox is running/);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('a slapd that fails to start is reported with its own stderr lines, to the log and to the LDAP client', { skip: slapdMissing }, async () => {
    const root = await mkdtemp(join(tmpdir(), 'btp-ldap-broken-'));
    // The real slapd, handed a configuration it rejects: the server run (-f first) gets one line slapd does not know.
    const wrapper = join(root, 'slapd');
    await writeFile(wrapper, `#!/bin/sh\nif [ "$1" = "-f" ]; then echo "bogus-directive on" >> "$2"; fi\nexec ${defaultSlapdPath} "$@"\n`);
    await chmod(wrapper, 0o755);
    const { logger, lines } = capturingLogger();
    const f = await startSandboxFixture({ slapdPath: wrapper, logger });
    const connectivity = new ConnectivityAccess(parseCredentials(f.sandbox.keys.connectivity, { expected: 'connectivity' }) as ConnectivityBinding, f.agents);
    const manager = new ForwardManager({ client: f.client, connectivity });
    try {
      const forward = await manager.start({ destination: 'onprem-ldap' });
      const bind = await withClient(forward.localAddress, (client) =>
        client.bind('cn=reader,dc=example,dc=com', 'ldap-password-1').then(
          () => 'bound',
          (error: Error) => error.message,
        ),
      );
      assert.notEqual(bind, 'bound');
      const failure = lines.find((line) => line.level === 'error' && /could not start/.test(line.text));
      assert.ok(failure, JSON.stringify(lines));
      assert.match(failure.text, /slapd exited with code 1 before it was ready: .*unknown directive <bogus-directive>/);
      await assert.rejects(f.sandbox.onPremise.directory.ready(), /unknown directive <bogus-directive>/);
    } finally {
      await manager.dispose();
      await connectivity.close();
      await f.close();
      await rm(root, { recursive: true, force: true });
    }
  });
});
