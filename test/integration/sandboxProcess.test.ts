import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { startSandbox } from '../../src/sandbox/sandbox';
import { repoRoot, startSandboxProcess } from '../support/sandboxProcess';
import { noPosixShell, noPosixSignals } from '../support/platform';

// `btp-connect sandbox` as a real process: what it prints works, Ctrl-C stops it, its state survives restarts
// and kill -9 in the middle of writes.

const execFileAsync = promisify(execFile);
let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'btp-sandbox-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('btp-connect sandbox', { skip: noPosixSignals || noPosixShell }, () => {
  it('prints curl and CLI lines that work as printed (on-premise data through the demo forwards too), writes 0600 files, and stops cleanly on Ctrl-C', async () => {
    const sandbox = await startSandboxProcess(join(dir, 'state'), ['--demo']);
    try {
      // The sign-in lines wait for a browser: integration/login runs them with one.
      const lines = sandbox.welcome
        .split('\n')
        .filter((line) => /^ {2}(TOKEN=|curl |node |printf )/.test(line) && !/ (connect|login) sandbox/.test(line))
        .map((line) => line.trim());
      assert.equal(lines.length, 9, sandbox.welcome);
      assert.match(sandbox.welcome, /^ {2}Cloud Connector access control {2}\S*cloud-connector\.json \(5 system mappings; .* sandbox expose --help\)$/m);
      // The mailbox line names the folder and a listing command that works as printed (for this --dir).
      const mailbox = /^ {2}Mailbox {8}(\S+) {3}\(what onprem-mail sends to smtp\.virtual:25; (.* sandbox mailbox --dir \S+)\)$/m.exec(sandbox.welcome);
      assert.ok(mailbox, sandbox.welcome);
      assert.equal(resolve(repoRoot, mailbox[1] ?? ''), join(dir, 'state', 'mailbox'));
      assert.equal(
        (await execFileAsync('sh', ['-c', mailbox[2] ?? ''], { cwd: repoRoot })).stdout,
        `${join(dir, 'state', 'mailbox')} (0 mails)\n  (empty: send mail with the onprem-mail destination, e.g. the SAP Cloud SDK mail client)\n`,
      );
      // Run the printed lines exactly, in one shell so that TOKEN carries over; separate their outputs.
      const script = lines.map((line) => `${line}\necho; echo '-----'`).join('\n');
      const { stdout } = await execFileAsync('sh', ['-c', script], { cwd: repoRoot });
      const [, names, found, ls, get, partners, created, line, internet] = stdout.split('-----\n');
      assert.ok((JSON.parse(names ?? '') as { Name: string }[]).some((item) => item.Name === 'internet-basic'));
      const oauth = JSON.parse(found ?? '') as { authTokens: { type: string }[] };
      assert.equal(oauth.authTokens[0]?.type, 'Bearer');
      assert.match(ls ?? '', /^internet-basic +subaccount +HTTP/m);
      assert.match(get ?? '', /authToken: Basic → header Authorization: \*{6}/);
      assert.ok((JSON.parse(partners ?? '') as { d: { results: unknown[] } }).d.results.length >= 4, 'on-premise OData read through the forward');
      assert.match(created ?? '', /"BusinessPartnerFullName":"Demo Ltd"/);
      assert.deepEqual(line?.trim().split(/\r?\n/), ['PONG', 'hello on-premise', 'BYE'], 'the TCP forward reached the on-premise line service');
      assert.match(internet ?? '', /"authorization":"Bearer ey/);
      for (const file of ['service-keys/destination.json', 'vcap-services.json', 'token-request.form', 'users.json']) {
        assert.equal((await stat(join(dir, 'state', file))).mode & 0o777, 0o600, file);
      }
    } finally {
      assert.equal(await sandbox.stop(), 0);
    }
    assert.match(sandbox.output(), /Sandbox stopped\.\n$/);
  });

  it('keeps identity and destinations across restarts and rebases stored sandbox URLs to the new ports', async () => {
    const state = join(dir, 'restart');
    const first = await startSandbox({ directory: state, portBase: 0 });
    const secret = first.keys.destination.clientsecret;
    const firstApi = first.endpoints.internetApiUrl.replace('127.0.0.1', 'localhost');
    await first.store.apply([
      {
        kind: 'create',
        scope: { tenantId: first.identity.world.provider.id },
        collection: 'destinations',
        name: 'kept',
        value: { Name: 'kept', Type: 'HTTP', URL: `${firstApi}/kept`, Authentication: 'NoAuthentication' },
      },
    ]);
    await first.close();

    const second = await startSandbox({ directory: state, portBase: 0 });
    try {
      assert.equal(second.keys.destination.clientsecret, secret);
      const scope = { tenantId: second.identity.world.provider.id };
      const secondApi = second.endpoints.internetApiUrl.replace('127.0.0.1', 'localhost');
      assert.equal(second.store.get(scope, 'destinations', 'kept')?.value.URL, `${secondApi}/kept`);
      assert.equal(second.store.get(scope, 'destinations', 'internet-basic')?.value.URL, `${secondApi}/internet-basic`);
    } finally {
      await second.close();
    }
  });

  it('loses no acknowledged write and never corrupts its store when killed with SIGKILL during writes', async () => {
    const state = join(dir, 'crash');
    const acknowledged = new Set<string>();
    for (let round = 0; round < 3; round++) {
      const sandbox = await startSandboxProcess(state);
      const keyText = await readFile(join(state, 'service-keys', 'destination.json'), 'utf8');
      const key = JSON.parse(keyText) as Record<string, string>;
      const tokenResponse = await request(`${key.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: key.clientid ?? '', client_secret: key.clientsecret ?? '' }).toString(),
      });
      const token = ((await tokenResponse.body.json()) as { access_token: string }).access_token;
      const exited = once(sandbox.child, 'exit');
      // Writers run until the process dies; the kill comes after 40 acknowledged writes of this round.
      let roundAcks = 0;
      const writer = async (worker: number) => {
        for (let index = 0; ; index++) {
          const name = `crash-${round}-${worker}-${index}`;
          try {
            const response = await request(`${key.uri}/destination-configuration/v1/subaccountDestinations`, {
              method: 'POST',
              headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
              body: JSON.stringify({ Name: name, Type: 'HTTP', URL: 'https://example.com', Authentication: 'NoAuthentication' }),
            });
            await response.body.dump();
            if (response.statusCode !== 201) return;
            acknowledged.add(name);
            if (++roundAcks === 40) sandbox.child.kill('SIGKILL');
          } catch {
            return;
          }
        }
      };
      await Promise.all([writer(0), writer(1), writer(2), writer(3)]);
      await exited;
    }
    const text = await readFile(join(state, 'destinations.json'), 'utf8');
    const data = JSON.parse(text) as { scopes: Record<string, { destinations: Record<string, unknown> }> };
    const stored = new Set(Object.values(data.scopes).flatMap((scope) => Object.keys(scope.destinations)));
    const lost = [...acknowledged].filter((name) => !stored.has(name));
    assert.ok(acknowledged.size >= 120, `acknowledged ${acknowledged.size}`);
    assert.deepEqual(lost, []);
  });
});
