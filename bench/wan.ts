import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { Agent, get } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseCredentials } from '../src/core/bindings/parseCredentials';
import type { DestinationBinding } from '../src/core/bindings/types';
import { DestinationServiceClient } from '../src/core/destinationService/client';
import { HttpAgents } from '../src/core/http/agents';
import { Child } from './children';
import { DelayProxy } from './delayProxy';
import { benchPassword, benchUser, benchVirtual } from './shared';
import { spread } from './stats';
import type { TreeForwardArgs, TreeForwardReady } from './treeForward';
import { wanTargets, type WanResult, type WanRow } from './wanReport';

// The WAN scenario: a fixed one-way delay on the links to the token service, the Destination service, the
// connectivity proxy and the upstream (the Cloud Connector sits next to the on-premise system, so the tunnel and
// its last hop stay local). Clients run as users run them, each as a fresh process: `btp-connect forward` from
// its production build with --vcap or a saved connection, and the SAP Cloud SDK's executeHttpRequest with its defaults. The tree's Forward command runs
// where the extension already is: in a process whose connection has listed its destinations.

const root = join(__dirname, '..');
/** The CLI as users install it: the production build (minified, no source map), in a folder of the bench's own. */
const cliPath = join(root, '.tmp', 'bench', 'cli', 'cli.js');
export const wanNames = { internet: 'bench-wan-internet', onPremise: 'bench-wan-onprem' } as const;

export interface WanOptions {
  readonly oneWayMs: number;
  readonly coldRuns: number;
  readonly warmRequests: number;
}

export interface WanInput {
  readonly keys: { readonly destination: Record<string, unknown>; readonly connectivity: Record<string, unknown> };
  readonly vcapServices: Record<string, unknown[]>;
  readonly upstreamPort: number;
  /** The sandbox's CA (its HTTPS token endpoint on `uaadomain`, which the SDK uses with a user JWT). */
  readonly caPem: string;
  /** A provider user's access token: the SDK's calls "with a user JWT". */
  readonly userToken: () => Promise<string>;
}

const log = (line: string) => process.stderr.write(`${line}\n`);
const portOf = (url: unknown) => Number(new URL(String(url)).port);

/** Replaces the sandbox's endpoints in a VCAP_SERVICES document by those of the delay proxies. */
function delayedVcap(vcap: Record<string, unknown[]>, replace: ReadonlyMap<number, number>): string {
  let text = JSON.stringify(vcap);
  for (const [from, to] of replace) {
    text = text.replaceAll(`127.0.0.1:${from}"`, `127.0.0.1:${to}"`).replaceAll(`localhost:${from}"`, `localhost:${to}"`).replaceAll(`"${from}"`, `"${to}"`);
  }
  return text;
}

/** Builds the production CLI the WAN scenario starts (`scripts/build.mjs --production --cli-only`). */
export function buildCli(): void {
  const built = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--production', '--cli-only', '--outdir', dirname(cliPath)], {
    cwd: root,
    encoding: 'utf8',
  });
  if (built.status !== 0) throw new Error(`building the CLI failed: ${built.stderr}`);
}

/** A minimal environment: no proxies or VCAP of the developer's shell. */
function childEnv(vcap: string): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, VCAP_SERVICES: vcap, BTP_CONNECT_LOCAL_TOKEN: 'off', NO_COLOR: '1' };
}

/**
 * Saves the delayed bindings as a connection (keychain and a scratch config folder) and runs one forward on it, so
 * that its tokens are kept as after any earlier command; undefined where no OS keychain is reachable.
 */
async function saveConnection(vcap: string, scratch: string): Promise<SavedConnection | undefined> {
  const name = `bench-wan-${process.pid}`;
  const env = { ...childEnv(vcap), BTP_CONNECT_CONFIG_DIR: join(scratch, 'config'), ...keychainEnv() };
  const connected = await cliCommand(env, 'connect', name, '--vcap');
  if (connected.status !== 0) {
    log(`wan: no saved-connection rows (${connected.stderr.trim().split('\n')[0] ?? `exit ${connected.status}`})`);
    return undefined;
  }
  const saved = { name, env };
  // An earlier forward through the connectivity proxy: both services' tokens are kept, as after any day's first command.
  try {
    await forwardRun(wanNames.onPremise, vcap, 0, saved);
  } catch (error) {
    // Nothing of the bench stays in the developer's keychain.
    await forgetConnection(saved);
    throw error;
  }
  return saved;
}

async function forgetConnection(saved: SavedConnection | undefined): Promise<void> {
  if (saved) await cliCommand(saved.env, 'disconnect', saved.name);
}

