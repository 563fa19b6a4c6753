// AC-27: idle cutoffs kill quiet tunnels. A fake kubectl carries every forwarded connection over ONE upstream
// connection (as kubectl does over its API-server connection) through a fault proxy that cuts connections quiet
// for 3 s, like a load balancer or NAT would after minutes. Keep-alive traffic every 1 s keeps it; without it the
// child loses its upstream and the supervisor has to restart it.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect, Socket, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { TunnelSupervisor } from '../../src/core/tunnel/supervisor';
import type { TunnelProbe } from '../../src/core/tunnel/types';
import { FaultProxy } from '../support/faultProxy';
import { captureLogger, exchange, fakeEnv, openClient, recordStates, spawns, startEchoServer, type EchoServer, type StateLog } from '../support/tunnelHarness';
import { noScriptTools } from '../support/platform';

const idleCutoffMs = 3_000;

/** The far side of the fake kubectl: demultiplexes its frames onto real connections to 127.0.0.1:<port>. */
interface MuxRemote {
  readonly port: number;
  /** Streams the fake opened so far: client connections, readiness checks and keep-alives. */
  opens(): number;
  close(): Promise<void>;
}

async function startMuxRemote(): Promise<MuxRemote> {
  let opens = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((link) => {
    sockets.add(link);
    link.on('error', () => undefined);
    const targets = new Map<number, Socket>();
    const send = (frame: object) => !link.destroyed && link.write(`${JSON.stringify(frame)}\n`);
    let buffer = '';
    link.setEncoding('utf8');
    link.on('data', (chunk: string) => {
      buffer += chunk;
      for (let end = buffer.indexOf('\n'); end >= 0; end = buffer.indexOf('\n')) {
        const frame = JSON.parse(buffer.slice(0, end)) as { op: string; id: number; port?: number; data?: string };
        buffer = buffer.slice(end + 1);
        if (frame.op === 'open') {
          opens++;
          const target = connect({ host: '127.0.0.1', port: frame.port ?? 0, allowHalfOpen: true });
          sockets.add(target);
          targets.set(frame.id, target);
          target.on('error', () => undefined);
          target.on('data', (data: Buffer) => send({ op: 'data', id: frame.id, data: data.toString('base64') }));
          target.on('end', () => send({ op: 'end', id: frame.id }));
          target.on('close', () => {
            targets.delete(frame.id);
            sockets.delete(target);
            send({ op: 'close', id: frame.id });
          });
          continue;
        }
        const target = targets.get(frame.id);
        if (frame.op === 'data') target?.write(Buffer.from(frame.data ?? '', 'base64'));
        else if (frame.op === 'end') target?.end();
        else if (frame.op === 'close') target?.destroy();
      }
    });
    link.on('close', () => {
      sockets.delete(link);
      for (const target of targets.values()) target.destroy();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    opens: () => opens,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

interface Setup {
  readonly supervisor: TunnelSupervisor;
  readonly states: StateLog;
  readonly cutoff: FaultProxy;
  readonly remote: MuxRemote;
  readonly dir: string;
  readonly port: number;
  readonly lines: string[];
}

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function setUp(keepAliveMs: number, echo: EchoServer, probe?: TunnelProbe): Promise<Setup> {
  const remote = await startMuxRemote();
  const cutoff = await FaultProxy.start({ port: remote.port });
  cutoff.idleCutoffMs = idleCutoffMs;
  const dir = await mkdtemp(join(tmpdir(), 'btp-keepalive-'));
  const { logger, lines } = captureLogger();
  const supervisor = new TunnelSupervisor({
    mode: { kind: 'kubectl', kubectlCommand: 'kubectl-mux' },
    targets: [{ host: 'connectivity-proxy', port: echo.port }],
    env: fakeEnv(dir, { FAKE_MUX_UPSTREAM: `127.0.0.1:${cutoff.port}` }),
    // Health probes out of the picture: any traffic in the idle period comes from the keep-alive alone.
    probeIntervalMs: 60_000,
    keepAliveMs,
    ...(probe ? { probe } : {}),
    startupFailureWindowMs: 500,
    backoff: { initialMs: 100, jitter: 0 },
    logger,
  });
  cleanups.push(async () => {
    await supervisor.stop();
    await Promise.all([cutoff.close(), remote.close()]);
    await rm(dir, { recursive: true, force: true });
  });
  const states = recordStates(supervisor);
  await supervisor.start();
  const port = supervisor.endpoints[0]?.port ?? 0;
  return { supervisor, states, cutoff, remote, dir, port, lines };
}

const idle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('AC-27: keep-alive through quiet tunnels', { concurrency: true, skip: noScriptTools }, () => {
  it('with keep-alive every 1 s the forward stays usable after 9 s of client idleness, without a restart', async (t) => {
    const echo = await startEchoServer('pod');
    cleanups.push(() => echo.close());
    const setup = await setUp(1_000, echo);

    const keepAliveCalls: { port: number; enable: boolean | undefined; delay: number | undefined }[] = [];
    const original = Socket.prototype.setKeepAlive;
    Socket.prototype.setKeepAlive = function (this: Socket, enable?: boolean, delay?: number) {
      keepAliveCalls.push({ port: this.localPort ?? 0, enable, delay });
      return original.call(this, enable, delay);
    };
    let client: Awaited<ReturnType<typeof openClient>>;
    try {
      client = await openClient(setup.port);
      assert.equal(await client.readLine(), 'hello from pod');
    } finally {
      Socket.prototype.setKeepAlive = original;
    }
    assert.ok(
      keepAliveCalls.some((call) => call.port === setup.port && call.enable === true && call.delay === 30_000),
      `the accepted client socket gets setKeepAlive(true, 30000): ${JSON.stringify(keepAliveCalls)}`,
    );
    client.socket.write('before\n');
    assert.equal(await client.read(7), 'before\n');

    const opensBefore = setup.remote.opens();
    await idle(9_000); // the idle period under test: three idle cutoffs long
    const keepAlives = setup.remote.opens() - opensBefore;

    client.socket.write('after idling\n');
    assert.equal(await client.read(13), 'after idling\n', 'the connection held open through the idle period still works');
    assert.deepEqual(await exchange(setup.port, 'fresh\n'), { greeting: 'hello from pod', echo: 'fresh\n' });
    client.socket.destroy();

    t.diagnostic(`keep-alives sent in 9 s of client idleness: ${keepAlives}; upstream cuts: ${setup.cutoff.stats.cuts}; spawns: ${spawns(setup.dir).length}`);
    // At most one a second (timers never fire early); at least one per 3 s cutoff, or a cut would show. How many
    // more this machine manages (8 or 9 here) is its speed, not bounded.
    assert.ok(keepAlives >= 3 && keepAlives <= 10, `${keepAlives} keep-alives in 9 s`);
    assert.equal(setup.cutoff.stats.cuts, 0, 'the idle cutoff never fired');
    assert.equal(spawns(setup.dir).length, 1, 'no restart');
    assert.deepEqual(
      setup.states.entries.map((entry) => entry.state),
      ['starting', 'ready'],
    );
    assert.equal(setup.supervisor.state, 'ready');
  });

  it('without keep-alive the same tunnel loses its upstream to the idle cutoff and is restarted', async (t) => {
    const echo = await startEchoServer('pod');
    cleanups.push(() => echo.close());
    const setup = await setUp(0, echo);
    const client = await openClient(setup.port);
    assert.equal(await client.readLine(), 'hello from pod');
    const quietSince = Date.now();

    // A watchdog, ten times the cutoff: the restart comes about 3.0 s after the tunnel went quiet.
    const down = await setup.states.next('reconnecting', 10 * idleCutoffMs);
    const closed = await client.closed;
    t.diagnostic(`restart after ${down.at - quietSince} ms of quiet (${down.detail?.reason ?? '?'}); upstream cuts: ${setup.cutoff.stats.cuts}`);
    assert.ok(down.at - quietSince >= idleCutoffMs - 100, `lost after ${down.at - quietSince} ms`);
    assert.equal(setup.cutoff.stats.cuts, 1);
    assert.match(down.detail?.reason ?? '', /lost connection to pod|exited/);
    assert.doesNotMatch(closed.received, /after/, 'the client connection was cut with the tunnel');

    await setup.states.next('ready', 10_000, setup.states.entries.length - 1);
    assert.equal(spawns(setup.dir).length, 2, 'one restart');
    assert.equal((await exchange(setup.port, 'again\n')).echo, 'again\n');
  });
  it('uses the application probe as keep-alive when one is configured', async (t) => {
    const echo = await startEchoServer('pod');
    cleanups.push(() => echo.close());
    let probes = 0;
    const probe: TunnelProbe = async (endpoint) => {
      probes++;
      return (await exchange(endpoint.port, 'ping\n')).echo === 'ping\n';
    };
    const setup = await setUp(1_000, echo, probe);
    const before = probes;
    await idle(4_500); // one and a half idle cutoffs
    const sent = probes - before;
    t.diagnostic(`app probes as keep-alive in 4.5 s: ${sent}`);
    // Health probes come every 60 s here: any probe in the idle period was a keep-alive, and they kept the cutoff
    // away. How many came in 4.5 s (4 here) is this machine's speed, not bounded.
    assert.ok(sent >= 1, `${sent} probes`);
    assert.equal(setup.cutoff.stats.cuts, 0);
    assert.equal(spawns(setup.dir).length, 1);
    assert.equal((await exchange(setup.port, 'still\n')).echo, 'still\n');
  });

  it('client traffic postpones the keep-alive: a busy tunnel gets none', async () => {
    const echo = await startEchoServer('pod');
    cleanups.push(() => echo.close());
    const setup = await setUp(1_000, echo);
    const client = await openClient(setup.port);
    await client.readLine();
    const before = setup.remote.opens();
    // The traffic under test: a message every 400 ms for 4 s, each well inside the 1 s keep-alive interval.
    for (let index = 0; index < 10; index++) {
      client.socket.write(`m${index}\n`);
      assert.equal(await client.read(3), `m${index}\n`);
      await idle(400);
    }
    client.socket.destroy();
    assert.equal(setup.remote.opens() - before, 0, 'no keep-alive while clients talk');
    assert.equal(setup.cutoff.stats.cuts, 0);
  });
});
