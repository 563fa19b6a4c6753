import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer as createHttpServer, METHODS, type IncomingMessage, type Server as HttpServer } from 'node:http';
import {
  connect as connectHttp2,
  constants as h2,
  createServer as createHttp2Server,
  type ClientHttp2Session,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
  type ServerHttp2Stream,
} from 'node:http2';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { CloudConnector } from '../../../src/sandbox/cloudConnector/connector';
import { registerAtProxy } from '../../../src/sandbox/cloudConnector/registration';
import type { SystemMapping } from '../../../src/sandbox/cloudConnector/types';
import {
  decodeLocation,
  decodeUser,
  encodeLocation,
  encodeUser,
  endToEndHeaders,
  isProxyControlHeader,
  StreamHeader,
  tunnelUpgradeToken,
} from '../../../src/sandbox/tunnel/tunnelProtocol';
import { silentLogger } from '../../../src/core/log';
import { listenOnLoopback } from '../../../src/sandbox/http/loopback';
import { TunnelRegistry } from '../../../src/sandbox/connectivity/tunnelRegistry';
import { createTunnelServer } from '../../../src/sandbox/connectivity/tunnelServer';
import { PROVIDER_TENANT_ID, SUBSCRIBER_TENANT_ID } from '../../../src/sandbox/base/world';
import { startConnectivityHarness, type ConnectivityHarness } from './connectivityHarness';
import { CaseCounter, dechunk, FUZZ_RUNS, fuzzParameters, hex, ProcessFailures, rawExchange, splitAt, stackTrace, timed, within } from './fuzzSupport';

// The tunnel between the connectivity proxy and the Cloud Connector (tunnelProtocol.ts): an HTTP/1.1 upgrade
// to `btp-connect-scc/1`, then HTTP/2 with the proxy as client, one stream per cloud request or TCP connection.
// Fuzzed at every layer: the header codecs directly; the registration with raw bytes at the proxy's tunnel port;
// thousands of streams with fuzzed tunnel headers multiplexed on one session into a real Cloud Connector; and a
// scripted, misbehaving Cloud Connector answering the real proxy's streams.

const failures = new ProcessFailures();
let h: ConnectivityHarness;
before(async () => {
  h = await startConnectivityHarness();
});
after(async () => {
  await h.close();
  failures.dispose();
});

const hopByHop = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'proxy-authorization',
  'proxy-authenticate',
  'http2-settings',
  'host',
];

describe('tunnel header codecs (pure)', () => {
  it(`decodeLocation / encodeLocation: never throw, accept only base64url up to 256, round-trip (${FUZZ_RUNS} cases each)`, (t) => {
    const input = fc.oneof(
      fc.string({ maxLength: 300, unit: 'binary' }),
      fc.stringMatching(/^[A-Za-z0-9_-]{0,260}$/),
      fc.array(fc.string(), { maxLength: 3 }),
      fc.constant(undefined),
    );
    const ms1 = timedSync(() =>
      fc.assert(
        fc.property(input, (value) => {
          const decoded = decodeLocation(value);
          if (value === undefined) return assert.equal(decoded, '');
          const acceptable = typeof value === 'string' && /^[A-Za-z0-9_-]{0,256}$/.test(value);
          assert.equal(decoded !== undefined, acceptable, JSON.stringify(value));
          if (acceptable) assert.equal(decoded, Buffer.from(value, 'base64url').toString('utf8'));
        }),
        fuzzParameters(t),
      ),
    );
    const ms2 = timedSync(() =>
      fc.assert(
        fc.property(fc.string({ maxLength: 200, unit: 'binary' }), (id) => {
          const encoded = encodeLocation(id);
          assert.match(encoded, /^[A-Za-z0-9_-]*$/);
          if (encoded.length <= 256 && wellFormed(id)) assert.equal(decodeLocation(encoded), id);
        }),
        fuzzParameters(t),
      ),
    );
    t.diagnostic(`decodeLocation: ${FUZZ_RUNS} cases in ${ms1} ms; encodeLocation round trip: ${FUZZ_RUNS} cases in ${ms2} ms`);
  });

  it(`decodeUser: never throws, yields a well-typed user or nothing, round-trips encodeUser (${FUZZ_RUNS} cases each)`, (t) => {
    const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : (JSON.stringify(value) ?? ''), 'utf8').toString('base64url');
    const input = fc.oneof(
      fc.string({ maxLength: 200, unit: 'binary' }),
      fc.jsonValue().map(b64),
      fc.dictionary(fc.constantFrom('userName', 'tenantId', 'email', '__proto__', 'constructor'), fc.jsonValue()).map(b64),
      fc.string({ minLength: 8190, maxLength: 8200, unit: fc.constantFrom('A', 'b', '-') }),
      fc.array(fc.string(), { maxLength: 2 }),
      fc.constant(undefined),
    );
    const ms1 = timedSync(() =>
      fc.assert(
        fc.property(input, (value) => {
          const user = decodeUser(value as string | string[] | undefined);
          if (user === undefined) return;
          assert.equal(typeof value, 'string');
          assert.ok((value as string).length <= 8192);
          assert.equal(typeof user.userName, 'string');
          assert.equal(typeof user.tenantId, 'string');
          assert.ok(user.email === undefined || typeof user.email === 'string');
          assert.deepEqual(
            Object.keys(user).filter((key) => !['userName', 'tenantId', 'email'].includes(key)),
            [],
          );
        }),
        fuzzParameters(t),
      ),
    );
    const person = fc.record({
      userName: fc.string({ unit: 'binary' }),
      tenantId: fc.string({ unit: 'binary' }),
      email: fc.option(fc.string({ unit: 'binary' }), { nil: undefined }),
    });
    const ms2 = timedSync(() =>
      fc.assert(
        fc.property(person, (user) => {
          const plain = wellFormed(user.userName) && wellFormed(user.tenantId) && wellFormed(user.email ?? '');
          const expected = { userName: user.userName, tenantId: user.tenantId, ...(user.email === undefined ? {} : { email: user.email }) };
          const encoded = encodeUser(expected);
          if (plain && encoded.length <= 8192) assert.deepEqual(decodeUser(encoded), expected);
        }),
        fuzzParameters(t),
      ),
    );
    t.diagnostic(`decodeUser: ${FUZZ_RUNS} cases in ${ms1} ms; encodeUser round trip: ${FUZZ_RUNS} cases in ${ms2} ms`);
  });

  it(`endToEndHeaders: drops pseudo, hop-by-hop, Connection-listed and proxy-control headers, keeps the rest verbatim (${FUZZ_RUNS} cases)`, (t) => {
    const name = fc.oneof(
      fc.constantFrom(
        ...hopByHop,
        ':path',
        ':status',
        'sap-connectivity-scc-location_id',
        'sap-cp-connectivity-x',
        'x-scc-tunnel-user',
        'expect',
        'authorization',
        'sap-client',
        'x-custom',
      ),
      fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/),
    );
    const value = fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 3 }), fc.constant(undefined));
    const headersArb = fc
      .dictionary(name, value, { maxKeys: 12 })
      .chain((headers) => fc.subarray(Object.keys(headers)).map((listed) => ({ ...headers, connection: [...listed, ' Keep-Alive ', ''].join(', ') })));
    const ms = timedSync(() =>
      fc.assert(
        fc.property(headersArb, fc.boolean(), (headers, dropControl) => {
          const result = endToEndHeaders(headers as IncomingHttpHeaders, dropControl ? isProxyControlHeader : undefined);
          const listed = new Set(
            String(headers.connection)
              .split(',')
              .map((item) => item.trim().toLowerCase()),
          );
          for (const [key, item] of Object.entries(headers)) {
            const dropped =
              item === undefined || key.startsWith(':') || hopByHop.includes(key) || listed.has(key) || (dropControl && isProxyControlHeader(key));
            if (dropped) assert.equal(Object.hasOwn(result, key), false, key);
            else assert.deepEqual(result[key], item, key);
          }
          assert.deepEqual(
            Object.keys(result).filter((key) => !Object.hasOwn(headers, key)),
            [],
          );
        }),
        fuzzParameters(t),
      ),
    );
    t.diagnostic(`endToEndHeaders: ${FUZZ_RUNS} cases in ${ms} ms`);
    failures.assertNone();
  });
});

