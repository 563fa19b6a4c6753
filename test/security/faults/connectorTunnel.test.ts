import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type Server as HttpServer } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import { parseCredentials } from '../../../src/core/bindings/parseCredentials';
import type { ConnectivityBinding } from '../../../src/core/bindings/types';
import { ConnectivityAccess } from '../../../src/core/connectivity/connectivityAccess';
import { ForwardManager, type ForwardInfo } from '../../../src/core/forward/forwardManager';
import { CloudConnector, type ConnectorState } from '../../../src/sandbox/cloudConnector/connector';
import { FaultProxy } from '../../support/faultProxy';
import { startSandboxFixture, type SandboxFixture } from '../../support/sandboxFixture';
import { ending, forwardServer, listen, patternBlock, trackConnections, withTimeout } from '../../support/faultHarness';

// The Cloud Connector's tunnel to the connectivity proxy breaks under OnPremise forwards. The sandbox's own
// connectors dial the proxy directly, so this test adds one more connector (location ID "faulty", the same
// system mappings as the sandbox's default one) that dials through the fault proxy:
//   client → forward → connectivity proxy (HTTP / SOCKS5) ⇢ tunnel ⇢ fault proxy ⇢ Cloud Connector → on-premise
// (⇢: the connector dials out, the proxy then talks HTTP/2 on that connection).
// Besides the sandbox's ERP and line service, the connector exposes two on-premise systems of this test: an HTTP
// "lab" (an endless download, and uploads it records as complete or not) and a TCP sink that records how each
// connection ended, so that a truncated transfer can be told from a finished one at both ends.

interface Upload {
  readonly bytes: number;
  readonly complete: boolean;
}
interface SinkConnection {
  readonly bytes: number;
  readonly code: string | undefined;
}

const locationId = 'faulty';
const backoff = { initialMs: 50, maxMs: 400 };
/** The forwards' upstream timeout: what a zombie tunnel costs a request. */
const upstreamMs = 2_000;
/**
 * Watchdog for waits on the connector's backoff (at most 0.4 s, four resets take 0.75 s) and the upstream timeout
 * (2 s): more than ten times each, not a measure of speed.
 */
const watchdogMs = 20_000;
let f: SandboxFixture;
let proxy: FaultProxy;
let connector: CloudConnector;
let connectivity: ConnectivityAccess;
let manager: ForwardManager;
let http: ForwardInfo;
let tcp: ForwardInfo;
let labForward: ForwardInfo;
let sinkForward: ForwardInfo;
let trackers: ReturnType<typeof trackConnections>[];
const measured: Record<string, number> = {};
let lab: HttpServer;
let sink: Server;
const onPremiseSockets = new Set<Socket>();
/** Waiters for the next finished upload / sink connection, and for bytes arriving there. */
let uploadDone: ((upload: Upload) => void) | undefined;
let sinkDone: ((connection: SinkConnection) => void) | undefined;
let received: ((bytes: number) => void) | undefined;

async function startOnPremiseSystems(): Promise<void> {
  const block = patternBlock(64 * 1024);
  lab = createHttpServer((req, res) => {
    if (req.url === '/stream') {
      // Endless, with backpressure: the download is in flight whenever the tunnel breaks.
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const pump = () => {
        while (!res.destroyed && res.write(block));
        if (!res.destroyed) res.once('drain', pump);
      };
      return pump();
    }
    let bytes = 0;
    let complete = false;
    req.on('data', (chunk: Buffer) => received?.((bytes += chunk.length)));
    req.on('end', () => {
      complete = true;
      res.end('stored');
    });
    req.once('close', () => uploadDone?.({ bytes, complete }));
  });
  lab.on('connection', (socket: Socket) => {
    onPremiseSockets.add(socket);
    socket.once('close', () => onPremiseSockets.delete(socket));
  });
  sink = createServer((socket) => {
    onPremiseSockets.add(socket);
    let bytes = 0;
    let code: string | undefined;
    socket.on('data', (chunk: Buffer) => received?.((bytes += chunk.length)));
    socket.on('error', (error: NodeJS.ErrnoException) => (code ??= error.code));
    socket.once('close', () => {
      onPremiseSockets.delete(socket);
      sinkDone?.({ bytes, code });
    });
  });
  await Promise.all([listen(lab), listen(sink)]);
}

