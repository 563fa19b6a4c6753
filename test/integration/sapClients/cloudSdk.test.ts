// SAP's own client, the SAP Cloud SDK for JavaScript (@sap-cloud-sdk/connectivity + http-client, pinned 4.9.1),
// run unchanged against the sandbox. The SDK reads VCAP_SERVICES and NODE_EXTRA_CA_CERTS once at start-up, so
// every scenario runs in a fresh child process (cloudSdkClient.mjs) with its own caches; the sandbox runs here,
// and what it received is recorded passively through Node's `http.server.*` diagnostics channels.
import assert from 'node:assert/strict';
import diagnosticsChannel from 'node:diagnostics_channel';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { createLogger } from '../../../src/core/log';
import { writeSandboxFiles, type SandboxFiles } from '../../../src/sandbox/files';
import { DESTINATION_INSTANCE_ID, PROVIDER_TENANT_ID, SUBSCRIBER_TENANT_ID } from '../../../src/sandbox/base/world';
import { runResultChild, type ChildRun } from '../../support/resultChild';
import { decodeClaims, startSandboxFixture, type SandboxFixture } from '../../support/sandboxFixture';
import { osEnv } from '../../support/platform';

const clientScript = join(import.meta.dirname, 'cloudSdkClient.mjs');
const childTimeoutMs = 30_000;

/** One request a sandbox listener received, reduced to what the assertions and the transcript need. */
interface Received {
  /** `sdk` = sent by the child (axios / xssec user agents); `sandbox` = the sandbox's own outbound calls. */
  readonly from: 'sdk' | 'sandbox';
  readonly server: string;
  readonly method: string;
  readonly url: string;
  readonly host: string;
  readonly headers: IncomingMessage['headers'];
  status?: number;
}

interface StepResult {
  readonly call: string;
  readonly ok: boolean;
  readonly destination?: SdkDestination | null;
  readonly status?: number;
  readonly data?: EchoAnswer;
  readonly error?: { readonly messages: string[]; readonly response: unknown };
}

interface SdkDestination {
  readonly name?: string;
  readonly url?: string;
  readonly authentication?: string;
  readonly proxyType?: string;
  readonly username?: string;
  readonly hasPassword: boolean;
  readonly originalProperties: Record<string, unknown>;
  readonly authTokens: { type: string; error: string | null; headerKey?: string; claims?: Record<string, unknown> }[];
}

interface EchoAnswer {
  readonly service: string;
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string | undefined>;
}

interface SdkRun {
  readonly steps: StepResult[];
  /** The SDK's own log lines (winston, stdout), colour codes removed. */
  readonly sdkLog: string[];
  readonly stderr: string;
  readonly received: Received[];
  readonly sandboxLog: string[];
}

type Step =
  | { readonly call: 'getDestination'; readonly options: Record<string, unknown> }
  | { readonly call: 'executeHttpRequest'; readonly options: Record<string, unknown>; readonly request: Record<string, unknown> };

