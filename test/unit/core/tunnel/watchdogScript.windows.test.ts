import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { watchdogSource } from '../../../../src/core/tunnel/watchdogScript';

// The tunnel watchdog's Windows path, run here: a preload makes it see win32 and records (then does) what taskkill
// would. Windows has no process groups, so the watchdog must end the command's tree with `taskkill /T /F`, once,
// while the command still runs — never after its exit, when the pid may be someone else's.
const preload = String.raw`
const childProcess = require('child_process');
const { appendFileSync } = require('fs');
Object.defineProperty(process, 'platform', { value: 'win32' });
childProcess.spawnSync = (command, args) => {
  appendFileSync(process.env.TASKKILL_LOG, JSON.stringify([command, ...args]) + '\n');
  process.kill(Number(args[1]), 'SIGKILL');
  return { status: 0 };
};
`;

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'btp-watchdog-win-'));
  await writeFile(join(dir, 'preload.cjs'), preload);
});
after(() => rm(dir, { recursive: true, force: true }));

describe('tunnel watchdog on Windows', () => {
  it("ends the command's process tree with one taskkill /T /F when its owner goes, and none after the command exited", async () => {
    const log = join(dir, 'taskkill.log');
    // graceMs far beyond the test: only the stop's first kill may run.
    const config = JSON.stringify({
      command: process.execPath,
      args: ['-e', 'setInterval(() => undefined, 1000)'],
      graceMs: 600_000,
      keepElectronRunAsNode: false,
    });
    const watchdog = spawn(process.execPath, ['-r', join(dir, 'preload.cjs'), '-e', watchdogSource, config], {
      env: { ...process.env, TASKKILL_LOG: log },
      stdio: ['pipe', 'inherit', 'inherit', 'pipe'],
    });
    const reports: { event: string; pid?: number }[] = [];
    const control = watchdog.stdio[3] as Readable;
    control.setEncoding('utf8');
    let pending = '';
    const spawned = new Promise<number>((resolve) => {
      control.on('data', (chunk: string) => {
        pending += chunk;
        for (let newline = pending.indexOf('\n'); newline >= 0; newline = pending.indexOf('\n')) {
          const report = JSON.parse(pending.slice(0, newline)) as { event: string; pid?: number };
          pending = pending.slice(newline + 1);
          reports.push(report);
          if (report.event === 'spawned' && report.pid) resolve(report.pid);
        }
      });
    });
    const pid = await spawned;
    const exited = once(watchdog, 'exit');
    watchdog.stdin?.end(); // what the kernel does when the owner dies
    await exited;
    const calls = (await readFile(log, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as string[]);
    assert.deepEqual(calls, [['taskkill', '/pid', String(pid), '/T', '/F']]);
    assert.deepEqual(
      reports.map((report) => report.event),
      ['spawned', 'exit'],
    );
    assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, 'the command is gone');
  });
});
