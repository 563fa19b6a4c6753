// SAP's application router (@sap/approuter, pinned 21.2.0) run unchanged against the sandbox. The approuter reads
// VCAP_SERVICES and NODE_EXTRA_CA_CERTS once at start-up, so every scenario starts it in a fresh child process
// (approuterClient.mjs) with its own configuration; the sandbox runs here, and what it received is recorded
// passively through Node's `http.server.*` diagnostics channels.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { runResultChild, type ChildRun } from '../../support/resultChild';
import diagnosticsChannel from 'node:diagnostics_channel';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { createLogger } from '../../../src/core/log';
import { writeSandboxFiles, type SandboxFiles } from '../../../src/sandbox/files';
import { PROVIDER_TENANT_ID } from '../../../src/sandbox/base/world';
import { decodeClaims, startSandboxFixture, type SandboxFixture } from '../../support/sandboxFixture';
import { osEnv } from '../../support/platform';

const clientScript = join(import.meta.dirname, 'approuterClient.mjs');
/** Preload for the child only: `<subdomain>.localhost` → 127.0.0.1, what a hosts entry would do (see the file). */
const localhostSubdomainsPreload = join(import.meta.dirname, 'localhostSubdomains.mjs');
const childTimeoutMs = 30_000;

type Vcap = Record<string, Array<{ label: string; tags: string[]; credentials: Record<string, unknown> }>>;

/** One request a sandbox listener received, reduced to what the assertions and the transcript need. */
interface Received {
  /** `approuter` = sent by the child; `sandbox` = the sandbox's own outbound calls; `connector` = Cloud Connector → on-premise system. */
  readonly from: 'approuter' | 'sandbox' | 'connector';
  readonly server: string;
  readonly method: string;
  readonly url: string;
  readonly host: string;
  readonly headers: IncomingMessage['headers'];
  status?: number;
  /** Token endpoints: who the issued token is for, e.g. `connectivity@provider#2` (n-th token of that client kind in this run). */
  issued?: string;
}

interface Route {
  readonly source: string;
  readonly target: string;
  readonly destination: string;
}

interface PlanRequest {
  readonly name: string;
  readonly path: string;
  readonly headers?: Record<string, string>;
}

interface Answer {
  readonly name: string;
  readonly status: number;
  readonly contentType: string | null;
  readonly json: EchoAnswer | null;
  readonly text: string | null;
}

interface EchoAnswer {
  readonly service: string;
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly headers: Record<string, string | undefined>;
}

/** A request the approuter sent, as the child saw it (also those that never reached the sandbox). */
interface Outbound {
  readonly method: string;
  readonly url: string;
  /** Request line in absolute form: sent through a proxy agent (OnPremise: the connectivity proxy). */
  readonly absoluteForm: boolean;
  /** `address:port` of the TCP connection the request went out on. */
  readonly connectedTo: string | null;
  readonly status?: number;
  readonly error?: string;
}

interface ApprouterRun {
  readonly started: boolean;
  readonly startError: string | null;
  readonly startupTokenCalls: number;
  readonly responses: Answer[];
  readonly outbound: Outbound[];
  /** The approuter's own log lines (stdout and stderr). */
  readonly log: string[];
  readonly received: Received[];
  readonly sandboxLog: string[];
}

interface RunOptions {
  readonly vcap: Vcap;
  readonly routes: Route[];
  readonly requests?: PlanRequest[];
  /** Start-up token calls to wait for before the first request: one per destination/connectivity binding. */
  readonly startupTokens?: number;
  /** Make `<subdomain>.localhost` resolve in the child (only applied where the system resolver does not). */
  readonly resolveTenantHosts?: boolean;
}

/** The route shape of spec §8 check 25; `prefix` only tells several such routes apart in one xs-app.json. */
const apiRoute = (destination: string, prefix = ''): Route => ({ source: `^${prefix}/api/(.*)$`, target: '$1', destination });

