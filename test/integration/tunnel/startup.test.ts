import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { ErrorCode, isBtpError } from '../../../src/core/errors';
import { TunnelSupervisor } from '../../../src/core/tunnel/supervisor';
import type { TunnelOptions } from '../../../src/core/tunnel/types';
import {
  captureLogger,
  exchange,
  fakeEnv,
  isAlive,
  portIsFree,
  recordStates,
  signalFake,
  spawns,
  startEchoServer,
  type EchoServer,
} from '../../support/tunnelHarness';
import { noScriptTools } from '../../support/platform';

// Start-up of a tunnel (AC-28): it binds its own ports first, becomes ready when the child's ports accept, and a
// child that fails at start-up is reported with its stderr and the fix, once, without a retry loop.

let root: string;
let http: EchoServer;
let socks: EchoServer;
const running: TunnelSupervisor[] = [];

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'btp-tunnel-start-'));
  [http, socks] = await Promise.all([startEchoServer('http-proxy'), startEchoServer('socks-proxy')]);
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((tunnel) => tunnel.stop()));
});
after(async () => {
  await Promise.all([http.close(), socks.close()]);
  await rm(root, { recursive: true, force: true });
});

let counter = 0;
async function tunnel(options: Omit<TunnelOptions, 'env'> & { env?: Record<string, string> }) {
  const dir = join(root, `t${counter++}`);
  await mkdir(dir);
  const { logger, lines } = captureLogger();
  const supervisor = new TunnelSupervisor({ logger, ...options, env: fakeEnv(dir, options.env) });
  running.push(supervisor);
  return { supervisor, dir, lines, states: recordStates(supervisor) };
}

