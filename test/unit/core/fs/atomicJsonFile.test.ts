import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AtomicJsonFile } from '../../../../src/core/fs/atomicJsonFile';
import { posixFileModes } from '../../../support/platform';

const repoRoot = join(import.meta.dirname, '../../../..');
const modulePath = join(repoRoot, 'src/core/fs/atomicJsonFile');

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'btp-atomic-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

let dirCounter = 0;
async function freshDir(): Promise<string> {
  const dir = join(root, `case-${++dirCounter}`);
  await mkdir(dir);
  return dir;
}

describe('AtomicJsonFile', () => {
  it('reads a missing file as undefined', async () => {
    const dir = await freshDir();
    assert.equal(await new AtomicJsonFile(join(dir, 'missing.json')).read(), undefined);
  });

  it('reads back what it wrote and rejects a file that is not JSON', async () => {
    const dir = await freshDir();
    const file = new AtomicJsonFile(join(dir, 'state.json'));
    const value = { version: 1, list: [1, 'two', { three: null }], text: 'ünïcödé "quoted"\n' };
    await file.write(value);
    assert.deepEqual(await file.read(), value);
    await writeFile(file.path, '{"torn": ');
    await assert.rejects(file.read(), SyntaxError);
  });

  it(
    'creates the file with mode 0600, also when replacing a world-readable one',
    { skip: !posixFileModes && "Windows has no mode bits (ACLs guard the user's folders)" },
    async () => {
      const dir = await freshDir();
      const file = new AtomicJsonFile(join(dir, 'state.json'));
      await writeFile(file.path, '{}');
      await chmod(file.path, 0o644);
      await file.write({ secret: 'not really' });
      assert.equal((await stat(file.path)).mode & 0o777, 0o600);
    },
  );

  it('coalesces concurrent writes; each promise resolves once its value or a later one is on disk', async () => {
    const dir = await freshDir();
    const file = new AtomicJsonFile(join(dir, 'state.json'));
    const count = 100;
    const onDiskAtResolve = new Map<number, number>();
    await Promise.all(
      Array.from({ length: count }, (_, index) => {
        const counter = index + 1;
        return file.write({ counter }).then(() => {
          // Read synchronously so that nothing else runs between the resolution and the check.
          onDiskAtResolve.set(counter, (JSON.parse(readFileSync(file.path, 'utf8')) as { counter: number }).counter);
        });
      }),
    );
    assert.equal(onDiskAtResolve.size, count);
    for (const [counter, onDisk] of onDiskAtResolve) assert.ok(onDisk >= counter, `write ${counter} resolved while the file held ${onDisk}`);
    assert.deepEqual(await file.read(), { counter: count });
    // The first write starts at once; every later one joins a single queued batch instead of its own rename.
    const distinct = new Set(onDiskAtResolve.values());
    assert.ok(distinct.size <= 2, `expected at most 2 disk writes, saw states ${[...distinct].join(', ')}`);
    assert.equal(onDiskAtResolve.get(2), count);
  });

  it('keeps writing in order after a batch resolved (no lost later write)', async () => {
    const dir = await freshDir();
    const file = new AtomicJsonFile(join(dir, 'state.json'));
    for (let round = 1; round <= 5; round++) {
      const writes = [file.write({ round, part: 'a' }), file.write({ round, part: 'b' })];
      await Promise.all(writes);
      assert.deepEqual(await file.read(), { round, part: 'b' });
    }
  });

  it('leaves no temp files behind after many writes', async () => {
    const dir = await freshDir();
    const file = new AtomicJsonFile(join(dir, 'state.json'));
    for (let batch = 0; batch < 5; batch++) {
      await Promise.all(Array.from({ length: 10 }, (_, index) => file.write({ batch, index })));
    }
    assert.deepEqual(await readdir(dir), ['state.json']);
  });

  it('rejects every waiter of a failed write, then recovers on the next one', async () => {
    const dir = await freshDir();
    const file = new AtomicJsonFile(join(dir, 'not-yet', 'state.json'));
    const results = await Promise.allSettled([file.write({ n: 1 }), file.write({ n: 2 }), file.write({ n: 3 })]);
    for (const result of results) {
      assert.equal(result.status, 'rejected');
      assert.equal((result.reason as NodeJS.ErrnoException).code, 'ENOENT');
    }
    await mkdir(join(dir, 'not-yet'));
    await file.write({ n: 4 });
    assert.deepEqual(await file.read(), { n: 4 });
  });

  it('removes its temp file when the rename fails', async () => {
    const dir = await freshDir();
    const target = join(dir, 'occupied');
    await mkdir(target);
    await writeFile(join(target, 'child'), 'x');
    await assert.rejects(new AtomicJsonFile(target).write({ n: 1 }), (error: NodeJS.ErrnoException) => typeof error.code === 'string');
    assert.deepEqual(await readdir(dir), ['occupied']);
  });
});

/** A child that bumps `counter` forever (two writes in flight at a time) and prints each acknowledged value. */
function writerScript(path: string): string {
  return `
    const { AtomicJsonFile } = require(${JSON.stringify(modulePath)});
    const file = new AtomicJsonFile(${JSON.stringify(path)});
    const pad = 'x'.repeat(8192);
    (async () => {
      let counter = (await file.read())?.counter ?? 0;
      for (;;) {
        const first = ++counter;
        const second = ++counter;
        const a = file.write({ counter: first, pad }).then(() => process.stdout.write(first + '\\n'));
        await file.write({ counter: second, pad });
        await a;
        process.stdout.write(second + '\\n');
      }
    })();
  `;
}

/** Runs the writer until it has acknowledged `acks` writes, kills it with SIGKILL and returns every value it printed. */
function runAndKill(path: string, acks: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', writerScript(path)], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const printed: number[] = [];
    let pending = '';
    let stderr = '';
    let killed = false;
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    child.stdout.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) printed.push(Number(line));
      if (!killed && printed.length >= acks) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (!killed || signal !== 'SIGKILL') reject(new Error(`writer ended on its own (code ${code}, signal ${signal}):\n${stderr}`));
      else resolve(printed);
    });
  });
}

describe('AtomicJsonFile under kill -9', () => {
  it('always leaves a parseable file holding at least the last acknowledged counter', { timeout: 120_000 }, async () => {
    const dir = await freshDir();
    const path = join(dir, 'counter.json');
    let previous = 0;
    for (let run = 0; run < 5; run++) {
      const printed = await runAndKill(path, 50 + run * 17);
      assert.ok(printed.length >= 50, `run ${run}: only ${printed.length} acknowledgements`);
      assert.ok(
        printed.every((value) => Number.isInteger(value) && value > previous),
        `run ${run}: odd output ${printed.join(',')}`,
      );
      const lastAcknowledged = Math.max(...printed);
      const text = await readFile(path, 'utf8');
      let parsed: { counter: number; pad: string };
      try {
        parsed = JSON.parse(text) as { counter: number; pad: string };
      } catch (error) {
        assert.fail(`run ${run}: torn file (${String(error)}), ${text.length} bytes`);
      }
      assert.equal(parsed.pad.length, 8192, `run ${run}: content is complete`);
      assert.ok(parsed.counter >= lastAcknowledged, `run ${run}: file holds ${parsed.counter}, ${lastAcknowledged} was acknowledged`);
      previous = parsed.counter;
    }
    assert.ok(previous >= 5 * 50);
  });
});