describe('SAP approuter 21.2.0 against the sandbox, unchanged', () => {
  let fixture: SandboxFixture;
  let directory: string;
  let workingDirectory: string;
  let files: SandboxFiles;
  /** VCAP_SERVICES exactly as `writeSandboxFiles` writes it for users (with the xsuaa binding). */
  let generatedVcap: Vcap;
  /** The same without the xsuaa binding: spec §1.1's way to keep every approuter token call on `url`. */
  let vcapWithoutXsuaa: Vcap;
  /** `<identityzone>.<uaadomain host>` from the generated bindings: where the approuter fetches tenant tokens. */
  let tenantTokenHost: string;
  /** What `dns.lookup(tenantTokenHost)` gives in a plain Node child on this machine. */
  let nativeLookup: { addresses?: string[]; error?: string };
  let needsResolverPreload: boolean;
  let recording: { received: Received[]; sandboxLog: string[]; issuedPerKind: Map<string, number> } | undefined;
  const byRequest = new WeakMap<IncomingMessage, Received>();
  const tokenLabels = new Map<string, string>();
  let servers = new Map<number, string>();

  const world = () => fixture.sandbox.identity.world;
  const subdomainOf = (zid: unknown) => world().tenantById(String(zid))?.subdomain ?? `zid ${String(zid)}`;
  const kindOf = (claims: Record<string, unknown>) => world().client(String(claims.cid))?.kind ?? String(claims.cid);

  /** Token endpoints: remember what each issued token is, so later Bearer headers can be named by it. */
  const noteIssued = (received: Received, body: string) => {
    if (!recording) return;
    let token: unknown;
    try {
      token = (JSON.parse(body) as { access_token?: unknown }).access_token;
    } catch {
      return;
    }
    if (typeof token !== 'string') return;
    const claims = decodeClaims(token);
    const kind = kindOf(claims);
    const n = (recording.issuedPerKind.get(kind) ?? 0) + 1;
    recording.issuedPerKind.set(kind, n);
    const label = `${kind}@${subdomainOf(claims.zid)}#${n}`;
    tokenLabels.set(token, label);
    received.issued = label;
  };

  const onRequest = (message: unknown) => {
    const { request, response } = message as { request: IncomingMessage; response: ServerResponse };
    if (!recording) return;
    const server = servers.get(request.socket.localPort ?? 0) ?? `port ${request.socket.localPort}`;
    const userAgent = request.headers['user-agent'] ?? '';
    // The approuter's calls carry xssec's user agent (tokens) or its correlation id (everything else).
    const fromApprouter = userAgent.startsWith('nodejs-xssec') || request.headers['x-correlationid'] !== undefined;
    const received: Received = {
      from: server === 'erp' ? 'connector' : fromApprouter ? 'approuter' : 'sandbox',
      server,
      method: request.method ?? '',
      url: request.url ?? '',
      host: request.headers.host ?? '',
      headers: { ...request.headers },
    };
    byRequest.set(request, received);
    recording.received.push(received);
    if (server.startsWith('token-')) {
      // Passive: the body still goes out unchanged, we only read the token it carries.
      const end = response.end;
      response.end = function (this: ServerResponse, ...args: unknown[]) {
        const [chunk] = args;
        if (typeof chunk === 'string' || Buffer.isBuffer(chunk)) noteIssued(received, chunk.toString('utf8'));
        return Reflect.apply(end, this, args) as ServerResponse;
      } as unknown as ServerResponse['end'];
    }
  };
  const onResponse = (message: unknown) => {
    const { request, response } = message as { request: IncomingMessage; response: ServerResponse };
    const received = byRequest.get(request);
    if (received) received.status = response.statusCode;
  };

  before(async () => {
    const logger = createLogger((level, prefix, text) => recording?.sandboxLog.push(`${level} ${prefix}: ${text}`));
    fixture = await startSandboxFixture({ logger });
    const { endpoints, connectivity, onPremise } = fixture.sandbox;
    servers = new Map([
      [Number(new URL(endpoints.tokenServiceUrl).port), 'token-http'],
      [Number(new URL(endpoints.tokenServiceHttpsUrl).port), 'token-https'],
      [Number(new URL(endpoints.destinationServiceUrl).port), 'destination'],
      [Number(new URL(endpoints.internetApiUrl).port), 'internet-api'],
      [connectivity.httpPort, 'connectivity-http'],
      [onPremise.erp.port, 'erp'],
      [Number(new URL(endpoints.mtlsApiUrl).port), 'mtls-api'],
    ]);
    directory = await mkdtemp(join(tmpdir(), 'btp-connect-approuter-'));
    workingDirectory = join(directory, 'approuter');
    await mkdir(workingDirectory);
    files = await writeSandboxFiles(fixture.sandbox, directory);
    generatedVcap = JSON.parse(await readFile(files.vcapServices, 'utf8')) as Vcap;
    const { xsuaa: _xsuaa, ...withoutXsuaa } = generatedVcap;
    vcapWithoutXsuaa = withoutXsuaa;
    const connectivityKey = generatedVcap.connectivity?.[0]?.credentials ?? {};
    tenantTokenHost = `${String(connectivityKey.identityzone)}.${String(connectivityKey.uaadomain).replace(/:\d+$/, '')}`;
    nativeLookup = await lookupInChild(tenantTokenHost);
    needsResolverPreload = !(nativeLookup.addresses ?? []).includes('127.0.0.1');

    // Two destinations the approuter must refuse (check 25); the sandbox service accepts both, as a real one would
    // accept a MAIL destination.
    const created = await Promise.all([
      fixture.api('/v1/subaccountDestinations', {
        method: 'POST',
        body: {
          Name: 'approuter-mail-typed',
          Type: 'MAIL',
          URL: `${endpoints.internetApiUrl}/approuter-mail-typed`,
          ProxyType: 'Internet',
          Authentication: 'NoAuthentication',
        },
      }),
      fixture.api('/v1/subaccountDestinations', {
        method: 'POST',
        body: {
          Name: 'approuter-scheme-less',
          Type: 'HTTP',
          URL: 'erp.virtual:8000',
          ProxyType: 'OnPremise',
          Authentication: 'BasicAuthentication',
          User: 'ERPUSER',
          Password: 'erp-password-1',
          'sap-client': '100',
        },
      }),
    ]);
    assert.deepEqual(
      created.map((response) => response.status),
      [201, 201],
      created.map((response) => response.text).join('\n'),
    );

    diagnosticsChannel.subscribe('http.server.request.start', onRequest);
    diagnosticsChannel.subscribe('http.server.response.finish', onResponse);
  });

  after(async () => {
    diagnosticsChannel.unsubscribe('http.server.request.start', onRequest);
    diagnosticsChannel.unsubscribe('http.server.response.finish', onResponse);
    await fixture?.close();
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  const stored = (name: string) => {
    const entry = fixture.sandbox.store.get({ tenantId: PROVIDER_TENANT_ID }, 'destinations', name);
    assert.ok(entry, `seeded destination ${name}`);
    return entry.value as Record<string, string>;
  };
  const basic = (user: string | undefined, password: string | undefined) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

  /** `Bearer <label>` for tokens issued in this run, else `<kind>@<subdomain>(foreign)`. */
  const describeBearer = (value: string) => {
    const [scheme, token = ''] = value.split(' ');
    if (scheme !== 'Bearer') return scheme ?? '';
    const label = tokenLabels.get(token);
    if (label) return `Bearer ${label}`;
    const claims = decodeClaims(token);
    return `Bearer ${kindOf(claims)}@${subdomainOf(claims.zid)}(foreign)`;
  };
  /** One transcript line per request: sender, method, listener, target, the headers that matter, status, issued token. */
  const line = (r: Received) => {
    const parts = [`${r.from}:`, r.method, r.server, r.url];
    if (r.server.startsWith('token-')) parts.push(`host=${r.host.replace(/:\d+$/, '')}`);
    if (r.server === 'erp') parts.push(`host=${r.host}`);
    const header = (name: string) => {
      const value = r.headers[name];
      return typeof value === 'string' ? value : undefined;
    };
    const zid = header('x-zid');
    if (zid) parts.push(`x-zid=${subdomainOf(zid)}`);
    const proxyAuthorization = header('proxy-authorization');
    if (proxyAuthorization) parts.push(`proxy-auth=${describeBearer(proxyAuthorization)}`);
    const location = header('sap-connectivity-scc-location_id');
    if (location !== undefined) parts.push(`location=${location}`);
    const authorization = header('authorization');
    if (authorization) parts.push(`auth=${describeBearer(authorization)}`);
    const sapClient = header('sap-client');
    if (sapClient) parts.push(`sap-client=${sapClient}`);
    const tenant = header('tenantid');
    if (tenant) parts.push(`tenantid=${tenant}`);
    return `${parts.join(' ')} -> ${r.status ?? '?'}${r.issued ? ` => ${r.issued}` : ''}`;
  };
  /** The transcript; the two start-up token calls run in parallel, so their order is normalised. */
  const transcript = (run: ApprouterRun, startupCalls = 2) => {
    const lines = run.received.map(line);
    return [...lines.slice(0, startupCalls).sort(), ...lines.slice(startupCalls)];
  };
  const startupLines = [
    'approuter: POST token-http /oauth/token host=127.0.0.1 -> 200 => connectivity@provider#1',
    'approuter: POST token-http /oauth/token host=127.0.0.1 -> 200 => destination@provider#1',
  ];
  const outboundLine = (call: Outbound) =>
    `${call.method} ${call.url}${call.absoluteForm ? ` (absolute form, connected to ${call.connectedTo})` : ''} -> ${call.status ?? call.error ?? '?'}`;
  const httpsCalls = (run: ApprouterRun) => run.outbound.filter((call) => call.url.startsWith('https:')).map(outboundLine);
  // approuter 21 logs this ERROR at every start without an IAS (identity) binding: it reads app_tid from the empty
  // IAS options it creates itself. Nothing the VCAP could supply (we bind no IAS), so it is not ours to fail on.
  const noIasBinding = /#ERROR#\/approuter#.*Skipping IAS identityzone population at startup: app_tid missing#$/;
  const logErrors = (run: ApprouterRun) => run.log.filter((text) => /#ERROR#|\bERROR\b/.test(text) && !noIasBinding.test(text));

  /** Runs one approuter in a fresh child; records what the sandbox received meanwhile. */
  async function runApprouter(t: TestContext, scenario: string, options: RunOptions): Promise<ApprouterRun> {
    // A minimal, explicit environment: no proxies, no VCAP, `destinations` or approuter settings of the developer's shell.
    const env: Record<string, string> = {
      ...osEnv(),
      PATH: process.env.PATH ?? '',
      VCAP_SERVICES: JSON.stringify(options.vcap),
      NODE_EXTRA_CA_CERTS: files.ca,
      // Listen on loopback only (the approuter's own setting; it would bind all interfaces otherwise).
      XS_BIND_ADDRESS: '127.0.0.1',
      APPROUTER_PLAN: JSON.stringify({
        scenario,
        xsappConfig: { authenticationMethod: 'none', routes: options.routes },
        startupTokens: options.startupTokens ?? 2,
        requests: options.requests ?? [],
      }),
    };
    const preload = options.resolveTenantHosts && needsResolverPreload;
    const args = [...(preload ? ['--import', localhostSubdomainsPreload] : []), clientScript];
    const current = { received: [] as Received[], sandboxLog: [] as string[], issuedPerKind: new Map<string, number>() };
    recording = current;
    let child: ChildRun<Omit<ApprouterRun, 'log' | 'received' | 'sandboxLog'> & { scenario: string }>;
    try {
      child = await runResultChild('approuter', scenario, args, { env, cwd: workingDirectory, timeoutMs: childTimeoutMs });
    } finally {
      recording = undefined;
    }
    const result = child.result;
    const log = [...child.lines, ...child.stderr.split('\n').filter(Boolean)];
    const run: ApprouterRun = { ...result, log, ...current };
    if (preload)
      t.diagnostic(`child preloads ${localhostSubdomainsPreload} (${tenantTokenHost} does not resolve to 127.0.0.1 here: ${JSON.stringify(nativeLookup)})`);
    for (const text of transcript(run, 0)) t.diagnostic(text);
    for (const call of run.outbound) t.diagnostic(`child saw: ${outboundLine(call)}`);
    for (const text of log) t.diagnostic(`approuter log: ${text}`);
    for (const text of current.sandboxLog) t.diagnostic(`sandbox log: ${text}`);
    return run;
  }

  it('check 19: generated VCAP passes approuter start-up (tag lookup, url present, connectivity onpremise_proxy_port as string)', async (t) => {
    // What the approuter relies on in the generated bindings (spec §1.1, §1.3).
    assert.deepEqual(Object.keys(vcapWithoutXsuaa).sort(), ['connectivity', 'destination']);
    for (const [label, bindings] of Object.entries(vcapWithoutXsuaa)) {
      assert.equal(bindings.length, 1, `exactly one ${label} binding`);
      assert.equal(bindings[0]?.label, label);
      assert.ok(bindings[0]?.tags.includes(label), `${label} binding tagged ${label}`);
    }
    const connectivityKey = vcapWithoutXsuaa.connectivity?.[0]?.credentials ?? {};
    assert.equal(typeof connectivityKey.onpremise_proxy_port, 'string');
    assert.equal(connectivityKey.onpremise_proxy_port, connectivityKey.onpremise_proxy_http_port);
    assert.equal(connectivityKey.onpremise_proxy_port, String(fixture.sandbox.connectivity.httpPort));
    assert.equal(connectivityKey.url, connectivityKey.token_service_url);

    // The connectivity schema (onpremise_proxy_port: string) is only checked when an OnPremise destination is
    // used, so the start-up check includes one OnPremise request.
    const run = await runApprouter(t, 'startup', {
      vcap: vcapWithoutXsuaa,
      routes: [apiRoute('onprem-erp-basic')],
      requests: [{ name: 'whoami', path: '/api/whoami' }],
    });
    assert.equal(run.startError, null);
    assert.equal(run.started, true);
    assert.equal(run.startupTokenCalls, 2);
    assert.equal(run.responses[0]?.status, 200, JSON.stringify(run.responses[0]));

    // One client_credentials token per destination/connectivity binding at `<url>/oauth/token`, over plain HTTP,
    // although there is no xsuaa binding and authenticationMethod is none.
    assert.deepEqual(transcript(run).slice(0, 2), startupLines);
    for (const call of run.received.slice(0, 2)) {
      assert.equal(call.headers['user-agent'], 'nodejs-xssec-4');
      assert.equal(call.headers['content-type'], 'application/x-www-form-urlencoded;charset=UTF-8');
      assert.equal(call.headers.authorization, undefined, 'client credentials in the body, not Basic');
      assert.match(String(call.headers['x-vcap-request-id']), /^[0-9a-f-]{36}$/);
    }
    assert.deepEqual(logErrors(run), []);
  });

  it('check 19, counter-checks: the approuter refuses what the generated VCAP must not contain', async (t) => {
    const withoutTags = clone(vcapWithoutXsuaa);
    for (const bindings of Object.values(withoutTags)) for (const binding of bindings) binding.tags = [];
    const withoutUrl = clone(vcapWithoutXsuaa);
    delete withoutUrl.destination?.[0]?.credentials.url;
    const numericPort = clone(vcapWithoutXsuaa);
    const connectivityKey = numericPort.connectivity?.[0]?.credentials ?? {};
    connectivityKey.onpremise_proxy_port = Number(connectivityKey.onpremise_proxy_port);
    const routes = [apiRoute('onprem-erp-basic')];
    const requests = [{ name: 'whoami', path: '/api/whoami' }];

    // Labels alone are not enough: the approuter looks bindings up by tag.
    const untagged = await runApprouter(t, 'untagged', { vcap: withoutTags, routes, requests, startupTokens: 0 });
    assert.equal(untagged.started, false);
    assert.match(String(untagged.startError), /Route references unknown destination "onprem-erp-basic"/);

    const noUrl = await runApprouter(t, 'no-url', { vcap: withoutUrl, routes, requests, startupTokens: 0 });
    assert.equal(noUrl.started, false);
    assert.match(String(noUrl.startError), /No clientid or clientsercret provided/);
    assert.deepEqual(transcript(noUrl, 0), [], 'start-up fails before any token call');

    const numeric = await runApprouter(t, 'numeric-proxy-port', { vcap: numericPort, routes, requests });
    assert.equal(numeric.started, true, 'start-up does not look at the connectivity ports');
    assert.equal(numeric.responses[0]?.status, 500);
    assert.ok(
      numeric.log.some((text) => text.includes('connectivity-configuration/onpremise_proxy_port: Invalid type: number (expected string)')),
      numeric.log.join('\n'),
    );
    assert.ok(!numeric.received.some((r) => r.server === 'connectivity-http'), 'nothing reached the proxy');
  });

  it('check 25: Internet OAuth2ClientCredentials destination — the echo API sees Authorization: Bearer <jwt> whose client_id is the destination clientId', async (t) => {
    const dest = stored('internet-oauth-cc');
    const run = await runApprouter(t, 'internet-oauth-cc', {
      vcap: vcapWithoutXsuaa,
      routes: [apiRoute('internet-oauth-cc')],
      requests: [{ name: 'x', path: '/api/x?a=1' }],
    });
    const [answer] = run.responses;
    assert.equal(answer?.status, 200, JSON.stringify(answer));
    assert.equal(answer.json?.service, 'sandbox-internet-api');
    assert.equal(answer.json.path, '/internet-oauth-cc/x');
    assert.deepEqual(answer.json.query, { a: '1' });
    const authorization = answer.json.headers.authorization ?? '';
    assert.match(authorization, /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    const claims = decodeClaims(authorization.slice('Bearer '.length));
    assert.equal(claims.client_id, dest.clientId);
    assert.equal(claims.zid, PROVIDER_TENANT_ID);
    assert.equal(claims.grant_type, 'client_credentials');

    // No xsuaa binding: the per-request connectivity token (spec §3.5 2a, even for Internet destinations) comes
    // from `url` again; one find call without query string with the start-up destination token; the sandbox
    // fetches the backend token; the approuter forwards authTokens[0].http_header.
    assert.deepEqual(transcript(run), [
      ...startupLines,
      'approuter: POST token-http /oauth/token host=127.0.0.1 -> 200 => connectivity@provider#2',
      'approuter: GET destination /destination-configuration/v1/destinations/internet-oauth-cc auth=Bearer destination@provider#1 -> 200',
      'sandbox: POST token-http /oauth/token host=localhost -> 200 => backend@provider#1',
      'approuter: GET internet-api /internet-oauth-cc/x?a=1 auth=Bearer backend@provider#1 -> 200',
    ]);
    const find = run.received.find((r) => r.server === 'destination');
    assert.equal(find?.headers.accept, 'application/json;charset=utf-8');
    const backend = run.received.find((r) => r.server === 'internet-api');
    assert.equal(backend?.headers['x-forwarded-path'], '/api/x', 'the path the client used, without the query');
    assert.deepEqual(logErrors(run), []);
  });

  it('check 25: OnPremise + Basic — through the connectivity proxy on onpremise_proxy_port with Proxy-Authorization to the on-premise ERP', async (t) => {
    const dest = stored('onprem-erp-basic');
    const run = await runApprouter(t, 'onprem-basic', {
      vcap: vcapWithoutXsuaa,
      routes: [apiRoute('onprem-erp-basic'), apiRoute('onprem-erp-loc2', '/loc2')],
      requests: [
        { name: 'basic', path: '/api/whoami' },
        { name: 'loc2', path: '/loc2/api/whoami' },
      ],
    });
    const [viaBasic, viaLoc2] = run.responses;
    assert.equal(viaBasic?.status, 200, JSON.stringify(viaBasic));
    assert.equal(viaBasic.json?.service, 'sandbox-on-premise-erp');
    assert.equal(viaBasic.json.path, '/whoami');
    const erpHeaders = viaBasic.json.headers;
    assert.equal(erpHeaders.authorization, basic(dest.User, dest.Password));
    assert.equal(erpHeaders.host, 'erp.virtual:8000');
    assert.equal(erpHeaders['sap-client'], '100');
    assert.equal(erpHeaders['proxy-authorization'], undefined, 'the proxy consumes Proxy-Authorization');
    assert.equal(viaLoc2?.status, 200, JSON.stringify(viaLoc2));
    assert.equal(viaLoc2.json?.headers.authorization, undefined, 'NoAuthentication');

    // `connectivity-http` is the listener on the binding's onpremise_proxy_port; absolute-form requests with the
    // per-request connectivity token; the location ID only for the destination that has one.
    assert.deepEqual(transcript(run), [
      ...startupLines,
      'approuter: POST token-http /oauth/token host=127.0.0.1 -> 200 => connectivity@provider#2',
      'approuter: GET destination /destination-configuration/v1/destinations/onprem-erp-basic auth=Bearer destination@provider#1 -> 200',
      'approuter: GET connectivity-http http://erp.virtual:8000/whoami proxy-auth=Bearer connectivity@provider#2 auth=Basic sap-client=100 -> 200',
      'connector: GET erp /whoami host=erp.virtual:8000 auth=Basic sap-client=100 -> 200',
      'approuter: POST token-http /oauth/token host=127.0.0.1 -> 200 => connectivity@provider#3',
      'approuter: GET destination /destination-configuration/v1/destinations/onprem-erp-loc2 auth=Bearer destination@provider#1 -> 200',
      'approuter: GET connectivity-http http://erp.virtual:8000/whoami proxy-auth=Bearer connectivity@provider#3 location=loc2 sap-client=100 -> 200',
      'connector: GET erp /whoami host=erp.virtual:8000 sap-client=100 -> 200',
    ]);
    // The child's side of it: both ERP requests left on a connection to onpremise_proxy_host:onpremise_proxy_port.
    const { onpremise_proxy_host: proxyHost, onpremise_proxy_port: proxyPort } = vcapWithoutXsuaa.connectivity?.[0]?.credentials ?? {};
    assert.equal(proxyPort, String(fixture.sandbox.connectivity.httpPort));
    assert.deepEqual(
      run.outbound.filter((call) => call.absoluteForm).map(outboundLine),
      Array.from({ length: 2 }, () => `GET http://erp.virtual:8000/whoami (absolute form, connected to ${String(proxyHost)}:${String(proxyPort)}) -> 200`),
    );
    assert.deepEqual(logErrors(run), []);
  });

  it('approuter: unsupported certificate format, expected p12 but received pem — the PKCS#12 keystore reaches the mTLS API, the PEM one is refused', async (t) => {
    const run = await runApprouter(t, 'client-certificate', {
      vcap: vcapWithoutXsuaa,
      routes: [apiRoute('internet-client-certificate'), apiRoute('internet-client-certificate-pem', '/pem')],
      requests: [
        { name: 'p12', path: '/api/x?a=1' },
        { name: 'pem', path: '/pem/api/x' },
      ],
    });
    const [p12, pem] = run.responses;
    // The .p12 keystore with KeyStorePassword: the approuter presents it (pfx + passphrase), the mTLS API accepts it.
    assert.equal(p12?.status, 200, JSON.stringify(p12));
    const echoed = p12.json as (EchoAnswer & { clientCertificate?: { subject: string; issuer: string } }) | null;
    assert.equal(echoed?.service, 'sandbox-mtls-api');
    assert.equal(echoed.path, '/internet-client-certificate/x');
    assert.deepEqual(echoed.clientCertificate, {
      subject: 'CN=sandbox-backend-client',
      issuer: `CN=${new X509Certificate(fixture.sandbox.caPem).subject.match(/CN=([^\n]+)/)?.[1] ?? ''}`,
    });
    assert.ok(
      run.log.some((text) => text.includes('Sending p12 certificate to backend')),
      run.log.join('\n'),
    );
    // The finding: the approuter takes only .p12 keystores, whatever the PEM holds.
    assert.equal(pem?.status, 500, JSON.stringify(pem));
    assert.ok(
      run.log.some((text) => text.includes('unsupported certificate format, expected p12 but received pem')),
      run.log.join('\n'),
    );
    // Both look-ups happened; only the p12 request went on to the mTLS API.
    assert.deepEqual(
      run.received.filter((r) => r.server === 'destination' || r.server === 'mtls-api').map((r) => `${r.server} ${r.url} -> ${r.status ?? '?'}`),
      [
        'destination /destination-configuration/v1/destinations/internet-client-certificate -> 200',
        'mtls-api /internet-client-certificate/x?a=1 -> 200',
        'destination /destination-configuration/v1/destinations/internet-client-certificate-pem -> 200',
      ],
    );
  });

  it('check 25: a destination without Type "HTTP" or with a scheme-less URL — the approuter answers 500 (the emulator must emit valid values)', async (t) => {
    // The sandbox hands both out as stored; refusing them is the approuter's part.
    const mail = (await fixture.api('/v1/destinations/approuter-mail-typed')).json<{ destinationConfiguration: Record<string, string> }>();
    assert.equal(mail.destinationConfiguration.Type, 'MAIL');
    const schemeLess = (await fixture.api('/v1/destinations/approuter-scheme-less')).json<{ destinationConfiguration: Record<string, string> }>();
    assert.equal(schemeLess.destinationConfiguration.URL, 'erp.virtual:8000');

    const run = await runApprouter(t, 'invalid-destinations', {
      vcap: vcapWithoutXsuaa,
      routes: [apiRoute('approuter-mail-typed', '/mail'), apiRoute('approuter-scheme-less', '/scheme-less')],
      requests: [
        { name: 'mail', path: '/mail/api/x' },
        { name: 'scheme-less', path: '/scheme-less/api/whoami' },
      ],
    });
    assert.deepEqual(
      run.responses.map((answer) => [answer.name, answer.status, answer.text]),
      [
        ['mail', 500, 'Internal Server Error'],
        ['scheme-less', 500, 'Internal Server Error'],
      ],
    );
    assert.ok(
      run.log.some((text) => text.includes('completed with status 500 service-destinations/type: No enum match for: "MAIL"')),
      run.log.join('\n'),
    );
    assert.ok(
      run.log.some((text) => text.includes('completed with status 500 service-destinations/url: Format validation failed (URI must be absolute)')),
      run.log.join('\n'),
    );
    // The look-ups succeeded; nothing went on to a backend or the proxy.
    assert.deepEqual(transcript(run), [
      ...startupLines,
      'approuter: POST token-http /oauth/token host=127.0.0.1 -> 200 => connectivity@provider#2',
      'approuter: GET destination /destination-configuration/v1/destinations/approuter-mail-typed auth=Bearer destination@provider#1 -> 200',
      'approuter: POST token-http /oauth/token host=127.0.0.1 -> 200 => connectivity@provider#3',
      'approuter: GET destination /destination-configuration/v1/destinations/approuter-scheme-less auth=Bearer destination@provider#1 -> 200',
    ]);
  });

  it('with the xsuaa binding: the tenant connectivity token comes from https://<identityzone>.<uaadomain> (sandbox CA via NODE_EXTRA_CA_CERTS) and the routes work (§2.3, §3.5 step 2a)', async (t) => {
    assert.ok(generatedVcap.xsuaa?.[0]?.tags.includes('xsuaa'));
    const run = await runApprouter(t, 'with-xsuaa', {
      vcap: generatedVcap,
      resolveTenantHosts: true,
      routes: [apiRoute('onprem-erp-basic'), apiRoute('internet-oauth-cc', '/internet')],
      requests: [
        { name: 'first', path: '/api/whoami' },
        { name: 'second', path: '/api/whoami' },
        { name: 'internet', path: '/internet/api/x' },
      ],
    });
    assert.equal(run.startError, null);
    const [first, second, internet] = run.responses;
    for (const answer of [first, second]) {
      assert.equal(answer?.status, 200, JSON.stringify(answer));
      assert.equal(answer.json?.headers.authorization, basic(stored('onprem-erp-basic').User, stored('onprem-erp-basic').Password));
      assert.equal(answer.json.headers.host, 'erp.virtual:8000');
      assert.equal(answer.json.headers.tenantid, 'provider');
    }
    assert.equal(internet?.status, 200, JSON.stringify(internet));
    assert.equal(decodeClaims((internet.json?.headers.authorization ?? '').slice('Bearer '.length)).client_id, stored('internet-oauth-cc').clientId);

    // Start-up tokens from `url` as before; then one HTTPS call to the tenant host, no x-zid, whose token the proxy
    // gets for every OnPremise request (cached per tenant); the destination look-ups keep the start-up token.
    assert.deepEqual(transcript(run), [
      ...startupLines,
      'approuter: POST token-https /oauth/token host=provider.localhost -> 200 => connectivity@provider#2',
      'approuter: GET destination /destination-configuration/v1/destinations/onprem-erp-basic auth=Bearer destination@provider#1 -> 200',
      'approuter: GET connectivity-http http://erp.virtual:8000/whoami proxy-auth=Bearer connectivity@provider#2 auth=Basic sap-client=100 tenantid=provider -> 200',
      'connector: GET erp /whoami host=erp.virtual:8000 auth=Basic sap-client=100 tenantid=provider -> 200',
      'approuter: GET destination /destination-configuration/v1/destinations/onprem-erp-basic auth=Bearer destination@provider#1 -> 200',
      'approuter: GET connectivity-http http://erp.virtual:8000/whoami proxy-auth=Bearer connectivity@provider#2 auth=Basic sap-client=100 tenantid=provider -> 200',
      'connector: GET erp /whoami host=erp.virtual:8000 auth=Basic sap-client=100 tenantid=provider -> 200',
      'approuter: GET destination /destination-configuration/v1/destinations/internet-oauth-cc auth=Bearer destination@provider#1 -> 200',
      'sandbox: POST token-http /oauth/token host=localhost -> 200 => backend@provider#1',
      'approuter: GET internet-api /internet-oauth-cc/x auth=Bearer backend@provider#1 tenantid=provider -> 200',
    ]);
    const tenantCall = run.received.find((r) => r.server === 'token-https');
    assert.equal(tenantCall?.host, `${tenantTokenHost}:${new URL(fixture.sandbox.endpoints.tokenServiceHttpsUrl).port}`);
    assert.deepEqual(httpsCalls(run), [`POST https://${tenantCall.host}/oauth/token -> 200`]);
    assert.deepEqual(logErrors(run), []);
  });

  it('with the xsuaa binding but an unresolvable tenant host: every destination route answers 500 (why the child needs the name)', async (t) => {
    if (!needsResolverPreload) {
      t.skip(`${tenantTokenHost} resolves to 127.0.0.1 on this machine (${JSON.stringify(nativeLookup)}); nothing to show`);
      return;
    }
    const run = await runApprouter(t, 'with-xsuaa-unresolved', {
      vcap: generatedVcap,
      routes: [apiRoute('onprem-erp-basic')],
      requests: [{ name: 'whoami', path: '/api/whoami' }],
    });
    assert.equal(run.responses[0]?.status, 500);
    assert.ok(
      run.log.some((text) => text.includes('Could not get connectivity token from subscriber subaccount provider')),
      run.log.join('\n'),
    );
    // xssec tries 4 times (3 retries, 1 s → 2 s → 4 s); none of it reaches the sandbox, nor does the look-up.
    const port = new URL(fixture.sandbox.endpoints.tokenServiceHttpsUrl).port;
    assert.deepEqual(
      httpsCalls(run),
      Array.from({ length: 4 }, () => `POST https://${tenantTokenHost}:${port}/oauth/token -> ENOTFOUND`),
    );
    assert.deepEqual(transcript(run), startupLines);
  });
});

/** `dns.lookup(hostname, { all: true })` in a plain Node child: what the approuter child would get. */
function lookupInChild(hostname: string): Promise<{ addresses?: string[]; error?: string }> {
  const script =
    "require('node:dns').lookup(process.argv[1], { all: true }, (error, found) => " +
    'process.stdout.write(JSON.stringify(error ? { error: error.code } : { addresses: found.map((entry) => entry.address) })))';
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', script, hostname], { env: { ...osEnv(), PATH: process.env.PATH ?? '' }, timeout: childTimeoutMs }, (error, stdout) => {
      if (error) reject(error);
      else resolve(JSON.parse(stdout) as { addresses?: string[]; error?: string });
    });
  });
}