before(async () => {
  f = await startSandboxFixture();
  await startOnPremiseSystems();
  proxy = await FaultProxy.start({ port: Number(new URL(f.sandbox.endpoints.connectorTunnelUrl).port) });
  const [primary] = f.sandbox.connectors;
  assert.ok(primary);
  connector = new CloudConnector({
    tunnelUrl: proxy.url,
    secret: f.sandbox.identity.connectorSecret,
    subaccountId: f.sandbox.identity.world.provider.id,
    locationId,
    mappings: [
      ...primary.mappings,
      {
        virtualHost: 'lab.virtual',
        virtualPort: 8080,
        localHost: '127.0.0.1',
        localPort: portOf(lab),
        protocol: 'HTTP',
        resources: [{ id: '/', enabled: true }],
      },
      { virtualHost: 'sink.virtual', virtualPort: 9090, localHost: '127.0.0.1', localPort: portOf(sink), protocol: 'TCP' },
    ],
    certificateAuthority: f.sandbox.identity.ca,
    trustedCaPem: f.sandbox.identity.ca.certPem,
    // The sandbox's ERP and line service (primary.mappings) take connections from connectors of their network alone.
    network: f.sandbox.onPremise.network,
    backoff,
  });
  await connector.connect();
  connectivity = new ConnectivityAccess(parseCredentials(f.sandbox.keys.connectivity, { expected: 'connectivity' }) as ConnectivityBinding, f.agents);
  manager = new ForwardManager({ client: f.client, connectivity, timeouts: { upstreamMs } });
  const onPremise = { ProxyType: 'OnPremise', CloudConnectorLocationId: locationId };
  await f.client.create('subaccount', {
    Name: 'faulty-erp',
    Type: 'HTTP',
    URL: 'http://erp.virtual:8000',
    Authentication: 'BasicAuthentication',
    User: 'ERPUSER',
    Password: 'erp-password-1',
    ...onPremise,
  });
  await f.client.create('subaccount', { Name: 'faulty-tcp', Type: 'TCP', Address: 'db.virtual:5432', ...onPremise });
  await f.client.create('subaccount', { Name: 'faulty-lab', Type: 'HTTP', URL: 'http://lab.virtual:8080', Authentication: 'NoAuthentication', ...onPremise });
  await f.client.create('subaccount', { Name: 'faulty-sink', Type: 'TCP', Address: 'sink.virtual:9090', ...onPremise });
  http = await manager.start({ destination: 'faulty-erp' });
  tcp = await manager.start({ destination: 'faulty-tcp' });
  labForward = await manager.start({ destination: 'faulty-lab' });
  sinkForward = await manager.start({ destination: 'faulty-sink' });
  trackers = [http, tcp, labForward, sinkForward].map((info) => trackConnections(forwardServer(manager, info.id)));
});
after(async () => {
  await manager.dispose();
  await connectivity.close();
  await connector.close();
  await proxy.close();
  await f.close();
  for (const socket of onPremiseSockets) socket.destroy();
  await Promise.all([lab, sink].map((server) => new Promise((resolve) => server.close(resolve))));
  console.log(`# tunnel fault figures: ${JSON.stringify(measured)}`);
});
afterEach(async () => {
  // A failed test must not leave the tunnel down for the next one.
  proxy.resetNext(0);
  proxy.blackhole = false;
  proxy.idleCutoffMs = undefined;
  if (connector.state !== 'connected') await withTimeout(nextState('connected'), watchdogMs, 'the connector did not come back');
  for (const tracker of trackers) assert.equal(await tracker.settled(), 0, 'forward connections left open');
});

function portOf(server: Server | HttpServer): number {
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

function nextState(wanted: ConnectorState): Promise<void> {
  return new Promise((resolve) => {
    const listener = (state: ConnectorState) => {
      if (state !== wanted) return;
      connector.off('state', listener);
      resolve();
    };
    connector.on('state', listener);
  });
}

function tunnelGone(): Promise<void> {
  const registry = f.sandbox.connectivity.tunnels;
  return new Promise((resolve) => {
    const listener = (tunnel: { locationId: string }) => {
      if (tunnel.locationId !== locationId) return;
      registry.off('disconnected', listener);
      resolve();
    };
    registry.on('disconnected', listener);
  });
}

function send(path: string, method = 'GET'): Promise<{ res: IncomingMessage; text: Promise<string>; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = httpRequest({ host: '127.0.0.1', port: http.port, path, method, agent: false }, (res) => {
      const ms = performance.now() - started;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      const text = new Promise<string>((done) => res.once('close', () => done(Buffer.concat(chunks).toString())));
      resolve({ res, text, ms });
    });
    req.on('error', reject);
    req.end();
  });
}

/** GET /stream from the lab through its forward: resolves once bytes flow; the download never ends by itself. */
async function streamingDownload(): Promise<{ res: IncomingMessage; finished: Promise<{ complete: boolean; at: number }> }> {
  const req = httpRequest({ host: '127.0.0.1', port: labForward.port, path: '/stream', agent: false });
  req.on('error', () => undefined);
  req.end();
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  assert.equal(res.statusCode, 200);
  res.on('error', () => undefined);
  await once(res, 'data');
  res.resume();
  const finished = new Promise<{ complete: boolean; at: number }>((resolve) =>
    res.once('close', () => resolve({ complete: res.complete, at: performance.now() })),
  );
  return { res, finished };
}