/** No lone surrogates: such a string cannot survive UTF-8 on any wire. */
function wellFormed(text: string): boolean {
  return Buffer.from(text, 'utf8').toString('utf8') === text;
}

function timedSync(body: () => void): number {
  const started = performance.now();
  body();
  return Math.round(performance.now() - started);
}

// ---------------------------------------------------------------------------------------------------------------
// Registration: raw HTTP/1.1 upgrade requests at the proxy's tunnel port, then garbage where HTTP/2 should be.

interface RegistrationCase {
  readonly path: string;
  readonly connection: string | undefined;
  readonly upgrade: string | undefined;
  readonly authorization: string | undefined;
  readonly subaccount: string | undefined;
  readonly location: string | undefined;
  /** Bytes the "connector" sends right behind its request, where the HTTP/2 connection would start. */
  readonly after: Buffer;
  readonly cuts: readonly number[];
}

const visible = /^[\x20-\x7e]*$/;

/** `status` of the answer, or undefined when the request is malformed and the proxy may just drop it. */
function registrationModel(c: RegistrationCase): { status: number; clean: boolean; key?: string } {
  const clean =
    [c.path, c.connection, c.upgrade, c.authorization, c.subaccount, c.location].every((value) => value === undefined || visible.test(value)) &&
    !/[\s#]/.test(c.path);
  const trim = (value: string | undefined) => value?.replace(/^[ \t]+|[ \t]+$/g, '');
  // An Upgrade header with an empty value does not make an upgrade request.
  const isUpgrade = (trim(c.upgrade) ?? '') !== '' && (trim(c.connection) ?? '').split(',').some((token) => token.trim().toLowerCase() === 'upgrade');
  if (!isUpgrade) return { status: 426, clean };
  if (c.path.split('?')[0] !== '/connector') return { status: 404, clean };
  if ((trim(c.upgrade) ?? '').toLowerCase() !== tunnelUpgradeToken) return { status: 400, clean };
  const presented = /^Bearer\s+(\S+)$/i.exec(trim(c.authorization) ?? '')?.[1];
  if (presented !== h.identity.connectorSecret) return { status: 401, clean };
  const subaccount = trim(c.subaccount) ?? '';
  if (subaccount !== PROVIDER_TENANT_ID && subaccount !== SUBSCRIBER_TENANT_ID) return { status: 403, clean };
  const location = trim(c.location);
  if (location !== undefined && !/^[A-Za-z0-9_-]{0,256}$/.test(location)) return { status: 400, clean };
  const id = location === undefined ? '' : Buffer.from(location, 'base64url').toString('utf8');
  if (subaccount === PROVIDER_TENANT_ID && (id === '' || id === 'loc2')) return { status: 409, clean };
  return { status: 101, clean, key: `${subaccount}\n${id}` };
}

function serialiseRegistration(c: RegistrationCase): Buffer {
  const lines = [`GET ${c.path} HTTP/1.1`, 'Host: 127.0.0.1'];
  const add = (name: string, value: string | undefined) => value !== undefined && lines.push(`${name}: ${value}`);
  add('Connection', c.connection);
  add('Upgrade', c.upgrade);
  add('Authorization', c.authorization);
  add('X-SCC-Subaccount', c.subaccount);
  add('X-SCC-Location-ID', c.location);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), c.after]);
}

const oddText = fc.oneof(fc.string({ maxLength: 30, unit: 'binary-ascii' }), fc.string({ maxLength: 10 })).map((text) => text.replace(/[\r\n]/g, ''));
/** The client preface and a SETTINGS frame of HTTP/2, i.e. a connector that talks h2 from the wrong side. */
const clientPreface = Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1'), Buffer.from('000000040000000000', 'hex')]);
const registrationCase: fc.Arbitrary<RegistrationCase> = fc.record({
  path: fc.oneof(
    { weight: 8, arbitrary: fc.constant('/connector') },
    { weight: 1, arbitrary: fc.constantFrom('/connector?x=1', '/Connector', '/', '/connector/', '/connector%00', '*') },
  ),
  connection: fc.oneof(
    { weight: 8, arbitrary: fc.constant('Upgrade') },
    { weight: 1, arbitrary: fc.constantFrom(undefined, 'keep-alive', 'close, upgrade', 'upgrade ', 'Upgrade2') },
  ),
  upgrade: fc.oneof(
    { weight: 8, arbitrary: fc.constant(tunnelUpgradeToken) },
    { weight: 1, arbitrary: fc.oneof(fc.constantFrom(undefined, 'BTP-CONNECT-SCC/1', 'websocket', 'h2c', ''), oddText) },
  ),
  authorization: fc.oneof(
    { weight: 8, arbitrary: fc.constant('secret').map(() => `Bearer ${h.identity.connectorSecret}`) },
    { weight: 2, arbitrary: fc.constantFrom('bearer', 'Bearer  ', 'Basic', 'Bearer x y').map((prefix) => `${prefix} ${h.identity.connectorSecret}`) },
    {
      weight: 1,
      arbitrary: fc.oneof(
        fc.constant(undefined),
        fc.constant('secret').map(() => `Bearer ${h.identity.connectorSecret.slice(0, -1)}`),
        oddText,
      ),
    },
  ),
  subaccount: fc.oneof(
    { weight: 6, arbitrary: fc.constant(PROVIDER_TENANT_ID) },
    { weight: 1, arbitrary: fc.constantFrom(SUBSCRIBER_TENANT_ID, undefined, '') },
    { weight: 1, arbitrary: oddText },
  ),
  location: fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom(undefined, '', encodeLocation('loc2')) },
    { weight: 6, arbitrary: fc.string({ maxLength: 40 }).map(encodeLocation) },
    { weight: 1, arbitrary: fc.oneof(oddText, fc.stringMatching(/^[A-Za-z0-9_-]{250,300}$/)) },
  ),
  after: fc.oneof(
    { weight: 2, arbitrary: fc.constant(Buffer.alloc(0)) },
    { weight: 3, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 80 }).map((bytes) => Buffer.from(bytes)) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.concat([clientPreface, bytes])) },
  ),
  cuts: fc.array(fc.nat(), { maxLength: 4 }),
});

