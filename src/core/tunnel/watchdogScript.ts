/**
 * Source of the watchdog that sits between us and each tunnel command; it runs as `node -e <source> <config>`.
 * It starts the command in its own process group (on Windows: its process tree) and kills that group when the pipe
 * on its stdin closes, which the kernel does for us even when our process is SIGKILLed, so a tunnel never outlives
 * its owner. Only a
 * SIGKILL of the watchdog itself (it runs in a session of its own) could leave the command behind.
 * It reports on fd 3, one JSON object a line: {event:'spawned',pid} | {event:'exit',code,signal} | {event:'error',code,message}.
 * Plain ES2020 CommonJS on purpose: it runs without tsx, also in VS Code's extension host (ELECTRON_RUN_AS_NODE).
 */
export const watchdogSource = String.raw`
'use strict';
const { spawn } = require('child_process');
const { writeSync } = require('fs');
const config = JSON.parse(process.argv[1]);
const report = (message) => { try { writeSync(3, JSON.stringify(message) + '\n'); } catch {} };
const env = Object.assign({}, process.env);
if (!config.keepElectronRunAsNode) delete env.ELECTRON_RUN_AS_NODE;
const posix = process.platform !== 'win32';
let child;
let exited = false;
let stopping = false;
// Windows has no process groups: taskkill /T ends the command and what it started (its tree), and as no console
// program there gets a graceful signal, SIGTERM and SIGKILL both end it at once. Only while the command runs: once
// it has exited its pid may be another program's.
const killGroup = (signal) => {
  if (!child || child.pid === undefined) return;
  try {
    if (posix) process.kill(-child.pid, signal);
    else if (!exited) require('child_process').spawnSync('taskkill', ['/pid', String(child.pid), '/T', '/F'], { stdio: 'ignore', windowsHide: true });
  } catch {}
};
const stop = () => {
  if (stopping) return;
  stopping = true;
  if (exited || !child) process.exit(0);
  killGroup('SIGTERM');
  // After SIGKILL, the command's 'exit' (below) ends us once it is really gone; the last timer is a backstop.
  setTimeout(() => killGroup('SIGKILL'), config.graceMs);
  setTimeout(() => process.exit(0), config.graceMs + 2000);
};
process.on('SIGTERM', stop);
process.on('SIGHUP', stop);
// Our owner decides what Ctrl-C means; it closes our stdin when it goes.
process.on('SIGINT', () => undefined);
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.on('error', stop);
process.stdin.resume();
try {
  child = spawn(config.command, config.args, { detached: posix, stdio: ['ignore', 'inherit', 'inherit'], env, windowsHide: true });
} catch (error) {
  report({ event: 'error', code: error.code, message: String(error.message) });
  process.exit(0);
}
child.on('spawn', () => report({ event: 'spawned', pid: child.pid }));
child.on('error', (error) => {
  exited = true;
  report({ event: 'error', code: error.code, message: String(error.message) });
  process.exit(0);
});
child.on('exit', (code, signal) => {
  exited = true;
  report({ event: 'exit', code, signal });
  // Whatever the command left behind in its group goes with it.
  killGroup('SIGKILL');
  process.exit(0);
});
`;