// A watchdog for the whole suite: it takes about 2 s, 3.7 s with both cores busy.
describe('tunnel start-up', { timeout: 60_000, skip: noScriptTools }, () => {
  it('cf ssh: binds local ports, forwards each one to its own target, and reports ready', async () => {
    const { supervisor, dir, states, lines } = await tunnel({
      mode: { kind: 'cf-ssh', app: 'proxy-app' },
      targets: [
        { host: '127.0.0.1', port: http.port },
        { host: '127.0.0.1', port: socks.port },
      ],
    });
    assert.equal(supervisor.state, 'idle');
    await supervisor.start();
    assert.equal(supervisor.state, 'ready');
    assert.deepEqual(
      states.entries.map((entry) => entry.state),
      ['starting', 'ready'],
    );
    const [first, second] = supervisor.endpoints;
    assert.ok(first && second);
    assert.equal(first.host, '127.0.0.1');
    assert.notEqual(first.port, second.port);
    assert.deepEqual(await exchange(first.port, 'GET / HTTP/1.1\r\n\r\n'), { greeting: 'hello from http-proxy', echo: 'GET / HTTP/1.1\r\n\r\n' });
    assert.deepEqual(await exchange(second.port, '\x05\x01\x80'), { greeting: 'hello from socks-proxy', echo: '\x05\x01\x80' });

    const [spawn] = spawns(dir);
    assert.equal(spawn?.tool, 'cf');
    assert.deepEqual(spawn.argv.slice(0, 4), ['ssh', 'proxy-app', '-N', '-T']);
    const forwards = spawn.argv.filter((_arg, index) => spawn.argv[index - 1] === '-L');
    assert.equal(forwards.length, 2);
    for (const forward of forwards) assert.match(forward, /^127\.0\.0\.1:\d+:127\.0\.0\.1:\d+$/);
    assert.equal(spawn.pid, supervisor.pid);
    assert.ok(lines.includes(`info tunnel: tunnel ready on 127.0.0.1:${first.port}, 127.0.0.1:${second.port}`), lines.join('\n'));
  });

  it('kubectl: port-forwards svc/connectivity-proxy on 127.0.0.1 with context and namespace, a 100 KB round trip intact', async () => {
    const { supervisor, dir } = await tunnel({
      mode: { kind: 'kubectl', namespace: 'kyma-system', context: 'shoot-dev' },
      targets: [{ host: 'connectivity-proxy.kyma-system', port: http.port }],
    });
    await supervisor.start();
    const argv = spawns(dir)[0]?.argv ?? [];
    assert.deepEqual(argv.slice(0, 5), ['port-forward', '--address=127.0.0.1', '--context=shoot-dev', '--namespace=kyma-system', 'svc/connectivity-proxy']);
    assert.match(argv[5] ?? '', new RegExp(`^\\d+:${http.port}$`));
    const payload = 'x'.repeat(100_000);
    const { echo } = await exchange(supervisor.endpoints[0]?.port ?? 0, payload);
    assert.equal(echo, payload);
  });

  it('a child that is not logged in fails start() with its stderr and the fix, and is not retried', async () => {
    const { supervisor, dir, states } = await tunnel({
      mode: { kind: 'cf-ssh', app: 'proxy-app' },
      targets: [{ host: '127.0.0.1', port: http.port }],
      env: { FAKE_FAIL_LOGIN: '1' },
    });
    const error = await supervisor.start().then(
      () => assert.fail('start() should fail'),
      (reason: unknown) => reason,
    );
    assert.ok(isBtpError(error, ErrorCode.TunnelFailed), String(error));
    assert.match(error.message, /Not logged in\. Use 'cf login' to log in\./);
    assert.match(error.message, /exited with code 1/);
    assert.match(error.message, /cf login/);
    assert.match(error.message, /cf enable-ssh proxy-app/);
    // The cause in the tool's own words is named, with its fix.
    assert.equal(error.details?.cause, ErrorCode.CliNotLoggedIn);
    assert.match(error.message, /The cf CLI is not logged in .*Log in with `cf login --sso`/);
    assert.equal(supervisor.state, 'failed');
    assert.deepEqual(
      states.entries.map((entry) => entry.state),
      ['starting', 'failed'],
    );
    assert.equal(states.entries[1]?.detail?.error, error);
    // Failed is final: stopping it later changes nothing about the single spawn.
    await supervisor.stop();
    assert.equal(spawns(dir).length, 1);
    assert.ok(await portIsFree(supervisor.endpoints[0]?.port ?? 0));
  });

  it('a missing cf binary is a start-up failure that says what to install', async () => {
    const { supervisor } = await tunnel({
      mode: { kind: 'cf-ssh', app: 'a', cfCommand: 'cf-does-not-exist' },
      targets: [{ host: '127.0.0.1', port: http.port }],
    });
    await assert.rejects(supervisor.start(), (error: unknown) => {
      assert.ok(isBtpError(error, ErrorCode.TunnelFailed));
      assert.match(error.message, /"cf-does-not-exist" was not found: install the Cloud Foundry CLI/);
      return true;
    });
  });

  it('a local port in use fails with PortInUse naming the port, before anything is spawned, and frees the ports it took', async () => {
    const blocker = createServer();
    blocker.listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const taken = (blocker.address() as { port: number }).port;
    const free = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    try {
      const { supervisor, dir } = await tunnel({
        mode: { kind: 'kubectl' },
        targets: [
          { host: 'proxy', port: http.port },
          { host: 'proxy', port: socks.port },
        ],
        localPorts: [free, taken],
      });
      await assert.rejects(supervisor.start(), (error: unknown) => {
        assert.ok(isBtpError(error, ErrorCode.PortInUse), String(error));
        assert.match(error.message, new RegExp(`Port ${taken} on 127\\.0\\.0\\.1 is in use by pid ${process.pid} \\(node\\)`));
        assert.equal(error.details?.port, taken);
        return true;
      });
      assert.equal(supervisor.state, 'failed');
      assert.equal(spawns(dir).length, 0);
      assert.ok(await portIsFree(free), 'the port bound before the conflict is released');
    } finally {
      blocker.close();
    }
  });

  it('a child that dies right after becoming ready (inside the start-up window) fails without a restart', async () => {
    const { supervisor, dir, states } = await tunnel({
      mode: { kind: 'kubectl' },
      targets: [{ host: 'proxy', port: http.port }],
      startupFailureWindowMs: 60_000,
      backoff: { initialMs: 0 },
    });
    await supervisor.start();
    await signalFake(dir, 'die');
    const failed = await states.next('failed');
    assert.ok(isBtpError(failed.detail?.error, ErrorCode.TunnelFailed));
    assert.match(failed.detail.error.message, /exited with code 1 right after it started/);
    assert.ok(!states.entries.some((entry) => entry.state === 'reconnecting'));
    await supervisor.stop();
    assert.equal(spawns(dir).length, 1);
  });

  it('stop() kills a child that ignores SIGTERM (SIGKILL after the grace period) and frees every port', async () => {
    const { supervisor, dir } = await tunnel({
      mode: { kind: 'cf-ssh', app: 'stubborn' },
      targets: [{ host: '127.0.0.1', port: http.port }],
      env: { FAKE_IGNORE_SIGTERM: '1' },
      stopGraceMs: 300,
    });
    await supervisor.start();
    const pid = supervisor.pid ?? 0;
    assert.ok(isAlive(pid));
    const local = supervisor.endpoints[0]?.port ?? 0;
    const childPort = Number(
      spawns(dir)[0]
        ?.argv.find((arg) => arg.startsWith('127.0.0.1:'))
        ?.split(':')[1],
    );
    const started = Date.now();
    await supervisor.stop();
    assert.equal(supervisor.state, 'stopped');
    assert.ok(Date.now() - started >= 250, 'it waited for the grace period before SIGKILL');
    assert.equal(isAlive(pid), false);
    assert.ok(await portIsFree(local), 'local port free');
    assert.ok(await portIsFree(childPort), 'child port free');
  });

  it('direct mode starts no child and hands out the targets as they are', async () => {
    const { supervisor, dir } = await tunnel({ mode: { kind: 'direct' }, targets: [{ host: 'connectivityproxy.internal', port: 20003 }] });
    await supervisor.start();
    assert.equal(supervisor.state, 'ready');
    assert.deepEqual(supervisor.endpoints, [{ host: 'connectivityproxy.internal', port: 20003 }]);
    assert.equal(spawns(dir).length, 0);
    await supervisor.stop();
    assert.equal(supervisor.state, 'stopped');
  });
});