/**
 * A tunnel port like the proxy's own (createTunnelServer) with a 1 s liveness PING, so that a session nghttp2
 * silently gave up on is dropped within 2 s. The sandbox's own connectors for (provider, '') and (provider, 'loc2')
 * register in the same registry through a second port with the default liveness (15 s): a PING they answer late
 * on a busy machine cannot drop them and turn the 409 the model expects into a 101.
 */
async function startTunnelPort(): Promise<{ port: number; tunnels: TunnelRegistry; connectors: CloudConnector[]; close(): Promise<void> }> {
  const tunnels = new TunnelRegistry();
  const serve = (livenessMs: number | undefined) =>
    listenOnLoopback(
      createTunnelServer({
        world: h.identity.world,
        connectorSecret: h.identity.connectorSecret,
        registry: tunnels,
        logger: silentLogger,
        ...(livenessMs ? { livenessMs } : {}),
      }),
      0,
    );
  const listener = await serve(1_000);
  const home = await serve(undefined);
  const connectors = ['', 'loc2'].map(
    (locationId) =>
      new CloudConnector({
        tunnelUrl: `http://127.0.0.1:${home.port}`,
        secret: h.identity.connectorSecret,
        subaccountId: PROVIDER_TENANT_ID,
        locationId,
        mappings: [],
      }),
  );
  await Promise.all(connectors.map((connector) => connector.connect()));
  return {
    port: listener.port,
    tunnels,
    connectors,
    async close() {
      await Promise.all(connectors.map((connector) => connector.close()));
      tunnels.closeAll();
      await Promise.all([listener.close(), home.close()]);
    },
  };
}

/** Watchdog for what waits on the liveness PING (at most 2 s): 15 times that, not a measure of speed. */
const livenessWatchdogMs = 30_000;