/** A line exchange with the on-premise line service through the TCP forward. */
async function ping(socket: Socket): Promise<string> {
  const answer = new Promise<string>((resolve) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      if (!text.includes('\n')) return;
      socket.off('data', onData);
      resolve(text.trim());
    };
    socket.on('data', onData);
  });
  socket.write('PING\r\n');
  return answer;
}

async function openTcp(): Promise<Socket> {
  const socket = connect({ port: tcp.port, host: '127.0.0.1' });
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  return socket;
}

/** Both forwards work: HTTP 200 through the tunnel, and a PING/PONG through SOCKS5 and the tunnel. */
async function assertWorking(): Promise<void> {
  const whoami = await send('/whoami');
  assert.equal(whoami.res.statusCode, 200, await whoami.text);
  await whoami.text;
  const socket = await openTcp();
  assert.equal(await ping(socket), 'PONG');
  socket.destroy();
}

/** While the tunnel is down: a fast 503 from HTTP, an immediate reset from TCP, with the code that says why. */
async function assertDownAnswers(what: string): Promise<void> {
  const down = await send('/whoami');
  const text = await down.text;
  assert.equal(down.res.statusCode, 503, `${what}: ${text}`);
  assert.match(text, /Cloud Connector/);
  assert.ok(down.ms < 1_000, `${what}: 503 after ${down.ms} ms`);
  measured[`${what} 503 ms`] = Math.round(down.ms);
  const refused = await openTcp();
  const result = await withTimeout(ending(refused), 1_000, `${what}: TCP connection not refused within 1 s`);
  assert.equal(result.code, 'ECONNRESET');
  assert.equal(manager.get(tcp.id)?.lastError?.code, 'BTP_NO_CLOUD_CONNECTOR');
}

/** Lets the connector back in and measures how long it takes to be usable again. */
async function release(what: string): Promise<void> {
  const connected = nextState('connected');
  const released = performance.now();
  proxy.resetNext(0);
  await withTimeout(connected, watchdogMs, `${what}: the connector did not reconnect`);
  measured[`${what} reconnect ms`] = Math.round(performance.now() - released);
}

