import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ExitCode } from '../../src/cli/exitCodes';
import { checkHttpAccess, checkTcpAccess } from '../../src/sandbox/cloudConnector/accessControl';
import { CONFIG_FILE_NAME, type CloudConnectorFile } from '../../src/sandbox/cloudConnector/configFile';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox';
import { runCli } from '../support/cliHarness';
import { startSandboxFixture, type SandboxFixture } from '../support/sandboxFixture';

// `btp-connect sandbox expose / unexpose / exposed` against a sandbox running on a folder (in this process: its
// state file names this pid), and against a folder no sandbox runs on.

let root: string;
let directory: string;
let sandbox: Sandbox;
const cli = (...argv: string[]) => runCli(['sandbox', ...argv], { cwd: root, env: { XDG_STATE_HOME: join(root, 'xdg') } });

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'btp-expose-'));
  directory = join(root, 'sandbox');
  sandbox = await startSandbox({ directory });
});
after(async () => {
  await sandbox.close();
  await rm(root, { recursive: true, force: true });
});

describe('btp-connect sandbox expose / unexpose / exposed', () => {
  it('expose adds a TCP mapping the running sandbox applies and says so', async () => {
    const result = await cli('expose', 'pg.virtual:5432', '--to', '127.0.0.1:15432', '--protocol', 'tcp', '--dir', directory);
    assert.equal(result.code, ExitCode.Ok, result.stderr + result.stdout);
    assert.match(
      result.stdout,
      /^Exposed pg\.virtual:5432 → 127\.0\.0\.1:15432 \(TCP\) at the connector without location ID in .*cloud-connector\.json\.\nThe running sandbox \(pid \d+\) applied it\.\n$/,
    );
    const mappings = sandbox.connectors[0]?.mappings ?? [];
    assert.equal(checkTcpAccess(mappings, 'pg.virtual', 5432).allowed, true);
    assert.equal(mappings.find((mapping) => mapping.virtualHost === 'pg.virtual')?.localPort, 15432);
  });

  it('expose of an HTTP system with paths, at a new location ID, starts a connector there', async () => {
    const result = await cli(
      'expose',
      'mock.virtual:80',
      '--to',
      'localhost:3000',
      '--path',
      '/api',
      '--path',
      '/health',
      '--location',
      'dev',
      '--dir',
      directory,
    );
    assert.equal(result.code, ExitCode.Ok, result.stderr + result.stdout);
    assert.match(result.stdout, /Exposed mock\.virtual:80 → localhost:3000 \(HTTP, \/api, \/health\) at location ID "dev"/);
    const dev = sandbox.connectors.find((connector) => connector.locationId === 'dev');
    assert.equal(dev?.state, 'connected');
    assert.equal(checkHttpAccess(dev?.mappings ?? [], 'mock.virtual', 80, '/api').allowed, true);
    assert.equal(checkHttpAccess(dev?.mappings ?? [], 'mock.virtual', 80, '/api/x').allowed, false, 'Path only without --subpaths');

    const again = await cli('expose', 'mock.virtual:80', '--to', 'localhost:3000', '--path', '/api', '--subpaths', '--location', 'dev', '--dir', directory);
    assert.equal(again.code, ExitCode.Ok);
    const replaced = sandbox.connectors.find((connector) => connector.locationId === 'dev')?.mappings ?? [];
    assert.equal(replaced.length, 1, 'the same virtual host and port is replaced, not added');
    assert.equal(checkHttpAccess(replaced, 'mock.virtual', 80, '/api/x').allowed, true);
  });

  it('exposed lists the file, built-in systems by name', async () => {
    const result = await cli('exposed', '--dir', directory);
    assert.equal(result.code, ExitCode.Ok);
    assert.match(result.stdout, /^the connector without location ID:$/m);
    assert.match(result.stdout, /^ {2}erp\.virtual:8000 +→ builtin:erp +HTTP, principal X509_GENERAL$/m);
    assert.match(result.stdout, /^ {6}\/sap\/opu\/odata\/ \(and sub-paths\)$/m);
    assert.match(result.stdout, /^ {2}pg\.virtual:5432 +→ 127\.0\.0\.1:15432 +TCP$/m);
    assert.match(result.stdout, /^location ID "dev":$/m);
    const json = JSON.parse((await cli('exposed', '--json', '--dir', directory)).stdout) as CloudConnectorFile;
    assert.deepEqual(json, JSON.parse(await readFile(join(directory, CONFIG_FILE_NAME), 'utf8')));
  });

  it('unexpose removes the mapping; unexposing what is not exposed is an error', async () => {
    const result = await cli('unexpose', 'PG.virtual:5432', '--dir', directory);
    assert.equal(result.code, ExitCode.Ok, result.stderr + result.stdout);
    assert.match(result.stdout, /^Unexposed PG\.virtual:5432 at the connector without location ID in .*\nThe running sandbox \(pid \d+\) applied it\.\n$/);
    assert.deepEqual(checkTcpAccess(sandbox.connectors[0]?.mappings ?? [], 'pg.virtual', 5432), { allowed: false, reason: 'no-mapping' });
    const missing = await cli('unexpose', 'pg.virtual:5432', '--dir', directory);
    assert.equal(missing.code, ExitCode.NotFound);
    assert.match(missing.stderr, /pg\.virtual:5432 is not exposed at the connector without location ID/);
  });

  it('refuses bad input, naming the argument, and leaves the file alone', async () => {
    const before = await readFile(join(directory, CONFIG_FILE_NAME), 'utf8');
    const cases: [string[], RegExp][] = [
      [['expose', 'pg.virtual:70000', '--to', '127.0.0.1:1'], /<virtualHost>:<port> must be <host>:<port> with a port 1–65535, not "pg\.virtual:70000"/],
      [['expose', 'pg.virtual:5432'], /--to is required/],
      [['expose', 'pg.virtual:5432', '--to', '127.0.0.1'], /--to must be <host>:<port>/],
      [['expose', 'pg.virtual:5432', '--to', '127.0.0.1:1', '--protocol', 'RFC'], /--protocol must be one of HTTP, HTTPS, TCP, TCPS, LDAP, LDAPS/],
      [['expose', 'pg.virtual:5432', '--to', '127.0.0.1:1', '--protocol', 'TCP', '--path', '/x'], /--path applies to HTTP and HTTPS only, not TCP/],
      [['expose', 'pg.virtual:5432', '--to', 'builtin:crm', '--protocol', 'TCP'], /connectors\[0\]\.mappings\[4\]\.localHost names no built-in system/],
      [['expose', 'bad host:1', '--to', '127.0.0.1:1'], /mappings\[4\]\.virtualHost must be a host name/],
    ];
    for (const [argv, expected] of cases) {
      const result = await cli(...argv, '--dir', directory);
      assert.equal(result.code, ExitCode.InvalidInput, argv.join(' '));
      assert.match(result.stderr, expected, argv.join(' '));
    }
    assert.equal(await readFile(join(directory, CONFIG_FILE_NAME), 'utf8'), before);
  });

  it('on a folder no sandbox runs on, the file is written (defaults first) and applies at the next start', async () => {
    const idle = join(root, 'idle');
    const result = await cli('expose', 'pg.virtual:5432', '--to', '127.0.0.1:15432', '--protocol', 'TCP', '--dir', idle);
    assert.equal(result.code, ExitCode.Ok, result.stderr);
    assert.match(result.stdout, /No sandbox is running on this folder; it applies the change when it starts\.\n$/);
    const file = JSON.parse(await readFile(join(idle, CONFIG_FILE_NAME), 'utf8')) as CloudConnectorFile;
    assert.deepEqual(
      file.connectors.map((entry) => entry.mappings.map((mapping) => mapping.virtualHost)),
      [['erp.virtual', 'db.virtual', 'ldap.virtual', 'smtp.virtual', 'pg.virtual'], ['erp.virtual']],
    );
    const started = await startSandbox({ directory: idle });
    try {
      assert.equal(checkTcpAccess(started.connectors[0]?.mappings ?? [], 'pg.virtual', 5432).allowed, true);
    } finally {
      await started.close();
    }
    // The default folder is $XDG_STATE_HOME/btp-connect/sandbox, as for `sandbox`.
    const listed = await cli('exposed');
    assert.match(listed.stdout, new RegExp(`${join(root, 'xdg', 'btp-connect', 'sandbox', CONFIG_FILE_NAME).replace(/[.\\/]/g, '\\$&')} \\(not written yet`));
  });
});