/** A `btp-connect` command run to its end; not spawnSync: the delay proxies live in this process's event loop. */
async function cliCommand(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ status: number | null; stderr: string }> {
  const child = spawn(process.execPath, [cliPath, ...args], { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const [status] = (await once(child, 'exit')) as [number | null];
  return { status, stderr };
}

/** What the keychain needs from the environment (the D-Bus session of the Secret Service on Linux). */
function keychainEnv(): NodeJS.ProcessEnv {
  const names = ['DBUS_SESSION_BUS_ADDRESS', 'XDG_RUNTIME_DIR', 'XDG_DATA_HOME', 'DISPLAY'];
  return Object.fromEntries(names.filter((name) => process.env[name] !== undefined).map((name) => [name, process.env[name]]));
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = once(child, 'exit').then(() => undefined);
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  return exited.finally(() => clearTimeout(timer));
}

function timedGet(port: number, agent: Agent): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/json', agent }, (response) => {
      response.resume();
      response.once('end', () =>
        response.statusCode === 200 ? resolve(performance.now() - started) : reject(new Error(`WAN request answered ${response.statusCode}`)),
      );
    }).once('error', reject);
  });
}

interface ColdRun {
  /** Connections accepted per delayed link, ms after the start: where a cold start spends its round trips. */
  trace?: Record<string, number[]>;
  /** Where the run's clock starts (`performance.now()`) when not at the spawn: the tree's Forward command. */
  readonly commandAt?: number;
  /** From the start to "ready": the forward's announcement (or port), the approuter's listening socket. */
  readonly readyMs?: number;
  readonly firstMs: number;
  readonly startToFirstMs: number;
  readonly warm: readonly number[];
}

/** A connection saved in the OS keychain, as `btp-connect connect` leaves it: its forwards take kept tokens. */
interface SavedConnection {
  readonly name: string;
  readonly env: NodeJS.ProcessEnv;
}

/** `btp-connect forward NAME`, production build (--vcap, or a saved connection): spawn → announcement → first 200 → warm requests. */
async function forwardRun(name: string, vcap: string, warmRequests: number, saved?: SavedConnection): Promise<ColdRun> {
  const started = performance.now();
  // BENCH_WAN_PROFILE=<dir>: a CPU profile of each forward process (where a cold start spends its CPU).
  const profile = process.env.BENCH_WAN_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_WAN_PROFILE}`] : [];
  const source = saved ? ['--connection', saved.name] : ['--vcap'];
  const child = spawn(process.execPath, [...profile, cliPath, 'forward', name, ...source, '--local-token', 'off'], {
    cwd: root,
    env: saved?.env ?? childEnv(vcap),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8');
        const match = /http:\/\/127\.0\.0\.1:(\d+)\s+→/.exec(output);
        if (match) resolve(Number(match[1]));
      });
      child.once('exit', (code) => reject(new Error(`btp-connect forward ${name} exited (${code}) before it announced a port: ${stderr.slice(-400)}`)));
    });
    return await requestsThrough(port, started, warmRequests);
  } finally {
    await stop(child);
  }
}

/** A forward's port is there: the first request, then the warm ones, timed from `started`. */
async function requestsThrough(port: number, started: number, warmRequests: number): Promise<ColdRun> {
  const readyMs = performance.now() - started;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const firstMs = await timedGet(port, agent);
    const startToFirstMs = performance.now() - started;
    const warm: number[] = [];
    for (let index = 0; index < warmRequests; index++) warm.push(await timedGet(port, agent));
    return { readyMs, firstMs, startToFirstMs, warm };
  } finally {
    agent.destroy();
  }
}

/**
 * The tree's Forward command: a fresh process holds the connection as the running extension does, with its
 * destinations listed (Destination-service token and connection in hand); the clock starts when the bench asks it
 * to start the forward, and "ready" is its port.
 */
async function treeRun(name: string, vcap: string, warmRequests: number): Promise<ColdRun> {
  const profile = process.env.BENCH_WAN_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_WAN_PROFILE}`] : [];
  const child = await Child.start<TreeForwardReady>('treeForward', { vcap, destination: name } satisfies TreeForwardArgs, profile);
  try {
    const commandAt = performance.now();
    const port = await child.call<number>('forward');
    return { ...(await requestsThrough(port, commandAt, warmRequests)), commandAt };
  } finally {
    await child.stop();
  }
}