describe('tunnel registration, fuzzed over loopback', () => {
  it(`answers every registration with the modelled status; after a 101, garbage closes the tunnel and frees its slot (${FUZZ_RUNS} cases)`, async (t) => {
    const tunnelPort = await startTunnelPort();
    t.after(() => tunnelPort.close());
    const { tunnels, port } = tunnelPort;
    const original = tunnels.list();
    const counter = new CaseCounter();
    const ms = await timed(() =>
      fc.assert(
        fc.asyncProperty(registrationCase, async (c) => {
          const expected = registrationModel(c);
          counter.hit(`${expected.clean ? '' : 'malformed:'}${expected.status}`);
          let registered: Promise<unknown> | undefined;
          const onConnected = (tunnel: { subaccountId: string; locationId: string }) => {
            registered = once(tunnels, 'disconnected');
            counter.hit(`registered:${tunnel.locationId === '' ? 'default' : 'other'}`);
          };
          tunnels.once('connected', onConnected);
          const bytes = serialiseRegistration(c);
          // A tunnel nghttp2 gave up on closes only at the liveness PING: both waits are bounded by that.
          const seen = await within(
            rawExchange(port, splitAt(bytes, c.cuts)),
            livenessWatchdogMs,
            `registration ${JSON.stringify(bytes.toString('latin1').slice(0, 300))}`,
          );
          tunnels.off('connected', onConnected);
          if (registered) await within(registered, livenessWatchdogMs, 'the tunnel leaving the registry');
          const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(seen.bytes.toString('latin1'))?.[1] ?? Number.NaN);
          if (expected.clean || !Number.isNaN(status)) {
            assert.equal(
              status,
              expected.status,
              `${JSON.stringify(bytes.toString('latin1').slice(0, 300))} → ${JSON.stringify(seen.bytes.toString('latin1').slice(0, 200))}`,
            );
          }
          assert.equal(registered !== undefined, status === 101, 'exactly the 101 answers register a tunnel');
          assert.notEqual(seen.ending, 'close', 'the proxy closed the connection');
          // Whatever happened, the registry holds just the sandbox's own connectors again.
          assert.deepEqual(
            tunnels.list().map((tunnel) => `${tunnel.subaccountId}/${tunnel.locationId}`),
            original.map((tunnel) => `${tunnel.subaccountId}/${tunnel.locationId}`),
          );
        }),
        fuzzParameters(t),
      ),
    );
    t.diagnostic(`tunnel registration: ${FUZZ_RUNS} cases in ${ms} ms (${counter.summary()})`);
    for (const tunnel of original) assert.ok(tunnels.get(tunnel.subaccountId, tunnel.locationId), 'the sandbox connectors are still registered');
    assert.deepEqual(
      tunnelPort.connectors.map((connector) => connector.state),
      ['connected', 'connected'],
    );
    failures.assertNone();
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Proxy → Cloud Connector: one HTTP/2 session, thousands of streams with fuzzed tunnel headers.

interface Backends {
  readonly httpPort: number;
  readonly tcpPort: number;
  readonly deadPort: number;
  close(): Promise<void>;
}

/** An HTTP backend that describes what it received, a TCP echo, and a port nobody listens on. */
async function startBackends(): Promise<Backends> {
  const web: HttpServer = createHttpServer((req: IncomingMessage, res) => {
    req.resume();
    req.on('end', () => {
      const body = JSON.stringify({
        method: req.method,
        url: req.url,
        host: req.headers.host ?? null,
        forwardedHost: req.headers['x-forwarded-host'] ?? null,
        emulatedUser: req.headers['x-emulated-user'] ?? null,
        certificate: typeof req.headers.ssl_client_cert === 'string',
        leaked: Object.keys(req.headers).filter((name) => name.startsWith('x-scc-') || name.startsWith('sap-connectivity-') || name === 'expect'),
      });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  const echo: TcpServer = createTcpServer({ allowHalfOpen: true }, (socket) => {
    socket.on('error', () => socket.destroy());
    socket.pipe(socket);
  });
  const listen = async (server: HttpServer | TcpServer) => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return (server.address() as AddressInfo).port;
  };
  const httpPort = await listen(web);
  const tcpPort = await listen(echo);
  const dead = createTcpServer();
  const deadPort = await listen(dead);
  await new Promise<void>((resolve) => dead.close(() => resolve()));
  return {
    httpPort,
    tcpPort,
    deadPort,
    async close() {
      web.closeAllConnections();
      await Promise.all([new Promise((resolve) => web.close(resolve)), new Promise((resolve) => echo.close(resolve))]);
    },
  };
}

function streamMappings(b: Backends): SystemMapping[] {
  return [
    {
      virtualHost: 'web.virtual',
      virtualPort: 80,
      localHost: '127.0.0.1',
      localPort: b.httpPort,
      protocol: 'HTTP',
      authenticationMode: 'X509_GENERAL',
      resources: [
        { id: '/api', enabled: true, exactMatchOnly: false },
        { id: '/exact', enabled: true, exactMatchOnly: true },
        { id: '/off', enabled: false },
        { id: '/ws', enabled: true, exactMatchOnly: true, websocketUpgradeAllowed: true },
      ],
    },
    {
      virtualHost: 'Internal.Virtual',
      virtualPort: 8080,
      localHost: '127.0.0.1',
      localPort: b.httpPort,
      protocol: 'HTTP',
      hostInHeader: 'internal',
      resources: [{ id: '/', enabled: true }],
    },
    { virtualHost: 'tcp.virtual', virtualPort: 7000, localHost: '127.0.0.1', localPort: b.tcpPort, protocol: 'TCP' },
    {
      virtualHost: 'deadweb.virtual',
      virtualPort: 80,
      localHost: '127.0.0.1',
      localPort: b.deadPort,
      protocol: 'HTTP',
      resources: [{ id: '/', enabled: true }],
    },
    { virtualHost: 'deadtcp.virtual', virtualPort: 7001, localHost: '127.0.0.1', localPort: b.deadPort, protocol: 'TCP' },
  ];
}

interface StreamCase {
  readonly connect: boolean;
  readonly method: string;
  readonly virtualHost: string | undefined;
  readonly virtualPort: string | undefined;
  readonly path: string;
  readonly webSocket: boolean;
  readonly user: string | undefined;
  readonly extra: readonly (readonly [string, string])[];
  readonly body: Buffer;
}

type StreamOutcome = { readonly status: number; readonly body: Buffer } | { readonly reset: string };

const users = [
  { userName: 'alice', tenantId: PROVIDER_TENANT_ID },
  { userName: 'bob', tenantId: PROVIDER_TENANT_ID, email: 'bob@example.com' },
  { userName: 'x\u0001\u0007y', tenantId: 'other' },
];
const h2Token = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const plainValue = /^(?:[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?)?$/;

/** The connector's decision as spec §6 describes it; `weird` inputs may also be refused by HTTP/2 itself. */
function streamModel(c: StreamCase, mappings: readonly SystemMapping[], deadPort: number): { status: number; step: string; weird: boolean } {
  const weird =
    !h2Token.test(c.method) ||
    !/^\/[\x21-\x7e]*$/.test(c.path) ||
    [c.virtualHost, c.virtualPort, c.user, ...c.extra.map(([, value]) => value)].some((value) => value !== undefined && !plainValue.test(value));
  const host = (c.virtualHost ?? '').toLowerCase();
  const port = Number(c.virtualPort);
  const mapping = mappings.find((candidate) => candidate.virtualHost.toLowerCase() === host && candidate.virtualPort === port);
  const httpMapping = mapping?.protocol === 'HTTP' || mapping?.protocol === 'HTTPS';
  const pathOnly = c.path.split('?')[0] ?? '';
  const resources = (mapping?.resources ?? []).filter(
    (resource) => resource.enabled === true && (resource.exactMatchOnly === true ? pathOnly === resource.id : pathOnly.startsWith(resource.id)),
  );
  const result = (status: number, step: string) => ({ status, step, weird });
  if (c.connect && !c.webSocket) {
    if (!mapping) return result(403, 'tcp:no-mapping');
    if (mapping.protocol !== 'TCP') return result(403, 'tcp:protocol');
    return mapping.localPort === deadPort ? result(502, 'tcp:dead') : result(200, 'tcp:relayed');
  }
  if (!mapping) return result(403, 'http:no-mapping');
  if (!httpMapping) return result(403, 'http:protocol');
  if (resources.length === 0) return result(403, 'http:resource');
  if (c.connect && !resources.some((resource) => resource.websocketUpgradeAllowed === true)) return result(403, 'ws:not-allowed');
  if (mapping.localPort === deadPort) return result(502, 'http:dead');
  if (c.connect) return result(200, 'ws:relayed');
  // Node's HTTP client refuses what no HTTP/1.1 request line can carry: the connector answers 502 then.
  if (!h2Token.test(c.method) || /[^\u0021-\u00ff]/.test(c.path)) return result(502, 'http:unsendable');
  // A propagated user whose name no header can carry (control characters) fails this request, not the tunnel.
  const user = decodeUser(c.user);
  if (mapping.authenticationMode === 'X509_GENERAL' && user && /[^\t\x20-\x7e\x80-\xff]/.test(user.userName)) return result(502, 'http:unsendable-user');
  // The test backend is a Node HTTP server: it knows its methods, the others it answers with 400 itself.
  if (!METHODS.includes(c.method.toUpperCase())) return result(400, 'http:backend-method');
  return result(200, 'http:backend');
}

/**
 * Header values HTTP/2 carries as valid: the real proxy sends nothing else, and a peer that sends invalid fields
 * loses its whole session after 1000 of them (Node's maxSessionInvalidFrames), which is HTTP/2 working as meant.
 */
const fieldValue = fc.stringMatching(/^(?:[\x21-\x7e](?:[\x20-\x7e]{0,20}[\x21-\x7e])?)?$/);

/** Connection-specific names: HTTP/2 forbids them, and the proxy strips them before any stream is opened. */
const connectionSpecific = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'host', 'http2-settings']);

const streamCase: fc.Arbitrary<StreamCase> = fc
  .record({
    connect: fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    method: fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'PATCH', 'OPTIONS') },
      { weight: 1, arbitrary: fc.constantFrom('TRACE', 'M-SEARCH', 'get', 'X') },
      { weight: 1, arbitrary: fc.stringMatching(h2Token) },
    ),
    target: fc.oneof(
      {
        weight: 6,
        arbitrary: fc.constantFrom<[string | undefined, string | undefined]>(
          ['web.virtual', '80'],
          ['WEB.VIRTUAL', '80'],
          ['internal.virtual', '8080'],
          ['tcp.virtual', '7000'],
          ['deadweb.virtual', '80'],
          ['deadtcp.virtual', '7001'],
        ),
      },
      {
        weight: 3,
        arbitrary: fc.tuple(
          fc.oneof(fc.constantFrom('web.virtual', 'internal.virtual', 'tcp.virtual', 'nowhere.virtual', '', undefined), fieldValue),
          fc.oneof(
            fc.constantFrom('80', '8080', '7000', '7001', undefined, '', '080', '80.0', '0x50', '8e1', '8 0', '-80', '99999', 'NaN', 'Infinity'),
            fieldValue,
          ),
        ),
      },
    ),
    path: fc.oneof(
      {
        weight: 8,
        arbitrary: fc
          .tuple(
            fc.constantFrom('/api', '/api/', '/apix', '/exact', '/exact/', '/off', '/ws', '/', '/other'),
            fc.stringMatching(/^[A-Za-z0-9/._~%?=&-]{0,20}$/),
          )
          .map(([a, b]) => a + b),
      },
      { weight: 1, arbitrary: fc.stringMatching(/^\/[\x21-\x7e]{0,30}$/) },
    ),
    webSocket: fc.boolean(),
    user: fc.oneof(
      { weight: 4, arbitrary: fc.constant(undefined) },
      { weight: 2, arbitrary: fc.constantFrom(...users).map(encodeUser) },
      {
        weight: 1,
        arbitrary: fc.oneof(
          fieldValue,
          fc.jsonValue().map((value) => Buffer.from(JSON.stringify(value) ?? '').toString('base64url')),
        ),
      },
    ),
    extra: fc.array(
      fc.tuple(
        fc.oneof(
          fc.constantFrom('x-emulated-user', 'ssl_client_cert', 'x-scc-tunnel-virtual-host', 'sap-connectivity-authentication', 'expect', 'x-forwarded-host'),
          fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/).filter((name) => !connectionSpecific.has(name)),
        ),
        fieldValue,
      ),
      { maxLength: 3 },
    ),
    body: fc.oneof(
      { weight: 4, arbitrary: fc.constant(Buffer.alloc(0)) },
      { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 64 }).map((bytes) => Buffer.from(bytes)) },
    ),
  })
  .map(({ target: [virtualHost, virtualPort], ...rest }) => ({ ...rest, virtualHost, virtualPort }));

