import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { ErrorCode, isBtpError } from '../../../src/core/errors';
import { TunnelSupervisor } from '../../../src/core/tunnel/supervisor';
import type { TunnelMode } from '../../../src/core/tunnel/types';
import { captureLogger, exchange, fakeEnv, isAlive, portIsFree, signalFake, spawns, startEchoServer, type EchoServer } from '../../support/tunnelHarness';

// Children die with us (AC-29) and carry no secret on their command line (AC-30). Linux only: reads /proc.

const repoRoot = join(__dirname, '..', '..', '..');
let root: string;
let echo: EchoServer;
const running: TunnelSupervisor[] = [];

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'btp-tunnel-hygiene-'));
  echo = await startEchoServer('connectivity-proxy');
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((tunnel) => tunnel.stop()));
});
after(async () => {
  await echo.close();
  await rm(root, { recursive: true, force: true });
});

interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  readonly argv: string[];
}

/** Every live (non-zombie) process we can see, with its argv from /proc/<pid>/cmdline. */
function processes(): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  for (const name of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z' || fields[0] === 'X') continue;
      const argv = readFileSync(`/proc/${name}/cmdline`, 'utf8')
        .split('\0')
        .filter((arg) => arg !== '');
      found.push({ pid: Number(name), ppid: Number(fields[1]), argv });
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

const withArg = (text: string) => processes().filter((info) => info.argv.some((arg) => arg.includes(text)));

/** Re-checks `condition` until it holds or `deadline` (epoch ms) passes; a bounded wait for a process to go. */
async function until(condition: () => boolean, deadline: number): Promise<boolean> {
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

/** Starts three tunnels in a separate owner process, SIGKILLs it (or its group) and watches the children go. */
async function killOwner(wholeGroup: boolean): Promise<void> {
  const marker = `orphan-${randomBytes(6).toString('hex')}`;
  const liveness = new Set<Socket>();
  const closed: Promise<unknown>[] = [];
  let connected: () => void = () => undefined;
  const allConnected = new Promise<void>((resolve) => (connected = resolve));
  const server = createServer((socket) => {
    liveness.add(socket);
    closed.push(once(socket, 'close'));
    socket.on('error', () => undefined);
    if (liveness.size === 3) connected();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const parent = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'orphanParent.ts')], {
    cwd: repoRoot,
    env: {
      ...process.env,
      ORPHAN_DIR: join(root, marker),
      ORPHAN_ECHO_PORT: String(echo.port),
      ORPHAN_LIVENESS_PORT: String((server.address() as { port: number }).port),
      ORPHAN_MARKER: marker,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // A process group of its own, so that the group kill below hits the owner and all that shares its group.
    detached: true,
  });
  try {
    let errors = '';
    parent.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    const line = await new Promise<string>((resolve, reject) => {
      let output = '';
      parent.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('\n')) resolve(output.trim());
      });
      parent.once('exit', (code) => reject(new Error(`the tunnel owner exited with ${code}: ${errors}`)));
    });
    const { pids, endpoints } = JSON.parse(line) as { pids: number[]; endpoints: { port: number }[] };
    await allConnected;
    assert.equal(pids.length, 3);
    for (const pid of pids) assert.ok(isAlive(pid), `child ${pid} runs`);
    const tunnelProcesses = withArg(marker);
    const children = tunnelProcesses.filter((info) => info.argv.some((arg) => arg.endsWith('fakeBin/kubectl')));
    const watchdogs = tunnelProcesses.filter((info) => info.argv[1] === '-e' && info.ppid === parent.pid);
    assert.deepEqual(children.map((info) => info.pid).sort(), [...pids].sort());
    assert.equal(watchdogs.length, 3, JSON.stringify(tunnelProcesses.map(({ pid, ppid, argv }) => [pid, ppid, argv.at(-1)])));
    assert.equal((await exchange(endpoints[0]?.port ?? 0, 'ping')).echo, 'ping');
    const childPorts =
      spawns(join(root, marker, 'tunnel0'))[0]
        ?.argv.filter((arg) => /^\d+:\d+$/.test(arg))
        .map((arg) => Number(arg.split(':')[0])) ?? [];

    const killedAt = Date.now();
    process.kill(wholeGroup ? -(parent.pid ?? 0) : (parent.pid ?? 0), 'SIGKILL');
    // Each fake holds a connection to us: it closes when the fake dies.
    await Promise.race([Promise.all(closed), new Promise((resolve) => setTimeout(resolve, 2000))]);
    const gone = await until(() => withArg(marker).length === 0, killedAt + 2000);
    const elapsed = Date.now() - killedAt;
    assert.ok(gone, `still running after ${elapsed} ms: ${JSON.stringify(withArg(marker).map(({ pid, argv }) => [pid, argv.at(-1)]))}`);
    assert.ok(elapsed <= 2000, `took ${elapsed} ms`);
    assert.equal(withArg('fakeBin/kubectl').filter((info) => pids.includes(info.pid)).length, 0);
    for (const { port } of endpoints) assert.ok(await portIsFree(port), `local port ${port} is free`);
    for (const port of childPorts) assert.ok(await portIsFree(port), `child port ${port} is free`);
  } finally {
    try {
      process.kill(-(parent.pid ?? 0), 'SIGKILL');
    } catch {
      // Already gone.
    }
    for (const socket of liveness) socket.destroy();
    server.close();
  }
}