describe('Cloud Connector tunnel faults under OnPremise forwards', () => {
  it('RST mid-use: in-flight exchanges end within 1 s, new ones fail fast (503 / RST) while down, all work after the reconnect', async () => {
    await assertWorking();
    const inFlight = await streamingDownload();
    const line = await openTcp();
    assert.equal(await ping(line), 'PONG');
    const lineEnded = ending(line);
    const gone = tunnelGone();
    const connectionsBefore = connector.stats().connections;
    // Reconnect attempts are reset too until release(): the tunnel stays down.
    proxy.resetNext(Infinity);
    const resetAt = performance.now();
    proxy.resetAll();
    const echoEnd = await withTimeout(inFlight.finished, 1_000, 'in-flight HTTP response still open 1 s after the tunnel reset');
    assert.equal(echoEnd.complete, false, 'a response cut by a tunnel reset must not look complete');
    const lineEnd = await withTimeout(lineEnded, 1_000, 'TCP connection still open 1 s after the tunnel reset');
    assert.equal(lineEnd.code, 'ECONNRESET', 'the TCP client learns of the broken tunnel by a reset');
    measured['RST: in-flight HTTP ended ms'] = Math.round(echoEnd.at - resetAt);
    measured['RST: open TCP ended ms'] = Math.round(lineEnd.at - resetAt);
    await gone;
    await assertDownAnswers('RST');
    // The connector keeps trying (with backoff) while it is down.
    await proxy.until((stats) => stats.resets >= 4, watchdogMs);
    await release('RST');
    assert.equal(connector.stats().connections, connectionsBefore + 1);
    await assertWorking();
  });

  it('FIN cut mid-transfer: the streaming response and the TCP stream are cut short, not ended; 503 while down; recovery', async () => {
    const inFlight = await streamingDownload();
    const line = await openTcp();
    assert.equal(await ping(line), 'PONG');
    const lineEnded = ending(line);
    const gone = tunnelGone();
    proxy.resetNext(Infinity);
    const cutAt = performance.now();
    proxy.cutAll();
    const echoEnd = await withTimeout(inFlight.finished, 1_000, 'in-flight HTTP response still open 1 s after the tunnel was cut');
    assert.equal(echoEnd.complete, false, 'a response cut by a tunnel FIN must not look complete');
    const lineEnd = await withTimeout(lineEnded, 1_000, 'TCP connection still open 1 s after the tunnel was cut');
    assert.equal(lineEnd.code, 'ECONNRESET', 'a FIN would tell the TCP client that the on-premise side finished');
    measured['FIN: in-flight HTTP ended ms'] = Math.round(echoEnd.at - cutAt);
    measured['FIN: open TCP ended ms'] = Math.round(lineEnd.at - cutAt);
    await gone;
    await assertDownAnswers('FIN');
    await release('FIN');
    await assertWorking();
  });

  for (const fault of ['RST', 'FIN'] as const) {
    it(`${fault} mid-upload: neither the on-premise HTTP server nor the TCP sink takes the truncated upload for a complete one`, async () => {
      const chunk = Buffer.alloc(64 * 1024, 7);
      const breakTunnel = () => {
        proxy.resetNext(Infinity);
        if (fault === 'RST') proxy.resetAll();
        else proxy.cutAll();
      };
      // HTTP: a POST whose body is still coming when the tunnel breaks.
      const arrived = new Promise<void>((resolve) => (received = (bytes) => bytes >= chunk.length && resolve()));
      const upload = new Promise<Upload>((resolve) => (uploadDone = resolve));
      const req = httpRequest({
        host: '127.0.0.1',
        port: labForward.port,
        path: '/upload',
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/octet-stream' },
      });
      const answered = new Promise<number>((resolve) => {
        req.on('response', (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', () => resolve(0));
      });
      req.write(chunk);
      await withTimeout(arrived, 5_000, 'the upload did not reach the on-premise server');
      let gone = tunnelGone();
      breakTunnel();
      const httpUpload = await withTimeout(upload, 1_000, 'the on-premise server still waits for the upload 1 s after the break');
      assert.equal(httpUpload.complete, false, `the on-premise server took ${httpUpload.bytes} bytes for a complete request body`);
      assert.ok((await withTimeout(answered, 2_000, 'the client got no answer')) !== 200, 'the client was told the upload was stored');
      req.destroy();
      await withTimeout(gone, 2_000, 'the proxy still lists the tunnel');
      await release(`${fault} upload`);

      // TCP: bytes to the sink through SOCKS5, then the break.
      const sinkArrived = new Promise<void>((resolve) => (received = (bytes) => bytes >= chunk.length && resolve()));
      const sinkClosed = new Promise<SinkConnection>((resolve) => (sinkDone = resolve));
      const socket = connect({ port: sinkForward.port, host: '127.0.0.1' });
      const clientEnded = ending(socket);
      socket.write(chunk);
      await withTimeout(sinkArrived, 5_000, 'the bytes did not reach the sink');
      gone = tunnelGone();
      breakTunnel();
      const sinkEnd = await withTimeout(sinkClosed, 1_000, 'the TCP sink still open 1 s after the break');
      assert.equal(sinkEnd.code, 'ECONNRESET', 'a clean FIN would tell the on-premise system that the client finished');
      assert.equal((await withTimeout(clientEnded, 1_000, 'TCP client still open 1 s after the break')).code, 'ECONNRESET');
      await withTimeout(gone, 2_000, 'the proxy still lists the tunnel');
      await release(`${fault} sink`);
      received = undefined;
    });
  }

  it('idle cutoff on the tunnel: the quiet tunnel is cut, the connector dials again by itself, and the next request works', async () => {
    const connectionsBefore = connector.stats().connections;
    const gone = tunnelGone();
    const reconnected = nextState('connected');
    proxy.idleCutoffMs = 300;
    const [reason] = (await once(proxy, 'cut')) as [string];
    assert.match(reason, /idle/);
    // One cut proves the point; left on, it would cut every quiet tunnel again.
    proxy.idleCutoffMs = undefined;
    await gone;
    await withTimeout(reconnected, watchdogMs, 'no reconnect after the idle cutoff');
    assert.equal(connector.stats().connections, connectionsBefore + 1);
    await assertWorking();
  });

  it('AC-26 for the tunnel: a blackholed (zombie) tunnel gets OnPremise requests a 504 when the upstream timeout expires', async () => {
    proxy.blackhole = true;
    try {
      const answer = await withTimeout(send('/whoami'), watchdogMs, 'OnPremise request through a zombie tunnel still waiting');
      const text = await answer.text;
      assert.equal(answer.res.statusCode, 504, text);
      assert.equal((JSON.parse(text) as { error: { code: string } }).error.code, 'BTP_TIMEOUT');
      // The forward's own timer gives up; undici's headers timeout (the same value, on 0.5 s "fast timers") may be first.
      assert.ok(answer.ms >= upstreamMs - 500, `504 after ${answer.ms} ms, long before the ${upstreamMs} ms timeout`);
      measured['zombie tunnel 504 ms'] = Math.round(answer.ms);
    } finally {
      // Bytes were swallowed mid-HTTP/2: a clean slate for whatever runs next.
      proxy.blackhole = false;
      const reconnected = nextState('connected');
      proxy.resetAll();
      await withTimeout(reconnected, watchdogMs, 'no reconnect after the blackhole');
    }
  });
});