/** A stand-in for the proxy's tunnel port: answers the connector's upgrade and becomes its HTTP/2 client. */
async function startFakeProxy(): Promise<{ url: string; session: Promise<ClientHttp2Session>; close(): Promise<void> }> {
  let resolveSession!: (session: ClientHttp2Session) => void;
  const session = new Promise<ClientHttp2Session>((resolve) => (resolveSession = resolve));
  const sockets = new Set<Socket>();
  const server = createHttpServer();
  server.on('upgrade', (_req: IncomingMessage, socket: Socket, head: Buffer) => {
    sockets.add(socket);
    socket.on('error', () => socket.destroy());
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: ${tunnelUpgradeToken}\r\n\r\n`);
    if (head.length > 0) socket.unshift(head);
    const client = connectHttp2('http://cloud-connector.invalid', { createConnection: () => socket, maxSessionMemory: 64 });
    client.on('error', () => undefined);
    resolveSession(client);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    session,
    async close() {
      (await session).destroy();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function runStream(session: ClientHttp2Session, c: StreamCase): Promise<StreamOutcome> {
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of c.extra) headers[name] = value;
  if (c.virtualHost !== undefined) headers[StreamHeader.virtualHost] = c.virtualHost;
  if (c.virtualPort !== undefined) headers[StreamHeader.virtualPort] = c.virtualPort;
  if (c.user !== undefined) headers[StreamHeader.user] = c.user;
  if (c.connect) {
    Object.assign(headers, { ':method': 'CONNECT', ':authority': 'tunnel.invalid:1', [StreamHeader.protocol]: c.webSocket ? 'HTTP' : 'TCP' });
    if (c.webSocket) Object.assign(headers, { [StreamHeader.upgrade]: 'websocket', [StreamHeader.path]: c.path, [StreamHeader.method]: 'GET' });
  } else {
    Object.assign(headers, { ':method': c.method, ':path': c.path, ':scheme': 'http', ':authority': 'tunnel.invalid:1', [StreamHeader.protocol]: 'HTTP' });
  }
  return new Promise((resolve) => {
    let stream: ReturnType<ClientHttp2Session['request']>;
    try {
      stream = session.request(headers, { endStream: !c.connect && c.body.length === 0 });
    } catch (error) {
      resolve({ reset: `refused locally: ${(error as NodeJS.ErrnoException).code ?? String(error)}` });
      return;
    }
    let status = 0;
    const chunks: Buffer[] = [];
    stream.on('response', (response) => {
      status = Number(response[':status']);
      // A relayed TCP stream: say something, half-close, and expect it back.
      if (c.connect && status === 200) stream.end(c.connect && !c.webSocket ? Buffer.from('ping through the tunnel') : undefined);
    });
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', () => undefined);
    stream.on('close', () => {
      if (status === 0) resolve({ reset: `rst ${stream.rstCode}` });
      else resolve({ status, body: Buffer.concat(chunks) });
    });
    if (!c.connect && c.body.length > 0) stream.end(c.body);
  });
}

describe('Cloud Connector streams, fuzzed over one HTTP/2 session', () => {
  it(`answers every multiplexed stream as its access control prescribes and keeps the session (${FUZZ_RUNS} cases)`, async (t) => {
    const backends = await startBackends();
    const fake = await startFakeProxy();
    const mappings = streamMappings(backends);
    const connector = new CloudConnector({
      tunnelUrl: fake.url,
      secret: 'fake',
      subaccountId: PROVIDER_TENANT_ID,
      mappings,
      certificateAuthority: h.identity.ca,
      connectTimeoutMs: 2_000,
    });
    t.after(async () => {
      await connector.close();
      await fake.close();
      await backends.close();
    });
    await connector.connect();
    const session = await fake.session;
    const counter = new CaseCounter();
    const ms = await timed(() =>
      fc.assert(
        fc.asyncProperty(streamCase, async (c) => {
          const expected = streamModel(c, mappings, backends.deadPort);
          counter.hit(`${expected.weird ? 'weird:' : ''}${expected.step}`);
          const outcome = await within(runStream(session, c), 5_000, `stream ${JSON.stringify(c).slice(0, 300)}`);
          if ('reset' in outcome) {
            counter.hit(`reset:${outcome.reset}`);
            assert.ok(expected.weird, `stream reset (${outcome.reset}) for a plain request ${JSON.stringify(c)}`);
            return;
          }
          // HTTP/2 drops header fields it finds invalid: a weird request may lose one and be denied, never gain access.
          const allowed = expected.weird ? [expected.status, 403, 502] : [expected.status];
          assert.ok(
            allowed.includes(outcome.status),
            `${expected.step}: ${outcome.status}, expected ${allowed.join('/')} for ${JSON.stringify(c)}: ${outcome.body.toString().slice(0, 200)}`,
          );
          if (outcome.status !== 200) return;
          if (c.connect && !c.webSocket) return assert.equal(outcome.body.toString(), 'ping through the tunnel');
          if (c.connect) return;
          if (c.method === 'HEAD') return assert.equal(outcome.body.length, 0);
          const seen = JSON.parse(outcome.body.toString()) as {
            method: string;
            url: string;
            host: string;
            forwardedHost: string | null;
            emulatedUser: string | null;
            certificate: boolean;
            leaked: string[];
          };
          assert.equal(seen.method, c.method.toUpperCase(), "Node's client writes methods in upper case");
          assert.equal(seen.url, c.path);
          assert.deepEqual(seen.leaked, [], 'tunnel and proxy-control headers never reach the backend');
          if (expected.weird) return;
          const internal = (c.virtualHost ?? '').toLowerCase() === 'internal.virtual';
          assert.equal(seen.host, internal ? `127.0.0.1:${backends.httpPort}` : 'web.virtual:80');
          // With hostInHeader "internal" the connector names the virtual host; otherwise a client's own value passes.
          const clientForwardedHost = c.extra.filter(([name]) => name === 'x-forwarded-host').at(-1)?.[1] ?? null;
          assert.equal(seen.forwardedHost, internal ? 'Internal.Virtual:8080' : clientForwardedHost);
          // Only the connector propagates a user, and only a verified one on an X.509 mapping.
          const user = decodeUser(c.user);
          const propagated = !internal && user !== undefined;
          assert.equal(seen.emulatedUser, propagated ? user.userName : null);
          assert.equal(seen.certificate, propagated);
        }),
        fuzzParameters(t),
      ),
    );
    t.diagnostic(`cloud connector streams: ${FUZZ_RUNS} cases in ${ms} ms (${counter.summary()})`);
    const stats = connector.stats();
    assert.equal(connector.state, 'connected');
    assert.equal(stats.connections, 1, 'one session carried every stream');
    assert.ok(stats.totalStreams >= FUZZ_RUNS / 2, `${stats.totalStreams} streams`);
    failures.assertNone();
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Cloud Connector → proxy: a scripted, misbehaving connector answers the real proxy's streams.

type ConnectorAnswer =
  | {
      readonly kind: 'respond';
      readonly status: number;
      readonly headers: readonly (readonly [string, string])[];
      readonly body: Buffer;
      readonly length: boolean;
    }
  | { readonly kind: 'reset'; readonly code: number }
  | { readonly kind: 'cut'; readonly status: number; readonly body: Buffer; readonly code: number; readonly length: boolean };

interface ProxyCase {
  readonly via: 'http' | 'socks';
  readonly method: 'GET' | 'HEAD' | 'POST';
  readonly answer: ConnectorAnswer;
}

const responseHeaderName = fc.oneof(
  fc.constantFrom('content-type', 'location', 'set-cookie', 'x-scc-tunnel-user', 'cache-control', 'www-authenticate', 'proxy-authenticate', 'x-custom'),
  fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/).filter((name) => !connectionSpecific.has(name) && name !== 'content-length'),
);
const responseHeaderValue = fc.oneof(
  { weight: 8, arbitrary: fieldValue },
  { weight: 1, arbitrary: fc.constantFrom('caf\u00e9', 'a\u0001b', 'x\u007fy', '\u00ff') },
);
const status = fc.oneof(fc.constantFrom(200, 201, 204, 301, 302, 304, 400, 401, 403, 404, 407, 500, 502, 503), fc.integer({ min: 200, max: 599 }));
const connectorAnswer: fc.Arbitrary<ConnectorAnswer> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('respond' as const),
      status,
      headers: fc.array(fc.tuple(responseHeaderName, responseHeaderValue), { maxLength: 4 }),
      body: fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
      length: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('reset' as const), code: fc.integer({ min: 0, max: 13 }) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('cut' as const),
      status: fc.constantFrom(200, 404),
      body: fc.uint8Array({ minLength: 1, maxLength: 100 }).map((bytes) => Buffer.from(bytes)),
      code: fc.integer({ min: 1, max: 13 }),
      length: fc.boolean(),
    }),
  },
);
const proxyCase: fc.Arbitrary<ProxyCase> = fc.record({
  via: fc.oneof({ weight: 3, arbitrary: fc.constant('http' as const) }, { weight: 1, arbitrary: fc.constant('socks' as const) }),
  method: fc.constantFrom('GET', 'HEAD', 'POST'),
  answer: connectorAnswer,
});

/** Plays `answer` on one stream; returns what actually went out (Node may refuse a header the script asked for). */
function play(stream: ServerHttp2Stream, answer: ConnectorAnswer): 'as-scripted' | 'refused' {
  stream.on('error', () => undefined);
  stream.resume();
  if (answer.kind === 'reset') {
    stream.close(answer.code);
    return 'as-scripted';
  }
  const bodyless = answer.status === 204 || answer.status === 304;
  const headers: OutgoingHttpHeaders = { ':status': answer.status };
  if (answer.kind === 'respond') {
    for (const [name, value] of answer.headers) headers[name] = value;
    if (answer.length && !bodyless) headers['content-length'] = String(answer.body.length);
  } else if (answer.length) headers['content-length'] = String(answer.body.length + 10);
  try {
    stream.respond(headers, { endStream: bodyless });
  } catch {
    stream.close(h2.NGHTTP2_INTERNAL_ERROR);
    return 'refused';
  }
  if (bodyless) return 'as-scripted';
  if (answer.kind === 'respond') stream.end(answer.body);
  else stream.write(answer.body, () => stream.close(answer.code));
  return 'as-scripted';
}

/** A "Cloud Connector" registered at the sandbox proxy whose every stream `onStream` answers by hand. */
async function startScriptedConnector(locationId: string, onStream: (stream: ServerHttp2Stream) => void): Promise<{ close(): void }> {
  const server = createHttp2Server({ settings: { initialWindowSize: 1024 * 1024 } });
  server.on('stream', onStream);
  const connected = once(h.stack.proxy.tunnels, 'connected');
  const socket = await new Promise<Socket>((resolve, reject) =>
    registerAtProxy(
      { tunnelUrl: h.stack.proxy.tunnelUrl, secret: h.identity.connectorSecret, subaccountId: PROVIDER_TENANT_ID, locationId, timeoutMs: 5_000 },
      (result) => (result.ok ? resolve(result.socket) : reject(new Error(result.reason))),
    ),
  );
  socket.on('error', () => undefined);
  server.emit('connection', socket);
  await connected;
  return {
    close() {
      socket.destroy();
      server.close();
    },
  };
}

describe('connectivity proxy against a misbehaving Cloud Connector', () => {
  it(`turns whatever the connector answers into a well-formed HTTP or SOCKS5 answer (${FUZZ_RUNS} cases)`, async (t) => {
    const locationId = 'fuzz-connector';
    let answer: ConnectorAnswer = { kind: 'reset', code: 0 };
    let played: 'as-scripted' | 'refused' | undefined;
    let streams = 0;
    const connector = await startScriptedConnector(locationId, (stream) => {
      streams++;
      played = play(stream, answer);
    });
    t.after(() => connector.close());
    const counter = new CaseCounter();
    const ms = await timed(() =>
      fc.assert(
        fc.asyncProperty(proxyCase, async (c) => {
          answer = c.answer;
          played = undefined;
          counter.hit(`${c.via}:${c.answer.kind}`);
          if (c.via === 'http') await httpThroughConnector(c, locationId, () => played);
          else await socksThroughConnector(c, locationId, () => played);
        }),
        fuzzParameters(t),
      ),
    );
    t.diagnostic(`proxy against a scripted connector: ${FUZZ_RUNS} cases in ${ms} ms, ${streams} streams on one session (${counter.summary()})`);
    assert.ok(h.stack.proxy.tunnels.get(PROVIDER_TENANT_ID, locationId), 'the scripted connector is still registered');
    assert.ok(streams >= FUZZ_RUNS, 'every case crossed the tunnel');
    failures.assertNone();
  });
});

async function httpThroughConnector(c: ProxyCase, locationId: string, played: () => string | undefined): Promise<void> {
  const body = c.method === 'POST' ? 'payload' : '';
  const request = Buffer.from(
    `${c.method} http://fuzz.virtual:1/x HTTP/1.1\r\nHost: fuzz.virtual:1\r\nProxy-Authorization: Bearer ${h.tokens.provider}\r\n` +
      `SAP-Connectivity-SCC-Location_ID: ${locationId}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
    'latin1',
  );
  const seen = await within(rawExchange(h.stack.proxy.httpPort, [request], { halfClose: false }), 5_000, `HTTP through the connector: ${JSON.stringify(c)}`);
  const text = seen.bytes.toString('latin1');
  const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(text)?.[1] ?? Number.NaN);
  const headEnd = seen.bytes.indexOf('\r\n\r\n');
  const head = text.slice(0, Math.max(0, headEnd));
  const received = headEnd < 0 ? Buffer.alloc(0) : seen.bytes.subarray(headEnd + 4);
  const { answer } = c;
  assert.ok(!Number.isNaN(status), `no HTTP answer for ${JSON.stringify(c)}: ${JSON.stringify(text.slice(0, 200))}`);
  assert.doesNotMatch(text, stackTrace);
  if (answer.kind === 'reset' || played() === 'refused') return assert.equal(status, 502, `${JSON.stringify(c)}: ${text.slice(0, 200)}`);
  // HTTP/1.1 cannot carry every header value HTTP/2 does: then the proxy answers 502 itself.
  // So can HTTP/2 itself refuse a malformed response (content with a 205): 502 as well.
  const unwritable =
    answer.kind === 'respond' &&
    (answer.headers.some(([, value]) => /[^\t\x20-\x7e\x80-\xff]/.test(value)) || (answer.status === 205 && answer.body.length > 0));
  // A reset right behind the head can overtake it: Node 22.23 and 24 report the RST_STREAM and no response when both
  // arrive together (a HEAD's head ends the stream at once), and the proxy answers 502, as for a reset.
  const overtaken = answer.kind === 'cut' && status === 502;
  assert.ok(status === answer.status || (unwritable && status === 502) || overtaken, `${status} for ${JSON.stringify(c)}: ${text.slice(0, 300)}`);
  if (status === 502 && answer.status !== 502) return;
  // HTTP/1.1 allows no body with 204, 205 and 304: Node's server drops one.
  const bodyless = c.method === 'HEAD' || answer.status === 204 || answer.status === 205 || answer.status === 304;
  if (answer.kind === 'cut') {
    // Whatever arrives of a body the connector broke off is a prefix of it; a declared length is never reached.
    // (Whether a chunked one still gets its last chunk is the todo test "a connector's RST_STREAM ..." below.)
    const chunked = /\r\ntransfer-encoding: chunked/i.test(head);
    const payload = chunked ? (dechunk(received) ?? received) : received;
    if (!chunked) assert.ok(hex(answer.body).startsWith(hex(payload)), `relayed body is the connector's: ${JSON.stringify(c)}`);
    if (answer.length) assert.ok(received.length < answer.body.length + 10, `a cut body arrived whole: ${JSON.stringify(c)}`);
    return;
  }
  const chunked = /\r\ntransfer-encoding: chunked/i.test(head);
  const payload = chunked ? dechunk(received) : received;
  if (bodyless) return assert.equal(payload?.length, 0, 'no content');
  assert.ok(payload, `incomplete chunked body for ${JSON.stringify(c)}`);
  assert.equal(hex(payload), hex(answer.body));
}

async function socksThroughConnector(c: ProxyCase, locationId: string, played: () => string | undefined): Promise<void> {
  const location = Buffer.from(Buffer.from(locationId).toString('base64'), 'latin1');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(h.tokens.provider.length);
  const handshake = Buffer.concat([
    Buffer.from([0x05, 0x01, 0x80, 0x01]),
    length,
    Buffer.from(h.tokens.provider, 'latin1'),
    Buffer.from([location.length]),
    location,
    Buffer.from([0x05, 0x01, 0x00, 0x03, 12]),
    Buffer.from('fuzz.virtual'),
    Buffer.from([0x00, 0x01]),
  ]);
  const seen = await within(
    rawExchange(h.stack.proxy.socks5Port, [handshake], { halfClose: false }),
    5_000,
    `SOCKS5 through the connector: ${JSON.stringify(c)}`,
  );
  const { answer } = c;
  const prefix = Buffer.from([0x05, 0x80, 0x01, 0x00]);
  const reply = (rep: number) => Buffer.concat([prefix, Buffer.from([0x05, rep, 0x00, 0x01, 0, 0, 0, 0, 0, 0])]);
  if (answer.kind === 'reset' || played() === 'refused') return assert.equal(hex(seen.bytes), hex(reply(0x01)), JSON.stringify(c));
  const rep = answer.status === 200 ? 0x00 : answer.status === 403 ? 0x02 : answer.status === 502 ? 0x04 : 0x01;
  assert.equal(hex(seen.bytes.subarray(0, 14)), hex(reply(rep)), JSON.stringify(c));
  const relayed = seen.bytes.subarray(14);
  if (rep !== 0x00) return assert.equal(relayed.length, 0, 'nothing follows a refusal');
  if (answer.kind === 'cut') {
    // The bytes are the connector's; how the end looks (it should be a reset) is the todo test below.
    return assert.ok(hex(answer.body).startsWith(hex(relayed)), 'relayed bytes are the connector stream');
  }
  assert.equal(hex(relayed), hex(c.answer.kind === 'respond' && answer.status !== 204 && answer.status !== 304 ? answer.body : Buffer.alloc(0)));
  assert.equal(seen.ending, 'end');
}

// ---------------------------------------------------------------------------------------------------------------
// Counterexamples the fuzzing above found, kept as plain regression tests.

describe('tunnel regressions found by fuzzing', () => {
  it('a connector that breaks HTTP/2 right after registering (an oversized first frame) frees its slot', async (t) => {
    // Was (tunnelServer.ts): nghttp2 answered the frame with GOAWAY and stopped reading without telling Node; the
    // session never closed, not even on the peer's FIN, and the (subaccount, location) slot answered 409 for good.
    const tunnelPort = await startTunnelPort();
    t.after(() => tunnelPort.close());
    const locationId = 'zombie';
    const registration = serialiseRegistration({
      path: '/connector',
      connection: 'Upgrade',
      upgrade: tunnelUpgradeToken,
      authorization: `Bearer ${h.identity.connectorSecret}`,
      subaccount: PROVIDER_TENANT_ID,
      location: encodeLocation(locationId),
      after: Buffer.from('e6673e04c6ea3105e356993c1d72ef422e68e6d6a9cd', 'hex'),
      cuts: [],
    });
    const connected = once(tunnelPort.tunnels, 'connected');
    const gone = once(tunnelPort.tunnels, 'disconnected');
    const seen = await rawExchange(tunnelPort.port, [registration]);
    assert.match(seen.bytes.toString('latin1'), /^HTTP\/1\.1 101 /);
    await connected;
    await within(gone, livenessWatchdogMs, 'the broken tunnel leaving the registry (at the second unanswered liveness PING)');
    const successor = new CloudConnector({
      tunnelUrl: `http://127.0.0.1:${tunnelPort.port}`,
      secret: h.identity.connectorSecret,
      subaccountId: PROVIDER_TENANT_ID,
      locationId,
      mappings: [],
    });
    t.after(() => successor.close());
    await successor.connect();
    assert.ok(tunnelPort.tunnels.get(PROVIDER_TENANT_ID, locationId));
  });

  it('a chunked OPTIONS body reaches the backend chunked, not as a second request past access control', async (t) => {
    // Was (httpStream.ts): Node's client sends a GET, HEAD, DELETE or OPTIONS body without Content-Length unframed,
    // so the backend read the smuggled "GET /private" as the next request on the kept-alive connection, although
    // only /public is exposed. (The proxy's own HTTP/2 client drops GET, HEAD and DELETE bodies; OPTIONS passes.)
    const heads: string[] = [];
    let bytes = Buffer.alloc(0);
    const backend = createTcpServer((socket) => {
      socket.on('error', () => undefined);
      let answered = false;
      socket.on('data', (chunk: Buffer) => {
        bytes = Buffer.concat([bytes, chunk]);
        const end = bytes.indexOf('\r\n\r\n');
        if (answered || end < 0) return;
        answered = true;
        heads.push(bytes.subarray(0, end).toString('latin1'));
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      });
    });
    backend.listen(0, '127.0.0.1');
    await once(backend, 'listening');
    const connector = new CloudConnector({
      tunnelUrl: h.stack.proxy.tunnelUrl,
      secret: h.identity.connectorSecret,
      subaccountId: PROVIDER_TENANT_ID,
      locationId: 'smuggle',
      mappings: [
        {
          virtualHost: 'web.virtual',
          virtualPort: 80,
          localHost: '127.0.0.1',
          localPort: (backend.address() as AddressInfo).port,
          protocol: 'HTTP',
          resources: [{ id: '/public', enabled: true, exactMatchOnly: true }],
        },
      ],
    });
    t.after(async () => {
      await connector.close();
      await new Promise((resolve) => backend.close(resolve));
    });
    await connector.connect();
    const smuggled = 'GET /private HTTP/1.1\r\nHost: web.virtual:80\r\n\r\n';
    const request =
      `OPTIONS http://web.virtual:80/public HTTP/1.1\r\nHost: web.virtual:80\r\nProxy-Authorization: Bearer ${h.tokens.provider}\r\n` +
      `SAP-Connectivity-SCC-Location_ID: smuggle\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${smuggled.length.toString(16)}\r\n${smuggled}\r\n0\r\n\r\n`;
    const seen = await within(rawExchange(h.stack.proxy.httpPort, [Buffer.from(request, 'latin1')], { halfClose: false }), 5_000, 'the proxied OPTIONS');
    assert.match(seen.bytes.toString('latin1'), /^HTTP\/1\.1 200 /);
    assert.equal(heads.length, 1);
    assert.match(heads[0] ?? '', /^OPTIONS \/public HTTP\/1\.1\r\n/);
    assert.match(heads[0] ?? '', /\r\ntransfer-encoding: chunked/i, 'the body is framed');
  });

  it('a connector that refuses a SOCKS5 stream with RST_STREAM(NO_ERROR) gets the client REP 0x01 at once', async (t) => {
    // Was (socks5.ts): no 'error', no 'response': the client waited for the 10 s handshake timeout and then
    // lost the connection without any SOCKS5 reply.
    const connector = await startScriptedConnector('refusing', (stream) => {
      stream.on('error', () => undefined);
      stream.close(h2.NGHTTP2_NO_ERROR);
    });
    t.after(() => connector.close());
    const handshake = Buffer.concat([
      Buffer.from([0x05, 0x01, 0x80]),
      socksAuthBytes(h.tokens.provider, 'refusing'),
      Buffer.from([0x05, 0x01, 0x00, 0x03, 0x01, 0x61, 0x00, 0x01]),
    ]);
    const seen = await within(rawExchange(h.stack.proxy.socks5Port, [handshake], { halfClose: false }), 2_000, 'the SOCKS5 reply');
    assert.equal(hex(seen.bytes), '0580010005010001000000000000');
  });

  it(
    "a connector's RST_STREAM after some bytes reaches the client as a broken stream, not a finished one",
    {
      // Node's Http2Stream.close() and destroy() end the writable side first, so END_STREAM goes on the wire before
      // RST_STREAM and the receiving end sees a complete body. Telling the two apart needs an abort signal of the
      // tunnel's own (a trailer), on both sides of the sandbox: left open, see docs/security.md.
      todo: 'Node writes END_STREAM before RST_STREAM; the tunnel needs its own abort signal',
    },
    async (t) => {
      const connector = await startScriptedConnector('cutting', (stream) => {
        stream.on('error', () => undefined);
        stream.respond({ ':status': 200 });
        stream.write(Buffer.from('partial'), () => stream.close(h2.NGHTTP2_CANCEL));
      });
      t.after(() => connector.close());
      const handshake = Buffer.concat([
        Buffer.from([0x05, 0x01, 0x80]),
        socksAuthBytes(h.tokens.provider, 'cutting'),
        Buffer.from([0x05, 0x01, 0x00, 0x03, 0x01, 0x61, 0x00, 0x01]),
      ]);
      const socks = await within(rawExchange(h.stack.proxy.socks5Port, [handshake], { halfClose: false }), 2_000, 'the SOCKS5 relay');
      assert.equal(socks.ending, 'reset', 'SOCKS5: a reset, not a FIN');
      const http = await within(
        rawExchange(
          h.stack.proxy.httpPort,
          [
            Buffer.from(
              `GET http://a.virtual:1/ HTTP/1.1\r\nHost: a.virtual:1\r\nProxy-Authorization: Bearer ${h.tokens.provider}\r\nSAP-Connectivity-SCC-Location_ID: cutting\r\nConnection: close\r\n\r\n`,
              'latin1',
            ),
          ],
          { halfClose: false },
        ),
        2_000,
        'the HTTP relay',
      );
      assert.doesNotMatch(http.bytes.toString('latin1'), /\r\n0\r\n\r\n$/, 'HTTP: no last chunk after a broken-off body');
    },
  );
});

/** The SAP sub-negotiation: `01 | len32be | JWT | L | base64(location)`. */
function socksAuthBytes(token: string, locationId: string): Buffer {
  const location = Buffer.from(Buffer.from(locationId, 'utf8').toString('base64'), 'latin1');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(token.length);
  return Buffer.concat([Buffer.from([0x01]), length, Buffer.from(token, 'latin1'), Buffer.from([location.length]), location]);
}
