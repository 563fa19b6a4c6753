import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { ExitCode } from '../../../src/cli/exitCodes';
import type { CheckResult } from '../../../src/core/diagnosis/types';
import { RECENT_PATHS_FILE } from '../../../src/core/forward/recentPaths';
import { ForwardManager } from '../../../src/core/forward/forwardManager';
import { ALL_DESTINATIONS } from '../../../src/core/forward/router';
import { runCli, runForwardUntil } from '../../support/cliHarness';
import { startSandboxFixture, type SandboxFixture } from '../../support/sandboxFixture';

// Paths that worked through a destination's forward, named by `check` when the Cloud Connector refuses the path it
// probes: `btp-connect forward` and `btp-connect check` run as separate commands and share only the config folder.

let f: SandboxFixture;
let dir: string;
const partners = '/sap/opu/odata/sap/API_BUSINESS_PARTNER/A_BusinessPartner';
const env = () => ({ BTP_CONNECT_CONFIG_DIR: join(dir, 'config'), BTP_CONNECT_LOCAL_TOKEN: 'off' });
const keys = ['--key', 'destination.json', '--connectivity-key', 'connectivity.json'];

before(async () => {
  f = await startSandboxFixture();
  dir = await mkdtemp(join(tmpdir(), 'btp-recent-paths-'));
  await writeFile(join(dir, 'destination.json'), JSON.stringify(f.sandbox.keys.destination));
  await writeFile(join(dir, 'connectivity.json'), JSON.stringify(f.sandbox.keys.connectivity));
});
after(async () => {
  await f.close();
  await rm(dir, { recursive: true, force: true });
});

describe('paths that worked recently through a forward', () => {
  it('check names them when the Cloud Connector refuses the path it probes; the record holds paths only', async () => {
    // Before any forward ran: the warning has no recent paths to offer.
    const before = JSON.parse((await runCli(['check', 'onprem-erp-basic', '--json', ...keys], { cwd: dir, env: env() })).stdout) as CheckResult;
    assert.equal(before.warning?.hop, 'cloudConnector');
    assert.equal(before.warning?.recentPaths, undefined);

    const forwarded = await runForwardUntil(['onprem-erp-basic', ...keys], { cwd: dir, env: env() }, async ([erp]) => {
      const ok = await request(`${erp}${partners}?$top=1&sap-password=canary-secret-1`);
      assert.equal(ok.statusCode, 200);
      await ok.body.dump();
      // Refused by the Cloud Connector (403): not a path that worked.
      const refused = await request(`${erp}/not-exposed`);
      assert.equal(refused.statusCode, 403);
      await refused.body.dump();
    });
    assert.equal(forwarded.code, ExitCode.Ok, forwarded.stderr);

    const record = await readFile(join(dir, 'config', RECENT_PATHS_FILE), 'utf8');
    assert.ok(record.includes(partners), record);
    for (const absent of ['/not-exposed', '?', 'canary', 'sap-password', 'erp-password-1', String(f.sandbox.keys.destination.clientid)])
      assert.ok(!record.includes(absent), `${absent} in ${record}`);

    const text = await runCli(['check', 'onprem-erp-basic', ...keys], { cwd: dir, env: env() });
    assert.equal(text.code, ExitCode.Ok, text.stdout);
    assert.match(
      text.stdout,
      /^! Cloud Connector +\S+ ms {2}The way works up to the Cloud Connector, which does not expose erp\.virtual:8000\/ \(HTTP 403\)\. Worked recently through a forward of this destination: \/sap\/opu\/odata\/sap\/API_BUSINESS_PARTNER\/A_BusinessPartner\.$/m,
    );
    assert.match(
      text.stdout,
      /^Hint: Check a path that is exposed \(--path\), e\.g\. \/sap\/opu\/odata\/sap\/API_BUSINESS_PARTNER\/A_BusinessPartner, or expose this one/m,
    );
    const json = JSON.parse((await runCli(['check', 'onprem-erp-basic', '--json', ...keys], { cwd: dir, env: env() })).stdout) as CheckResult;
    assert.deepEqual(json.warning?.recentPaths, [partners]);

    // The path it names works: checked there, every hop is ok.
    const there = await runCli(['check', 'onprem-erp-basic', '--path', partners, ...keys], { cwd: dir, env: env() });
    assert.equal(there.code, ExitCode.Ok);
    assert.match(there.stdout, /^OK: every hop that applies works/m);
  });

  it('a one-port forward for all destinations notes each path under the destination it picked, the part below it, 2xx/3xx only', async () => {
    const notes: string[] = [];
    const manager = new ForwardManager({ client: f.client, recentPaths: { note: (destination, path) => notes.push(`${destination} ${path}`) } });
    try {
      const info = await manager.start({ destination: ALL_DESTINATIONS });
      for (const [path, status] of [
        ['/internet-noauth/a/b?secret=canary', 200],
        ['/internet-noauth/status/404', 404],
        ['/internet-noauth/status/302', 302],
        ['/no-such-destination/x', 404],
      ] as const) {
        const answer = await request(`${info.localAddress}${path}`);
        assert.equal(answer.statusCode, status, path);
        await answer.body.dump();
      }
    } finally {
      await manager.dispose();
    }
    assert.deepEqual(notes, ['internet-noauth /a/b', 'internet-noauth /status/302']);
  });
});