describe('btp-connect check on a destination of the sandbox running on the default folder', () => {
  let home: string;
  let fixture: SandboxFixture;
  const check = (...argv: string[]) =>
    runCli(['check', ...argv, '--key', 'destination.json', '--connectivity-key', 'connectivity.json'], {
      cwd: home,
      env: { XDG_STATE_HOME: join(home, 'xdg') },
    });

  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'btp-expose-check-'));
    fixture = await startSandboxFixture({ directory: join(home, 'xdg', 'btp-connect', 'sandbox') });
    await writeFile(join(home, 'destination.json'), JSON.stringify(fixture.sandbox.keys.destination));
    await writeFile(join(home, 'connectivity.json'), JSON.stringify(fixture.sandbox.keys.connectivity));
    await fixture.client.create('subaccount', {
      Name: 'mock-http',
      Type: 'HTTP',
      URL: 'http://mock.virtual:80',
      ProxyType: 'OnPremise',
      Authentication: 'NoAuthentication',
    });
  });
  after(async () => {
    await fixture.close();
    await rm(home, { recursive: true, force: true });
  });

  it("the demo's first check (onprem-erp-basic at /) is green with a warning that lists the exposed paths", async () => {
    const result = await check('onprem-erp-basic');
    assert.equal(result.code, ExitCode.Ok, result.stdout + result.stderr);
    assert.match(
      result.stdout,
      /^! Cloud Connector +\S+ ms {2}The way works up to the Cloud Connector, which does not expose erp\.virtual:8000\/ \(HTTP 403\)\. Exposed for erp\.virtual:8000: \/sap\/opu\/odata\/ and below, \/whoami and below, \/redirect, \/echo and below, \/ws\.$/m,
    );
    assert.match(result.stdout, /^Hint: Check a path that is exposed \(--path\), e\.g\. \/sap\/opu\/odata\/, or expose this one/m);
  });

  it("a system the sandbox's access control does not map at all stays broken, and is green once exposed", async () => {
    const broken = await check('mock-http');
    assert.equal(broken.code, ExitCode.ServiceFailure, broken.stdout);
    assert.match(broken.stdout, /^Broken at the Cloud Connector: Not exposed by the Cloud Connector \[BTP_NOT_EXPOSED\]/m);
    assert.match(broken.stdout, /add virtual host "mock\.virtual", port 80, protocol HTTP \(or HTTPS\) and a resource "\/"/);
    const exposed = await runCli(['sandbox', 'expose', 'mock.virtual:80', '--to', 'builtin:erp', '--path', '/whoami'], {
      cwd: home,
      env: { XDG_STATE_HOME: join(home, 'xdg') },
    });
    assert.match(exposed.stdout, /applied it/);
    const warned = await check('mock-http');
    assert.equal(warned.code, ExitCode.Ok, warned.stdout);
    assert.match(warned.stdout, /Exposed for mock\.virtual:80: \/whoami\./);
    const green = await check('mock-http', '--path', '/whoami');
    assert.equal(green.code, ExitCode.Ok, green.stdout);
    assert.match(green.stdout, /^OK: every hop that applies works/m);
  });
});
