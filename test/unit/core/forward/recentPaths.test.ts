import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  MAX_DESTINATIONS,
  MAX_PATHS,
  RECENT_PATHS_FILE,
  RecentPathsRecorder,
  cleanPath,
  readRecentPaths,
  recentPathsScope,
} from '../../../../src/core/forward/recentPaths';

// The record of paths that worked through forwards: what it keeps (paths only), how big it may grow, and that
// several processes' notes end up in one file.

let dir: string;
let clock: number;
const now = () => clock;
const scope = recentPathsScope('https://destination-configuration.cfapps.eu10.hana.ondemand.com', 'sb-clone-abc!b123|destination-xsappname!b62');
const recorder = (options: { refreshMs?: number } = {}) => new RecentPathsRecorder(dir, { now, flushDelayMs: 60_000, ...options });
const fileText = () => readFile(join(dir, RECENT_PATHS_FILE), 'utf8');

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'btp-recent-paths-'));
  clock = Date.UTC(2026, 11, 7, 12, 0, 0);
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('recent paths', () => {
  it('keeps the path only: no query string, fragment or ;parameters, and the destination key names neither service nor client', async () => {
    const paths = recorder();
    paths.note(scope, 'onprem-erp-basic', '/sap/opu/odata/sap/API_BUSINESS_PARTNER/A_BusinessPartner?$top=1&sap-password=canary-1#frag');
    paths.note(scope, 'onprem-erp-basic', '/sap/bc/ping;jsessionid=canary-2?x=1');
    await paths.dispose();
    const text = await fileText();
    for (const leak of ['canary', '?', '#', ';', 'sap-password', 'jsessionid', 'hana.ondemand', 'sb-clone'])
      assert.ok(!text.includes(leak), `${leak} in ${text}`);
    assert.deepEqual(await readRecentPaths(dir, scope, 'onprem-erp-basic'), [
      { path: '/sap/opu/odata/sap/API_BUSINESS_PARTNER/A_BusinessPartner', at: '2026-12-07T12:00:00.000Z' },
      { path: '/sap/bc/ping', at: '2026-12-07T12:00:00.000Z' },
    ]);
    assert.equal((await stat(join(dir, RECENT_PATHS_FILE))).mode & 0o777, 0o600, 'readable by the user only');
  });

  it('refuses what is no plain local path: no leading "/", "//host", control characters, spaces, over 256 characters', () => {
    for (const raw of ['relative', '//evil.example/x', '/a\nb', '/a b', '/\u00e4', `/${'a'.repeat(256)}`, ''])
      assert.equal(cleanPath(raw), undefined, JSON.stringify(raw));
    assert.equal(cleanPath(`/${'a'.repeat(255)}`)?.length, 256);
    assert.equal(cleanPath('/%C3%A4?q'), '/%C3%A4');
  });

  it(`keeps the last ${MAX_PATHS} distinct paths per destination, newest first`, async () => {
    const paths = recorder({ refreshMs: 0 });
    for (let i = 0; i < MAX_PATHS + 5; i += 1) {
      clock += 1_000;
      paths.note(scope, 'd', `/p${i}`);
    }
    clock += 1_000;
    paths.note(scope, 'd', '/p0'); // again, and now the newest
    await paths.dispose();
    const kept = (await readRecentPaths(dir, scope, 'd')).map((entry) => entry.path);
    assert.equal(kept.length, MAX_PATHS);
    assert.deepEqual(kept.slice(0, 3), ['/p0', '/p24', '/p23']);
    assert.ok(!kept.includes('/p5'), 'the oldest fell out');
  });

  it(`keeps at most ${MAX_DESTINATIONS} destinations, the least recently used go first`, async () => {
    const paths = recorder();
    for (let i = 0; i <= MAX_DESTINATIONS; i += 1) {
      clock += 1_000;
      paths.note(scope, `d${i}`, '/x');
    }
    await paths.dispose();
    const shape = JSON.parse(await fileText()) as { destinations: Record<string, unknown> };
    assert.equal(Object.keys(shape.destinations).length, MAX_DESTINATIONS);
    assert.deepEqual(await readRecentPaths(dir, scope, 'd0'), []);
    assert.equal((await readRecentPaths(dir, scope, `d${MAX_DESTINATIONS}`)).length, 1);
  });

  it('a path noted again within the refresh time is not written again; after it, its time moves', async () => {
    const paths = recorder({ refreshMs: 600_000 });
    paths.note(scope, 'd', '/a');
    await paths.flush();
    const first = await fileText();
    clock += 60_000;
    paths.note(scope, 'd', '/a');
    await paths.flush();
    assert.equal(await fileText(), first, 'nothing new to write');
    clock += 600_000;
    paths.note(scope, 'd', '/a');
    await paths.dispose();
    assert.deepEqual(await readRecentPaths(dir, scope, 'd'), [{ path: '/a', at: new Date(clock).toISOString() }]);
  });

  it("two processes (two recorders) on one file: each keeps the other's paths", async () => {
    const cli = recorder();
    const extension = recorder();
    cli.note(scope, 'd', '/from-cli');
    await cli.flush();
    clock += 1_000;
    extension.note(scope, 'd', '/from-extension');
    extension.note(scope, 'other', '/x');
    await extension.dispose();
    await cli.dispose();
    assert.deepEqual(
      (await readRecentPaths(dir, scope, 'd')).map((entry) => entry.path),
      ['/from-extension', '/from-cli'],
    );
    assert.deepEqual(await readRecentPaths(dir, recentPathsScope('https://other.example', 'x'), 'd'), [], 'another Destination service sees none of them');
  });

  it('a damaged file is only a lost hint: reading gives nothing, the next write starts afresh', async () => {
    await writeFile(join(dir, RECENT_PATHS_FILE), '{"version":1,"destinations":');
    assert.deepEqual(await readRecentPaths(dir, scope, 'd'), []);
    const paths = recorder();
    paths.note(scope, 'd', '/a');
    await paths.dispose();
    assert.deepEqual(
      (await readRecentPaths(dir, scope, 'd')).map((entry) => entry.path),
      ['/a'],
    );
  });

  it('writes in the background: note() returns before anything is on disk, the timer writes it', async () => {
    const paths = new RecentPathsRecorder(dir, { now, flushDelayMs: 1 });
    paths.note(scope, 'd', '/a');
    await assert.rejects(stat(join(dir, RECENT_PATHS_FILE)), { code: 'ENOENT' });
    // Poll the file rather than sleep a guessed time: the write lands when the timer has run (the bound is generous).
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && (await readRecentPaths(dir, scope, 'd')).length === 0) await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(
      (await readRecentPaths(dir, scope, 'd')).map((entry) => entry.path),
      ['/a'],
    );
    await paths.dispose();
  });
});
