import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { homedir, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { cliPath } from '../support/sandboxProcess';

// Compiling the CLI bundle is a fifth of every start (issue 18): V8's code cache keeps it, in the user's own cache
// folder, from one run to the next. dist/cli.js enables it before it loads dist/cli-main.js, the bundle it covers.

const execFileAsync = promisify(execFile);
let home: string;
before(async () => {
  home = await mkdtemp(join(tmpdir(), 'btp-compile-cache-'));
});
after(async () => {
  await rm(home, { recursive: true, force: true });
});

/** Runs `btp-connect --version` with only these variables (PATH, and the real HOME unless given); returns what it printed. */
async function version(env: Record<string, string>): Promise<string> {
  const { stdout } = await execFileAsync(process.execPath, [cliPath, '--version'], { env: { PATH: process.env.PATH ?? '', HOME: homedir(), ...env } });
  return stdout.trim();
}

function filesUnder(directory: string): string[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

describe("the CLI's compiled code is cached in the user's cache folder", () => {
  it(
    "as root with another user's HOME (a sudo that keeps it), it uses no cache there",
    { skip: process.getuid?.() !== 0 && 'only root can run as root' },
    async () => {
      const userHome = join(home, 'user-home');
      assert.notEqual(userHome, userInfo().homedir);
      await version({ HOME: userHome });
      assert.deepEqual(filesUnder(userHome), []);
    },
  );

  it('under $XDG_CACHE_HOME/btp-connect/compile, readable by the user alone; the next run starts from it and prints the same', async () => {
    const cacheHome = join(home, 'xdg');
    const first = await version({ XDG_CACHE_HOME: cacheHome });
    const files = filesUnder(join(cacheHome, 'btp-connect', 'compile'));
    assert.ok(files.length > 0, 'no code cache was written');
    if (process.platform !== 'win32') for (const file of files) assert.equal(statSync(file).mode & 0o077, 0, `${file} is readable by others`);
    assert.equal(await version({ XDG_CACHE_HOME: cacheHome }), first);
    assert.match(first, /^\d+\.\d+\.\d+/);
  });

  it("NODE_DISABLE_COMPILE_CACHE=1 writes none; Node's own NODE_COMPILE_CACHE decides where it goes", async () => {
    const disabled = join(home, 'disabled');
    await version({ XDG_CACHE_HOME: disabled, NODE_DISABLE_COMPILE_CACHE: '1' });
    assert.deepEqual(filesUnder(disabled), []);

    const chosen = join(home, 'chosen');
    const unused = join(home, 'unused');
    await version({ XDG_CACHE_HOME: unused, NODE_COMPILE_CACHE: chosen });
    assert.ok(filesUnder(chosen).length > 0, 'NODE_COMPILE_CACHE was not used');
    assert.deepEqual(filesUnder(unused), []);
  });
});
