import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ExitCode } from '../../../src/cli/exitCodes';
import type { CheckResult } from '../../../src/core/diagnosis/types';
import { runCli, runForwardUntil } from '../../support/cliHarness';
import { postgresBin, startPostgres, type Postgres } from '../../support/postgres';
import { startSandboxFixture, type SandboxFixture } from '../../support/sandboxFixture';

// A developer's own system behind the sandbox's Cloud Connector: a real PostgreSQL (Debian's `postgresql`) on a
// loopback port, exposed with `btp-connect sandbox expose`, reached by `psql` through `btp-connect forward` of an
// OnPremise TCP destination (SOCKS5 → connectivity proxy → Cloud Connector → PostgreSQL, its bytes unchanged), and
// named as the missing mapping by `check` after `unexpose`.

const bin = postgresBin();
let f: SandboxFixture;
let pg: Postgres;
let root: string;
let directory: string;
const keys = ['--key', 'destination.json', '--connectivity-key', 'connectivity.json'];
const cli = (...argv: string[]) => runCli(argv, { cwd: root, env: { BTP_CONNECT_LOCAL_TOKEN: 'off' } });

describe("PostgreSQL behind the sandbox's Cloud Connector", { skip: bin ? false : 'PostgreSQL is not installed (apt-get install postgresql)' }, () => {
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'btp-pg-sandbox-'));
    directory = join(root, 'sandbox');
    [f, pg] = await Promise.all([startSandboxFixture({ directory }), startPostgres(bin as string)]);
    await writeFile(join(root, 'destination.json'), JSON.stringify(f.sandbox.keys.destination));
    await writeFile(join(root, 'connectivity.json'), JSON.stringify(f.sandbox.keys.connectivity));
    const created = await f.api('/v1/subaccountDestinations', {
      method: 'POST',
      body: { Name: 'onprem-pg', Type: 'TCP', Address: 'tcp://pg.virtual:5432', ProxyType: 'OnPremise', Description: 'A local PostgreSQL behind the sandbox' },
    });
    assert.equal(created.status, 201, created.text);
  });
  after(async () => {
    await Promise.all([f?.close(), pg?.stop()]);
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('before expose, check names the missing mapping', async () => {
    const result = await cli('check', 'onprem-pg', '--json', ...keys);
    assert.equal(result.code, ExitCode.ServiceFailure, result.stdout);
    const parsed = JSON.parse(result.stdout) as CheckResult;
    assert.equal(parsed.firstFailure?.hop, 'cloudConnector');
    assert.equal(parsed.firstFailure?.code, 'BTP_NOT_EXPOSED');
  });

  it('sandbox expose makes it reachable: psql queries it through a TCP forward, and check is green', async () => {
    const exposed = await cli('sandbox', 'expose', 'pg.virtual:5432', '--to', `127.0.0.1:${pg.port}`, '--protocol', 'TCP', '--dir', directory);
    assert.equal(exposed.code, ExitCode.Ok, exposed.stderr);
    assert.match(exposed.stdout, /The running sandbox \(pid \d+\) applied it\./);

    const forward = await runForwardUntil(['onprem-pg', ...keys], { cwd: root, env: { BTP_CONNECT_LOCAL_TOKEN: 'off' } }, async ([address]) => {
      const [host, port] = (address ?? '').split(/:(?=\d+$)/);
      assert.equal(await pg.psql(host as string, Number(port), "select 'through the Cloud Connector', 6 * 7"), 'through the Cloud Connector|42\n');
      // A second session, with a table: several round trips on one connection.
      const rows = await pg.psql(
        host as string,
        Number(port),
        'create temp table t(n int); insert into t select generate_series(1, 1000); select count(*), sum(n) from t',
      );
      assert.equal(rows.trim().split('\n').at(-1), '1000|500500');
    });
    assert.equal(forward.code, ExitCode.Ok, forward.stderr);
    assert.match(forward.stdout, /→ onprem-pg \(TCP, OnPremise via the connectivity proxy\)/);

    const check = await cli('check', 'onprem-pg', ...keys);
    assert.equal(check.code, ExitCode.Ok, check.stdout);
    assert.match(check.stdout, /^✓ Cloud Connector/m);
  });

  it('after sandbox unexpose, check names the missing mapping again', async () => {
    const unexposed = await cli('sandbox', 'unexpose', 'pg.virtual:5432', '--dir', directory);
    assert.equal(unexposed.code, ExitCode.Ok, unexposed.stderr);
    assert.match(unexposed.stdout, /The running sandbox \(pid \d+\) applied it\./);
    const check = await cli('check', 'onprem-pg', ...keys);
    assert.equal(check.code, ExitCode.ServiceFailure, check.stdout);
    assert.match(check.stdout, /^✗ Cloud Connector +\S+ ms {2}The Cloud Connector does not expose pg\.virtual:5432 /m);
    assert.match(check.stdout, /add virtual host "pg\.virtual", port 5432, protocol TCP/);
  });
});