describe('SAP Cloud SDK 4.9.1 (connectivity + http-client) against the sandbox, unchanged', () => {
  let fixture: SandboxFixture;
  let directory: string;
  let files: SandboxFiles;
  /** VCAP_SERVICES exactly as `writeSandboxFiles` writes it for users. */
  let vcapServices: string;
  let aliceJwt: string;
  let carolJwt: string;
  let recording: { received: Received[]; sandboxLog: string[] } | undefined;
  const byRequest = new WeakMap<IncomingMessage, Received>();
  let servers = new Map<number, string>();

  const onRequest = (message: unknown) => {
    const { request } = message as { request: IncomingMessage };
    if (!recording) return;
    const userAgent = request.headers['user-agent'] ?? '';
    const received: Received = {
      from: /^(axios\/|nodejs-xssec)/.test(userAgent) ? 'sdk' : 'sandbox',
      server: servers.get(request.socket.localPort ?? 0) ?? `port ${request.socket.localPort}`,
      method: request.method ?? '',
      url: request.url ?? '',
      host: request.headers.host ?? '',
      headers: { ...request.headers },
    };
    byRequest.set(request, received);
    recording.received.push(received);
  };
  const onResponse = (message: unknown) => {
    const { request, response } = message as { request: IncomingMessage; response: ServerResponse };
    const received = byRequest.get(request);
    if (!received) return;
    received.status = response.statusCode;
  };

  before(async () => {
    const logger = createLogger((level, prefix, text) => recording?.sandboxLog.push(`${level} ${prefix}: ${text}`));
    fixture = await startSandboxFixture({ logger });
    const endpoints = fixture.sandbox.endpoints;
    servers = new Map([
      [Number(new URL(endpoints.tokenServiceUrl).port), 'token-http'],
      [Number(new URL(endpoints.tokenServiceHttpsUrl).port), 'token-https'],
      [Number(new URL(endpoints.destinationServiceUrl).port), 'destination'],
      [Number(new URL(endpoints.internetApiUrl).port), 'internet-api'],
    ]);
    directory = await mkdtemp(join(tmpdir(), 'btp-connect-cloud-sdk-'));
    files = await writeSandboxFiles(fixture.sandbox, directory);
    vcapServices = await readFile(files.vcapServices, 'utf8');
    aliceJwt = await fixture.userToken('alice', 'provider');
    carolJwt = await fixture.userToken('carol', 'subscriber');
    diagnosticsChannel.subscribe('http.server.request.start', onRequest);
    diagnosticsChannel.subscribe('http.server.response.finish', onResponse);
  });

  after(async () => {
    diagnosticsChannel.unsubscribe('http.server.request.start', onRequest);
    diagnosticsChannel.unsubscribe('http.server.response.finish', onResponse);
    await fixture?.close();
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  const world = () => fixture.sandbox.identity.world;
  const subdomainOf = (zid: unknown) => world().tenantById(String(zid))?.subdomain ?? `zid ${String(zid)}`;
  const stored = (name: string, tenantId = PROVIDER_TENANT_ID, instanceId?: string) => {
    const entry = fixture.sandbox.store.get({ tenantId, ...(instanceId ? { instanceId } : {}) }, 'destinations', name);
    assert.ok(entry, `seeded destination ${name}`);
    return entry.value as Record<string, string>;
  };
  const basic = (user: string | undefined, password: string | undefined) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

  /** `Bearer <client kind>@<subdomain>[/<user>]`: who a token is for, without the token. */
  const describeToken = (token: string) => {
    const claims = decodeClaims(token);
    const kind = world().client(String(claims.cid))?.kind ?? String(claims.cid);
    return `${kind}@${subdomainOf(claims.zid)}${typeof claims.user_name === 'string' ? `/${claims.user_name}` : ''}`;
  };
  /** One transcript line per request: method, listener, path+query, the headers that matter, status. */
  const line = (r: Received) => {
    const parts = [r.method, r.server, r.url];
    if (r.server !== 'destination' && r.server !== 'internet-api') parts.push(`host=${r.host.replace(/:\d+$/, '')}`);
    const zid = r.headers['x-zid'];
    if (typeof zid === 'string') parts.push(`x-zid=${subdomainOf(zid)}`);
    const authorization = r.headers.authorization;
    if (typeof authorization === 'string') {
      const [scheme, value = ''] = authorization.split(' ');
      parts.push(`auth=${scheme === 'Bearer' ? `Bearer ${describeToken(value)}` : scheme}`);
    }
    const tenant = r.headers['x-tenant'];
    if (typeof tenant === 'string') parts.push(`x-tenant=${tenant}`);
    const userToken = r.headers['x-user-token'];
    if (typeof userToken === 'string') parts.push(`x-user-token=${describeToken(userToken)}`);
    return `${parts.join(' ')} -> ${r.status ?? '?'}`;
  };
  const sdkLines = (run: SdkRun) => run.received.filter((r) => r.from === 'sdk').map(line);
  const warnings = (run: SdkRun) => run.sdkLog.filter((text) => /\bWARN\b|\bERROR\b/.test(text));
  const echoBearerClaims = (step: StepResult | undefined) => {
    assert.ok(step?.ok, `executeHttpRequest failed: ${JSON.stringify(step?.error)}`);
    assert.equal(step.data?.service, 'sandbox-internet-api');
    const authorization = step.data.headers.authorization ?? '';
    assert.match(authorization, /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    return decodeClaims(authorization.slice('Bearer '.length));
  };

  /** Runs `steps` in a fresh SDK process; records what the sandbox received meanwhile. */
  async function runSdk(t: TestContext, scenario: string, steps: Step[], options: { trustSandboxCa?: boolean } = {}): Promise<SdkRun> {
    // A minimal, explicit environment: no proxies, no VCAP or `destinations` of the developer's shell.
    const env: Record<string, string> = {
      ...osEnv(),
      PATH: process.env.PATH ?? '',
      VCAP_SERVICES: vcapServices,
      SDK_PLAN: JSON.stringify({ scenario, steps }),
    };
    if (options.trustSandboxCa !== false) env.NODE_EXTRA_CA_CERTS = files.ca;
    const current = { received: [] as Received[], sandboxLog: [] as string[] };
    recording = current;
    let child: ChildRun<{ scenario: string; steps: StepResult[] }>;
    try {
      child = await runResultChild('SDK', scenario, [clientScript], { env, timeoutMs: childTimeoutMs });
    } finally {
      recording = undefined;
    }
    const { result, lines, stderr } = child;
    // eslint-disable-next-line no-control-regex
    const sdkLog = lines.map((text) => text.replace(/\u001b\[[0-9;]*m/g, ''));
    const run: SdkRun = { steps: result.steps, sdkLog, stderr, ...current };
    for (const r of run.received) t.diagnostic(`${r.from}: ${line(r)}`);
    for (const text of sdkLog) t.diagnostic(`sdk log: ${text}`);
    for (const text of current.sandboxLog) t.diagnostic(`sandbox log: ${text}`);
    for (const text of stderr.split('\n').filter(Boolean)) t.diagnostic(`sdk stderr: ${text}`);
    return run;
  }

  it('SDK: getDestination finds a subaccount destination via the label lookup and the echo API gets its Basic credentials (checks 4, 7, 19)', async (t) => {
    const dest = stored('internet-basic');
    const run = await runSdk(t, 'basic', [
      { call: 'getDestination', options: { destinationName: 'internet-basic' } },
      { call: 'executeHttpRequest', options: { destinationName: 'internet-basic' }, request: { method: 'get', url: '/x' } },
    ]);
    const [found, call] = run.steps;
    assert.ok(found?.ok, JSON.stringify(found?.error));
    assert.equal(found.destination?.name, 'internet-basic');
    assert.equal(found.destination?.url, dest.URL);
    assert.equal(found.destination?.authentication, 'BasicAuthentication');
    assert.equal(found.destination?.username, dest.User);
    assert.equal(found.destination?.hasPassword, true);
    assert.deepEqual(found.destination?.authTokens, [], '$skipTokenRetrieval=true: no authTokens, the SDK builds Basic itself');

    assert.ok(call?.ok, JSON.stringify(call?.error));
    assert.equal(call.status, 200);
    assert.equal(call.data?.service, 'sandbox-internet-api');
    assert.equal(call.data?.path, '/internet-basic/x');
    assert.equal(call.data?.headers.authorization, basic(dest.User, dest.Password));

    // No JWT: provider token from `url` over plain HTTP, one find call, the second call served from the SDK cache.
    assert.deepEqual(sdkLines(run), [
      'POST token-http /oauth/token host=127.0.0.1 -> 200',
      'GET destination /destination-configuration/v1/destinations/internet-basic?$skipTokenRetrieval=true auth=Bearer destination@provider -> 200',
      'GET internet-api /internet-basic/x auth=Basic -> 200',
    ]);
    const tokenCall = run.received[0];
    assert.equal(tokenCall?.headers['content-type'], 'application/x-www-form-urlencoded;charset=UTF-8');
    assert.equal(tokenCall?.headers['user-agent'], 'nodejs-xssec-4');
    assert.ok(
      run.sandboxLog.some((text) => text.includes('client_credentials token for sb-clone7f3d2c1b')),
      run.sandboxLog.join('\n'),
    );
    assert.deepEqual(warnings(run), []);
  });

  it('SDK: OAuth2ClientCredentials — the echo API sees a Bearer token whose client_id is the destination clientId (check 8)', async (t) => {
    const dest = stored('internet-oauth-cc');
    const run = await runSdk(t, 'oauth-cc', [
      { call: 'getDestination', options: { destinationName: 'internet-oauth-cc' } },
      { call: 'executeHttpRequest', options: { destinationName: 'internet-oauth-cc' }, request: { method: 'get', url: '/x' } },
    ]);
    const [found, call] = run.steps;
    assert.ok(found?.ok, JSON.stringify(found?.error));
    assert.equal(found.destination?.authentication, 'OAuth2ClientCredentials');
    assert.equal(found.destination?.authTokens.length, 1);
    assert.equal(found.destination?.authTokens[0]?.type, 'Bearer');
    assert.equal(found.destination?.authTokens[0]?.error, null);

    const claims = echoBearerClaims(call);
    assert.equal(claims.client_id, dest.clientId);
    assert.equal(claims.zid, PROVIDER_TENANT_ID);
    assert.equal(claims.grant_type, 'client_credentials');

    // Second find call without `$skipTokenRetrieval` and without X-tenant (Dedicated); the sandbox then fetched
    // the backend token itself.
    assert.deepEqual(sdkLines(run), [
      'POST token-http /oauth/token host=127.0.0.1 -> 200',
      'GET destination /destination-configuration/v1/destinations/internet-oauth-cc?$skipTokenRetrieval=true auth=Bearer destination@provider -> 200',
      'GET destination /destination-configuration/v1/destinations/internet-oauth-cc auth=Bearer destination@provider -> 200',
      'GET internet-api /internet-oauth-cc/x auth=Bearer backend@provider -> 200',
    ]);
    assert.deepEqual(run.received.filter((r) => r.from === 'sandbox').map(line), ['POST token-http /oauth/token host=localhost -> 200']);
    assert.deepEqual(warnings(run), []);
  });

  it('SDK: ClientCertificateAuthentication with the .p12 keystore (and the .pem one) reaches the mTLS API as sandbox-backend-client', async (t) => {
    const run = await runSdk(t, 'client-certificate', [
      { call: 'executeHttpRequest', options: { destinationName: 'internet-client-certificate' }, request: { method: 'get', url: '/x' } },
      { call: 'executeHttpRequest', options: { destinationName: 'internet-client-certificate-pem' }, request: { method: 'get', url: '/x' } },
    ]);
    for (const [step, name] of [
      [run.steps[0], 'internet-client-certificate'],
      [run.steps[1], 'internet-client-certificate-pem'],
    ] as const) {
      assert.ok(step?.ok, `${name}: ${JSON.stringify(step?.error)}`);
      assert.equal(step.status, 200);
      const data = step.data as EchoAnswer & { clientCertificate?: { subject: string } };
      assert.equal(data.service, 'sandbox-mtls-api');
      assert.equal(data.path, `/${name}/x`);
      assert.equal(data.clientCertificate?.subject, 'CN=sandbox-backend-client');
    }
  });

  it('SDK: a name that exists at both levels resolves to the instance destination (check 5)', async (t) => {
    assert.equal(stored('shared-name').Level, 'subaccount');
    assert.equal(stored('shared-name', PROVIDER_TENANT_ID, DESTINATION_INSTANCE_ID).Level, 'instance');
    const run = await runSdk(t, 'both-levels', [{ call: 'getDestination', options: { destinationName: 'shared-name' } }]);
    const [found] = run.steps;
    assert.ok(found?.ok, JSON.stringify(found?.error));
    // On the `$skipTokenRetrieval` path the SDK keeps only `destinationConfiguration` as originalProperties
    // (it reads `owner` to classify instance vs subaccount, but does not keep it).
    assert.equal(found.destination?.originalProperties.Level, 'instance');
    assert.equal(found.destination?.originalProperties.owner, undefined);
    assert.deepEqual(sdkLines(run), [
      'POST token-http /oauth/token host=127.0.0.1 -> 200',
      'GET destination /destination-configuration/v1/destinations/shared-name?$skipTokenRetrieval=true auth=Bearer destination@provider -> 200',
    ]);
  });

  it('SDK: an unknown name is looked up at the subscriber, then the provider, and resolves to null (check 6)', async (t) => {
    const run = await runSdk(t, 'unknown', [
      { call: 'getDestination', options: { destinationName: 'no-such-destination', jwt: carolJwt } },
      { call: 'executeHttpRequest', options: { destinationName: 'no-such-destination', jwt: carolJwt }, request: { method: 'get', url: '/x' } },
    ]);
    const [found, call] = run.steps;
    // Had the 404 body not been the exact ErrorMessage the SDK string-matches, getDestination would have thrown
    // "Failed to fetch destination." after the subscriber call instead of asking the provider.
    assert.ok(found?.ok, `getDestination threw: ${JSON.stringify(found?.error)}`);
    assert.equal(found.destination, null);
    assert.equal(call?.ok, false);
    assert.deepEqual(call?.error?.messages, ["Failed to resolve the destination 'name: no-such-destination'."]);

    const find = (zdn: string) =>
      `GET destination /destination-configuration/v1/destinations/no-such-destination?$skipTokenRetrieval=true auth=Bearer destination@${zdn} -> 404`;
    // Not-found results are not cached: executeHttpRequest repeats both look-ups (the service tokens are cached).
    assert.deepEqual(sdkLines(run), [
      'POST token-https /oauth/token host=localhost x-zid=subscriber -> 200',
      'POST token-http /oauth/token host=127.0.0.1 -> 200',
      find('subscriber'),
      find('provider'),
      find('subscriber'),
      find('provider'),
    ]);
    // What those 404s carried: exactly the body and media type the SDK's string match needs (spec §3.3).
    const raw = await fixture.api('/v1/destinations/no-such-destination?$skipTokenRetrieval=true', { token: await fixture.serviceToken(SUBSCRIBER_TENANT_ID) });
    assert.equal(raw.status, 404);
    assert.equal(raw.headers['content-type'], 'application/json');
    assert.equal(raw.text, '{"ErrorMessage":"Configuration with the specified name was not found"}');
  });

  it('SDK: a provider user JWT runs the jwt-bearer exchange over HTTPS on uaadomain with x-zid and reaches the API as that user (§2.3, §2.5, checks 3, 11)', async (t) => {
    const dest = stored('internet-user-exchange');
    const run = await runSdk(t, 'user-exchange-provider', [
      { call: 'getDestination', options: { destinationName: 'internet-user-exchange', jwt: aliceJwt } },
      { call: 'executeHttpRequest', options: { destinationName: 'internet-user-exchange', jwt: aliceJwt }, request: { method: 'get', url: '/x' } },
    ]);
    const [found, call] = run.steps;
    assert.ok(found?.ok, JSON.stringify(found?.error));
    assert.equal(found.destination?.authTokens[0]?.type, 'Bearer');
    assert.equal(found.destination?.authTokens[0]?.claims?.user_name, 'alice');

    const claims = echoBearerClaims(call);
    assert.equal(claims.user_name, 'alice');
    assert.equal(claims.client_id, dest.clientId);
    assert.equal(claims.zid, PROVIDER_TENANT_ID);
    assert.equal(claims.grant_type, 'urn:ietf:params:oauth:grant-type:jwt-bearer');

    // The user JWT is of the provider tenant: both service-token requests collapse into one cached HTTPS call
    // with x-zid (nothing goes to `url`), and the second find call carries the exchanged user token, no X-user-token.
    assert.deepEqual(sdkLines(run), [
      'POST token-https /oauth/token host=localhost x-zid=provider -> 200',
      'GET destination /destination-configuration/v1/destinations/internet-user-exchange?$skipTokenRetrieval=true auth=Bearer destination@provider -> 200',
      'POST token-https /oauth/token host=localhost x-zid=provider -> 200',
      'GET destination /destination-configuration/v1/destinations/internet-user-exchange auth=Bearer destination@provider/alice -> 200',
      'GET internet-api /internet-user-exchange/x auth=Bearer backend@provider/alice -> 200',
    ]);
    assert.ok(
      run.sandboxLog.some((text) => text.includes('urn:ietf:params:oauth:grant-type:jwt-bearer token for sb-clone7f3d2c1b')),
      `the SDK's second token call is the jwt-bearer exchange:\n${run.sandboxLog.join('\n')}`,
    );
    assert.deepEqual(warnings(run), []);
  });

  it('SDK: a subscriber user JWT on a provider user-exchange destination sends the provider token plus X-user-token (§3.4 step 4, check 11)', async (t) => {
    const run = await runSdk(t, 'user-exchange-subscriber', [
      { call: 'getDestination', options: { destinationName: 'internet-user-exchange', jwt: carolJwt } },
      { call: 'executeHttpRequest', options: { destinationName: 'internet-user-exchange', jwt: carolJwt }, request: { method: 'get', url: '/x' } },
    ]);
    const [found, call] = run.steps;
    assert.ok(found?.ok, JSON.stringify(found?.error));
    const claims = echoBearerClaims(call);
    assert.equal(claims.user_name, 'carol');
    assert.equal(claims.zid, SUBSCRIBER_TENANT_ID);

    const lookup = [
      'GET destination /destination-configuration/v1/destinations/internet-user-exchange?$skipTokenRetrieval=true auth=Bearer destination@subscriber -> 404',
      'GET destination /destination-configuration/v1/destinations/internet-user-exchange?$skipTokenRetrieval=true auth=Bearer destination@provider -> 200',
      'GET destination /destination-configuration/v1/destinations/internet-user-exchange auth=Bearer destination@provider x-user-token=application@subscriber/carol -> 200',
    ];
    // A provider-origin destination found with a user JWT is not cached (SDK: "tenant-user" isolation with the
    // provider service token, which has no user id), so executeHttpRequest repeats the look-up.
    assert.deepEqual(sdkLines(run), [
      'POST token-https /oauth/token host=localhost x-zid=subscriber -> 200',
      'POST token-http /oauth/token host=127.0.0.1 -> 200',
      ...lookup,
      ...lookup,
      'GET internet-api /internet-user-exchange/x auth=Bearer backend@subscriber/carol -> 200',
    ]);
    assert.ok(
      warnings(run).every((text) => text.includes("Could not build destination cache key. Isolation strategy 'tenant-user'")),
      warnings(run).join('\n'),
    );
  });

  it("SDK: a subscriber user JWT finds the subscriber's own destination first (subscriberFirst)", async (t) => {
    const dest = stored('subscriber-api', SUBSCRIBER_TENANT_ID);
    const run = await runSdk(t, 'subscriber-first', [
      { call: 'getDestination', options: { destinationName: 'subscriber-api', jwt: carolJwt } },
      { call: 'executeHttpRequest', options: { destinationName: 'subscriber-api', jwt: carolJwt }, request: { method: 'get', url: '/x' } },
      { call: 'getDestination', options: { destinationName: 'shared-name', jwt: carolJwt } },
    ]);
    const [found, call, shared] = run.steps;
    assert.ok(found?.ok, JSON.stringify(found?.error));
    assert.equal(found.destination?.url, dest.URL);
    assert.equal(found.destination?.username, dest.User);
    assert.ok(call?.ok, JSON.stringify(call?.error));
    assert.equal(call.data?.headers.authorization, basic(dest.User, dest.Password));
    assert.ok(shared?.ok, JSON.stringify(shared?.error));
    assert.equal(shared.destination?.originalProperties.Level, 'subscriber', 'the subscriber copy beats both provider copies');

    // Subscriber token (HTTPS, x-zid) then provider token (`url`), both before the first find call; the hit at the
    // subscriber ends the search; the executeHttpRequest look-up is served from the SDK cache.
    assert.deepEqual(sdkLines(run), [
      'POST token-https /oauth/token host=localhost x-zid=subscriber -> 200',
      'POST token-http /oauth/token host=127.0.0.1 -> 200',
      'GET destination /destination-configuration/v1/destinations/subscriber-api?$skipTokenRetrieval=true auth=Bearer destination@subscriber -> 200',
      'GET internet-api /subscriber-api/x auth=Basic -> 200',
      'GET destination /destination-configuration/v1/destinations/shared-name?$skipTokenRetrieval=true auth=Bearer destination@subscriber -> 200',
    ]);
    assert.deepEqual(warnings(run), []);
  });

  it('SDK: a Common-URL OAuth destination with a subscriber JWT sends X-tenant and gets a subscriber token (§3.4 step 4, check 9)', async (t) => {
    const dest = stored('internet-oauth-cc-common');
    const run = await runSdk(t, 'oauth-cc-common', [
      { call: 'getDestination', options: { destinationName: 'internet-oauth-cc-common', jwt: carolJwt } },
      { call: 'executeHttpRequest', options: { destinationName: 'internet-oauth-cc-common', jwt: carolJwt }, request: { method: 'get', url: '/x' } },
    ]);
    const [found, call] = run.steps;
    assert.ok(found?.ok, JSON.stringify(found?.error));
    assert.equal(found.destination?.authTokens[0]?.error, null);
    const claims = echoBearerClaims(call);
    assert.equal(claims.zid, SUBSCRIBER_TENANT_ID);
    assert.equal(claims.client_id, dest.clientId);

    const lookup = [
      'GET destination /destination-configuration/v1/destinations/internet-oauth-cc-common?$skipTokenRetrieval=true auth=Bearer destination@subscriber -> 404',
      'GET destination /destination-configuration/v1/destinations/internet-oauth-cc-common?$skipTokenRetrieval=true auth=Bearer destination@provider -> 200',
      'GET destination /destination-configuration/v1/destinations/internet-oauth-cc-common auth=Bearer destination@provider x-tenant=subscriber -> 200',
    ];
    assert.deepEqual(sdkLines(run), [
      'POST token-https /oauth/token host=localhost x-zid=subscriber -> 200',
      'POST token-http /oauth/token host=127.0.0.1 -> 200',
      ...lookup,
      ...lookup, // provider-origin + user JWT: not cached (see the X-user-token scenario)
      'GET internet-api /internet-oauth-cc-common/x auth=Bearer backend@subscriber -> 200',
    ]);
    // `{tenant}` in tokenServiceURL became the subscriber's subdomain.
    const sandboxTokenCalls = run.received.filter((r) => r.from === 'sandbox').map((r) => r.host.replace(/:\d+$/, ''));
    assert.deepEqual(sandboxTokenCalls, ['subscriber.localhost', 'subscriber.localhost']);
  });

  it('SDK: without NODE_EXTRA_CA_CERTS a subscriber JWT only warns and silently falls back to the provider (§2.3)', async (t) => {
    const run = await runSdk(
      t,
      'untrusted-ca-subscriber',
      [
        { call: 'getDestination', options: { destinationName: 'subscriber-api', jwt: carolJwt } },
        { call: 'getDestination', options: { destinationName: 'shared-name', jwt: carolJwt } },
      ],
      { trustSandboxCa: false },
    );
    const [subscriberApi, shared] = run.steps;
    assert.ok(subscriberApi?.ok, JSON.stringify(subscriberApi?.error));
    assert.equal(subscriberApi.destination, null, "the subscriber's own destination is never found");
    assert.ok(shared?.ok, JSON.stringify(shared?.error));
    assert.equal(shared.destination?.originalProperties.Level, 'instance', "the provider's copy is returned instead of the subscriber's");

    // The TLS handshake fails, so the HTTPS listener never sees a request; every look-up uses the provider token.
    assert.deepEqual(sdkLines(run), [
      'POST token-http /oauth/token host=127.0.0.1 -> 200',
      'GET destination /destination-configuration/v1/destinations/subscriber-api?$skipTokenRetrieval=true auth=Bearer destination@provider -> 404',
      'GET destination /destination-configuration/v1/destinations/shared-name?$skipTokenRetrieval=true auth=Bearer destination@provider -> 200',
    ]);
    const tokenWarnings = run.sdkLog.filter((text) => text.includes('Failed to fetch subscriber service token for destination'));
    assert.equal(tokenWarnings.length, 2, run.sdkLog.join('\n'));
    assert.ok(tokenWarnings.every((text) => /WARN/.test(text)));
  });

  it('SDK: without NODE_EXTRA_CA_CERTS a provider user JWT fails hard on the user exchange, other destinations still resolve (§2.3)', async (t) => {
    const run = await runSdk(
      t,
      'untrusted-ca-provider',
      [
        { call: 'getDestination', options: { destinationName: 'internet-user-exchange', jwt: aliceJwt } },
        { call: 'getDestination', options: { destinationName: 'internet-basic', jwt: aliceJwt } },
      ],
      { trustSandboxCa: false },
    );
    const [exchange, basicDestination] = run.steps;
    assert.equal(exchange?.ok, false);
    const message = exchange?.error?.messages.join(' | ') ?? '';
    assert.match(message, /Could not fetch JWT bearer token for service of type destination/);
    assert.match(message, new RegExp(`${fixture.sandbox.endpoints.tokenServiceHttpsUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/oauth/token`));
    assert.match(message, /unable to verify the first certificate/);
    assert.ok(basicDestination?.ok, JSON.stringify(basicDestination?.error));
    assert.equal(basicDestination.destination?.name, 'internet-basic');
    assert.deepEqual(sdkLines(run), [
      'POST token-http /oauth/token host=127.0.0.1 -> 200',
      'GET destination /destination-configuration/v1/destinations/internet-user-exchange?$skipTokenRetrieval=true auth=Bearer destination@provider -> 200',
      'GET destination /destination-configuration/v1/destinations/internet-basic?$skipTokenRetrieval=true auth=Bearer destination@provider -> 200',
    ]);
    assert.ok(
      run.sdkLog.some((text) => text.includes('Failed to fetch subscriber service token for destination')),
      run.sdkLog.join('\n'),
    );
  });
});