const sdkScript = `
const { executeHttpRequest } = require('@sap-cloud-sdk/http-client');
const plan = JSON.parse(process.env.BENCH_PLAN);
(async () => {
  const times = [];
  let firstAt;
  const destination = plan.jwt ? { destinationName: plan.destination, jwt: plan.jwt } : { destinationName: plan.destination };
  for (let index = 0; index <= plan.warm; index++) {
    const started = performance.now();
    const response = await executeHttpRequest(destination, { method: 'get', url: '/json' });
    if (response.status !== 200) throw new Error('status ' + response.status);
    times.push(performance.now() - started);
    firstAt ??= performance.timeOrigin + performance.now();
  }
  process.stdout.write('@@times ' + JSON.stringify({ times, firstAt }) + '\\n');
})().catch((error) => { process.stderr.write(String(error && error.stack || error)); process.exit(1); });
`;

/**
 * The SAP Cloud SDK's executeHttpRequest, defaults (destination cache off), in a fresh process; with `user`, a
 * user JWT (the SDK then reads the sandbox's HTTPS `uaadomain`, trusted through NODE_EXTRA_CA_CERTS).
 */
async function sdkRun(name: string, vcap: string, warmRequests: number, user?: { jwt: string; caFile: string }): Promise<ColdRun> {
  const spawnedAt = performance.timeOrigin + performance.now();
  const env = {
    ...childEnv(vcap),
    ...(user ? { NODE_EXTRA_CA_CERTS: user.caFile } : {}),
    BENCH_PLAN: JSON.stringify({ destination: name, warm: warmRequests, ...(user ? { jwt: user.jwt } : {}) }),
  };
  const child = spawn(process.execPath, ['-e', sdkScript], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const [code] = (await once(child, 'exit')) as [number | null];
  const times = /^@@times (.+)$/m.exec(stdout)?.[1];
  if (code !== 0 || !times) throw new Error(`SDK client failed (${code}): ${stderr.slice(-400)}`);
  const parsed = JSON.parse(times) as { times: number[]; firstAt: number };
  const [first, ...warm] = parsed.times;
  // Both clocks are epoch-based (timeOrigin + now): from the spawn here to the first response there.
  return { firstMs: first ?? Number.NaN, startToFirstMs: parsed.firstAt - spawnedAt, warm };
}

const approuterScript = `
const http = require('node:http');
const net = require('node:net');
const plan = JSON.parse(process.env.BENCH_PLAN);
const approuter = require(plan.approuter);
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer().once('error', reject).listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
function get(port, agent) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/api/json', agent }, (response) => {
      response.resume();
      response.once('end', () => (response.statusCode === 200 ? resolve() : reject(new Error('status ' + response.statusCode))));
    }).once('error', reject);
  });
}
(async () => {
  const port = await freePort();
  const router = approuter();
  await new Promise((resolve, reject) => {
    const starting = router.start({ port, xsappConfig: plan.xsappConfig }, (error) => (error ? reject(error) : resolve()));
    Promise.resolve(starting).catch(reject);
  });
  const readyAt = performance.timeOrigin + performance.now();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const times = [];
  let firstAt;
  for (let index = 0; index <= plan.warm; index++) {
    const started = performance.now();
    await get(port, agent);
    times.push(performance.now() - started);
    firstAt ??= performance.timeOrigin + performance.now();
  }
  process.stdout.write('\\n@@times ' + JSON.stringify({ times, firstAt, readyAt }) + '\\n', () => process.exit(0));
})().catch((error) => { process.stderr.write(String(error && error.stack || error)); process.exit(1); });
`;

/**
 * SAP's application router (@sap/approuter, as installed) with one route to the destination, in a fresh process
 * with its own working directory, VCAP_SERVICES without the xsuaa binding (every token call on the plain-HTTP
 * `url`, spec §1.1) and no authentication on the route. Its first request is sent as soon as it listens.
 */
async function approuterRun(name: string, vcap: string, warmRequests: number, workDir: string): Promise<ColdRun> {
  const spawnedAt = performance.timeOrigin + performance.now();
  const { xsuaa: _xsuaa, ...withoutXsuaa } = JSON.parse(vcap) as Record<string, unknown[]>;
  const env = {
    ...childEnv(JSON.stringify(withoutXsuaa)),
    // The approuter's own setting; it would listen on every interface otherwise.
    XS_BIND_ADDRESS: '127.0.0.1',
    BENCH_PLAN: JSON.stringify({
      approuter: require.resolve('@sap/approuter'),
      warm: warmRequests,
      xsappConfig: { authenticationMethod: 'none', routes: [{ source: '^/api/(.*)$', target: '$1', destination: name }] },
    }),
  };
  // A file, not -e: the approuter parses process.argv (commander) and needs a script name there.
  const script = join(workDir, 'approuter-client.js');
  await writeFile(script, approuterScript);
  const child = spawn(process.execPath, [script], { cwd: workDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const [code] = (await once(child, 'exit')) as [number | null];
  const times = /^@@times (.+)$/m.exec(stdout)?.[1];
  if (code !== 0 || !times) throw new Error(`approuter failed (${code}): ${stderr.slice(-400)} ${stdout.slice(-400)}`);
  const parsed = JSON.parse(times) as { times: number[]; firstAt: number; readyAt: number };
  const [first, ...warm] = parsed.times;
  return { readyMs: parsed.readyAt - spawnedAt, firstMs: first ?? Number.NaN, startToFirstMs: parsed.firstAt - spawnedAt, warm };
}

function row(id: string, label: string, runs: readonly ColdRun[], warmRequests: number): WanRow {
  const median = (values: readonly (number | undefined)[]) => spread(values.map((value) => value ?? Number.NaN))?.median ?? Number.NaN;
  const warm = spread(runs.flatMap((run) => run.warm));
  const readyMs = median(runs.map((run) => run.readyMs));
  return {
    id,
    label,
    ...(Number.isFinite(readyMs) ? { readyMs } : {}),
    firstMs: median(runs.map((run) => run.firstMs)),
    firstP99: p99(runs.map((run) => run.firstMs)),
    startToFirstMs: median(runs.map((run) => run.startToFirstMs)),
    startToFirstP99: p99(runs.map((run) => run.startToFirstMs)),
    warmP50: warm?.median ?? Number.NaN,
    warmP99: p99(warm?.values ?? []),
    coldRuns: runs.length,
    warmRequests,
    ...(runs[0]?.trace ? { trace: runs[0].trace } : {}),
  };
}

/** The 99th percentile (nearest rank); of a few cold starts, that is their slowest. */
function p99(values: readonly number[]): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] ?? Number.NaN;
}

function nodeStartMs(): number {
  const times: number[] = [];
  for (let index = 0; index < 3; index++) {
    const started = performance.now();
    spawnSync(process.execPath, ['-e', '0']);
    times.push(performance.now() - started);
  }
  return spread(times)?.median ?? Number.NaN;
}

export async function measureWan(input: WanInput, options: WanOptions): Promise<WanResult> {
  const destination = input.keys.destination;
  const connectivity = input.keys.connectivity;
  const tokenPort = portOf(destination.url);
  const destinationPort = portOf(destination.uri);
  const proxyPort = Number(connectivity.onpremise_proxy_http_port);
  // `uaadomain` (localhost:<https port>): where the SDK fetches tokens for a user JWT's tenant, over HTTPS.
  const uaaPort = Number(String(destination.uaadomain).split(':')[1]);
  const links = await Promise.all(
    [tokenPort, destinationPort, proxyPort, input.upstreamPort, uaaPort].map((port) => DelayProxy.start({ port }, options.oneWayMs)),
  );
  const [tokenLink, destinationLink, proxyLink, upstreamLink, uaaLink] = links as [DelayProxy, DelayProxy, DelayProxy, DelayProxy, DelayProxy];
  const agents = new HttpAgents();
  // The approuter's working directory and the sandbox CA for the SDK's HTTPS calls: nothing of the repository's.
  const scratch = await mkdtemp(join(tmpdir(), 'btp-bench-wan-'));
  let saved: SavedConnection | undefined;
  try {
    // Destinations are created on the undelayed link: setup, not measurement.
    const client = new DestinationServiceClient({ binding: parseCredentials(destination, { expected: 'destination' }) as DestinationBinding, agents });
    const basic = { Type: 'HTTP', Authentication: 'BasicAuthentication', User: benchUser, Password: benchPassword };
    for (const [name, body] of [
      [wanNames.internet, { URL: `http://127.0.0.1:${upstreamLink.port}`, ProxyType: 'Internet' }],
      [wanNames.onPremise, { URL: `http://${benchVirtual.host}:${benchVirtual.port}`, ProxyType: 'OnPremise' }],
    ] as const) {
      await client.create('subaccount', { Name: name, ...body, ...basic }).catch(async () => client.update('subaccount', { Name: name, ...body, ...basic }));
    }
    const vcap = delayedVcap(
      input.vcapServices,
      new Map([
        [tokenPort, tokenLink.port],
        [destinationPort, destinationLink.port],
        [proxyPort, proxyLink.port],
        [uaaPort, uaaLink.port],
      ]),
    );
    const processStartMs = nodeStartMs();
    const user = { jwt: await input.userToken(), caFile: join(scratch, 'sandbox-ca.pem') };
    await writeFile(user.caFile, input.caPem);
    const warmRequests = options.warmRequests;
    saved = await saveConnection(vcap, scratch);
    const savedRows = (connection: SavedConnection) => [
      {
        id: 'forwardSavedInternet',
        label: '`btp-connect forward`, saved connection, Internet (Basic)',
        run: () => forwardRun(wanNames.internet, vcap, warmRequests, connection),
      },
      {
        id: 'forwardSavedOnPremise',
        label: '`btp-connect forward`, saved connection, OnPremise (Basic)',
        run: () => forwardRun(wanNames.onPremise, vcap, warmRequests, connection),
      },
    ];
    const clients: { id: string; label: string; run: () => Promise<ColdRun> }[] = [
      { id: 'forwardInternet', label: '`btp-connect forward --vcap`, Internet (Basic)', run: () => forwardRun(wanNames.internet, vcap, warmRequests) },
      { id: 'forwardOnPremise', label: '`btp-connect forward --vcap`, OnPremise (Basic)', run: () => forwardRun(wanNames.onPremise, vcap, warmRequests) },
      ...(saved ? savedRows(saved) : []),
      { id: 'treeInternet', label: "tree's Forward command, Internet (Basic)", run: () => treeRun(wanNames.internet, vcap, warmRequests) },
      { id: 'treeOnPremise', label: "tree's Forward command, OnPremise (Basic)", run: () => treeRun(wanNames.onPremise, vcap, warmRequests) },
      { id: 'sdkInternet', label: 'Cloud SDK `executeHttpRequest`, defaults, Internet', run: () => sdkRun(wanNames.internet, vcap, warmRequests) },
      { id: 'sdkOnPremise', label: 'Cloud SDK `executeHttpRequest`, defaults, OnPremise', run: () => sdkRun(wanNames.onPremise, vcap, warmRequests) },
      { id: 'sdkJwtInternet', label: 'Cloud SDK `executeHttpRequest`, user JWT, Internet', run: () => sdkRun(wanNames.internet, vcap, warmRequests, user) },
      { id: 'sdkJwtOnPremise', label: 'Cloud SDK `executeHttpRequest`, user JWT, OnPremise', run: () => sdkRun(wanNames.onPremise, vcap, warmRequests, user) },
      { id: 'approuterInternet', label: 'SAP approuter, destination route, Internet', run: () => approuterRun(wanNames.internet, vcap, warmRequests, scratch) },
      {
        id: 'approuterOnPremise',
        label: 'SAP approuter, destination route, OnPremise',
        run: () => approuterRun(wanNames.onPremise, vcap, warmRequests, scratch),
      },
    ];
    const runs = new Map<string, ColdRun[]>(clients.map((entry) => [entry.id, []]));
    // Interleaved: every client once per round.
    const named = { token: tokenLink, tokenHttps: uaaLink, destination: destinationLink, proxy: proxyLink, upstream: upstreamLink };
    for (let round = 0; round < options.coldRuns; round++) {
      for (const entry of clients) {
        const counts = Object.fromEntries(Object.entries(named).map(([name, link]) => [name, link.accepted.length]));
        const spawned = performance.now();
        const run = await entry.run();
        // The tree's rows count from the command: the connections their listing opened show as negative times.
        const origin = run.commandAt ?? spawned;
        run.trace = Object.fromEntries(
          Object.entries(named).map(([name, link]) => [name, link.accepted.slice(counts[name]).map((at) => Math.round(at - origin))]),
        );
        runs.get(entry.id)?.push(run);
        log(
          `  connections (ms after ${run.commandAt === undefined ? 'start' : 'the command'}): ${Object.entries(run.trace)
            .map(([name, times]) => `${name} [${times.join(', ')}]`)
            .join(', ')}`,
        );
        log(
          `wan round ${round + 1}/${options.coldRuns} ${entry.id.padEnd(18)} ${run.readyMs === undefined ? '' : `ready ${Math.round(run.readyMs)} ms, `}first ${Math.round(run.firstMs)} ms, start → first ${Math.round(run.startToFirstMs)} ms, warm p50 ${Math.round(spread(run.warm)?.median ?? Number.NaN)} ms`,
        );
      }
    }
    const rows = clients.map((entry) => row(entry.id, entry.label, runs.get(entry.id) ?? [], options.warmRequests));
    const partial = { oneWayMs: options.oneWayMs, processStartMs, rows };
    return { ...partial, targets: wanTargets(partial) };
  } finally {
    await forgetConnection(saved);
    await agents.close();
    await Promise.all(links.map((link) => link.close()));
    await rm(scratch, { recursive: true, force: true });
  }
}