// Skipped at each test, not at the suite: node's totals count a skipped suite nowhere.
const skip = process.platform !== 'linux' && 'reads /proc';

describe('tunnel process hygiene', { timeout: 30_000 }, () => {
  for (const [what, wholeGroup] of [
    ['the owning process', false],
    ["the owner's whole process group", true],
  ] as const) {
    it(`SIGKILL of ${what} leaves no tunnel child or watchdog alive after 2 s, and frees the ports`, { skip }, () => killOwner(wholeGroup));
  }

  it('no secret from the environment appears on any command line, while it does reach the children', { skip }, async () => {
    const canary = randomBytes(16).toString('hex');
    const modes: TunnelMode[] = [
      { kind: 'cf-ssh', app: 'proxy-app' },
      { kind: 'kubectl', namespace: 'kyma-system' },
      { kind: 'command', command: 'cf', args: ['ssh', 'proxy-app', '-N', '-L', '127.0.0.1:{childPort0}:{host0}:{port0}'] },
    ];
    const captured: string[][] = [];
    for (const [index, mode] of modes.entries()) {
      const dir = join(root, `canary${index}`);
      await mkdir(dir);
      const { logger, lines } = captureLogger();
      captured.push(lines);
      const tunnel = new TunnelSupervisor({
        mode,
        targets: [{ host: '127.0.0.1', port: echo.port }],
        logger,
        env: fakeEnv(dir, { CF_PASSWORD: canary, BTP_CONNECT_TEST_SECRET: canary }),
      });
      running.push(tunnel);
      await tunnel.start();
      assert.equal((await exchange(tunnel.endpoints[0]?.port ?? 0, 'ping')).echo, 'ping');
    }
    const children = running.map((tunnel) => tunnel.pid ?? 0);
    for (const pid of children) {
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      assert.ok(environ.includes(`CF_PASSWORD=${canary}`), `child ${pid} got the secret through its environment`);
      assert.ok(!environ.some((entry) => entry.startsWith('ELECTRON_RUN_AS_NODE=')), 'only the watchdog runs as node');
    }
    const watchdogs = processes().filter((info) => info.ppid === process.pid && info.argv[1] === '-e');
    assert.equal(watchdogs.length, 3);
    for (const { pid } of watchdogs) assert.ok(readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes('ELECTRON_RUN_AS_NODE=1'));
    const all = processes();
    assert.ok(
      children.every((pid) => all.some((info) => info.pid === pid)),
      'the scan sees the children',
    );
    const leaking = all.filter((info) => info.argv.join(' ').includes(canary));
    assert.deepEqual(leaking, []);
    assert.ok(captured.flat().length > 0 && !captured.flat().join('\n').includes(canary));
  });

  it("redacts secrets in a failing child's stderr before they reach the error or the log", { skip }, async () => {
    const canary = randomBytes(16).toString('hex');
    const dir = join(root, 'redact');
    await mkdir(dir);
    await signalFake(dir, 'failstart', `error: token=${canary} rejected\nAuthorization: Bearer ${canary}`);
    const { logger, lines } = captureLogger();
    const tunnel = new TunnelSupervisor({ mode: { kind: 'kubectl' }, targets: [{ host: 'proxy', port: echo.port }], logger, env: fakeEnv(dir) });
    running.push(tunnel);
    const error = await tunnel.start().then(
      () => assert.fail('start() should fail'),
      (reason: unknown) => reason,
    );
    assert.ok(isBtpError(error, ErrorCode.TunnelFailed));
    assert.match(error.message, /token=\*\*\*\(len=32, sha256:[0-9a-f]{8}\) rejected/);
    assert.match(error.message, /Bearer \*\*\*\(len=32/);
    assert.ok(!JSON.stringify(error.toJSON()).includes(canary));
    assert.ok(
      lines.some((line) => line.includes('rejected')),
      'the stderr was logged',
    );
    assert.ok(!lines.join('\n').includes(canary));
  });
});
