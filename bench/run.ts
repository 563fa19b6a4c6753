import { mkdirSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { parseArgs, UsageError, type BenchOptions } from './args';
import { bundleChildren, Child, killAll, type Entry } from './children';
import { measureColdToken, type ColdTokenResult } from './coldToken';
import { coresOf, foreignLoad, snapshot, waitForQuiet, type ForeignLoad } from './cpu';
import type { ForwardKind, ForwardPorts } from './forwards';
import { maxConnectionsCeiling } from '../src/core/forward/connectionLimit';
import { iperfAvailable, runIperf, startIperfServer, type IperfServer } from './iperf';
import { buildCli, measureWan } from './wan';
import { wanTable, type WanResult } from './wanReport';
import { runWrk, wrkAvailable } from './wrk';
import { measureIdle, type IdleResult } from './idle';
import type { LoadJob } from './load';
import { publish } from './publish';
import { backgroundLine, checks, cpuPerUnitTable, cpuTable, figuresTable, machine, machineLine, ratioTable, targetLines, targets } from './report';
import { scenarios, workloads, type LoadResult, type ScenarioId } from './shared';
import { loadCeilingCores, summarize, type Sample } from './stats';
import type { UpstreamCounters } from './upstream';

// `npm run bench`: upstream, references (twice: the forwards' V8 flags and V8's defaults), sandbox and our
// forwards each in a process of their own; wrk (autocannon where wrk is missing) or iperf3 as a fresh process per
// measurement; every scenario × workload once per round in a rotated order.

const resultsDir = join(__dirname, 'results');
const log = (line: string) => process.stderr.write(`${line}\n`);
const rotate = <T>(items: readonly T[], by: number): T[] => items.map((_item, index) => items[(index + by) % items.length] as T);

type ReferencePorts = { netPipe: number; httpProxy: number; iperfPipe?: number };

interface Processes {
  upstream: Child<{ port: number }>;
  references: Child<ReferencePorts>;
  referencesDefault: Child<ReferencePorts>;
  sandbox: Child<{
    keys: { destination: Record<string, unknown>; connectivity: Record<string, unknown> };
    vcapServices: Record<string, unknown[]>;
    caPem: string;
  }>;
  forwards: Child<Partial<Record<ForwardKind, number>>>;
  /** The TCP forwards (to the upstream and to iperf3), in a process of their own. */
  tcpForwards: Child<Partial<Record<ForwardKind, number>>>;
  iperf?: IperfServer | undefined;
}

const started: Child[] = [];
let iperfServer: IperfServer | undefined;
async function start<Ready>(entry: Entry, args: unknown, options: BenchOptions): Promise<Child<Ready>> {
  const execArgv = options.profile.includes(entry) ? ['--cpu-prof', `--cpu-prof-dir=${join(resultsDir, 'profiles')}`] : [];
  const child = await Child.start<Ready>(entry, args, execArgv);
  started.push(child);
  return child;
}

/** One GET per scenario before measuring: a broken path would only produce fast errors. */
function probe(port: number): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/json', agent: false }, (response) => {
      let bytes = 0;
      response.on('data', (chunk: Buffer) => (bytes += chunk.length));
      response.once('end', () => resolve({ status: response.statusCode ?? 0, bytes }));
    }).once('error', reject);
  });
}

async function rounds(options: BenchOptions, processes: Processes, ports: Ports): Promise<Sample[]> {
  const samples: Sample[] = [];
  const chosen = scenarios.filter((scenario) => options.scenarios.includes(scenario.id));
  const chosenWorkloads = workloads.filter((workload) => options.workloads.includes(workload.id) && (!workload.iperf || processes.iperf));
  for (let round = 0; round < options.rounds; round++) {
    for (const workload of rotate(chosenWorkloads, round)) {
      for (const scenario of rotate(chosen, round)) {
        const port = (workload.iperf ? ports.iperf : ports.http)[scenario.id];
        if (port === undefined) continue;
        const job: LoadJob = {
          url: `http://127.0.0.1:${port}${workload.path}`,
          connections: workload.connections,
          seconds: options.duration,
          warmupSeconds: options.warmup,
          reconnect: workload.reconnect,
        };
        const measured = await measureQuietly(options, processes, job, workload.iperf ? port : undefined, `${workload.id} ${scenario.id}`);
        const { result, upstream, foreign, attempts, generator, cpu } = measured;
        samples.push({
          round,
          scenario: scenario.id,
          workload: workload.id,
          load: result,
          upstream,
          ...(foreign ? { foreign } : {}),
          attempts,
          generator,
          cpu,
        });
        const latency = result.p99 === undefined ? '' : `, p50 ${result.p50?.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms`;
        const rate =
          result.gbitPerSec === undefined
            ? `${Math.round(result.reqPerSec).toString().padStart(6)} req/s, ${result.mbPerSec.toFixed(1)} MB/s`
            : `${result.gbitPerSec.toFixed(2)} Gbit/s`;
        const background = foreign ? `, others ${foreign.foreignCores.toFixed(2)} cores` : '';
        const loadCores = cpu.load ?? Number.NaN;
        const saturated = loadCores > loadCeilingCores ? ' LOAD GENERATOR SATURATED' : '';
        const failures =
          result.errors + result.timeouts + result.non2xx ? `, ${result.errors} errors ${result.timeouts} timeouts ${result.non2xx} non-2xx` : '';
        log(
          `round ${round + 1}/${options.rounds} ${workload.id.padEnd(7)} ${scenario.id.padEnd(16)} ${rate}${latency}${failures}, ${generator} ${loadCores.toFixed(2)} cores${saturated}${background}`,
        );
      }
    }
  }
  return samples;
}

interface Ports {
  readonly http: Partial<Record<ScenarioId, number | undefined>>;
  readonly iperf: Partial<Record<ScenarioId, number | undefined>>;
}

/** Every process of the bench by pid, named as in the report's CPU columns. */
function namedPids(processes: Processes): Map<number, string> {
  const names = new Map<number, string>([
    [processes.upstream.pid, 'upstream'],
    [processes.references.pid, 'references'],
    [processes.referencesDefault.pid, 'referencesDefault'],
    [processes.sandbox.pid, 'sandbox'],
    [processes.forwards.pid, 'forwards'],
    [processes.tcpForwards.pid, 'tcpForwards'],
  ]);
  if (processes.iperf) names.set(processes.iperf.pid, 'iperfServer');
  return names;
}

/**
 * One measurement by a fresh load generator, after a quiet moment (which also lets the previous run's last
 * requests drain out of the counters); repeated when other processes took more than `--quiet` cores meanwhile.
 * The CPU of every process is read around the measured run only (not the warm-up).
 */
async function measureQuietly(options: BenchOptions, processes: Processes, job: LoadJob, iperfPort: number | undefined, what: string) {
  const ours = () => started.map((child) => child.pid).concat(processes.iperf ? [processes.iperf.pid] : []);
  const names = namedPids(processes);
  for (let attempt = 1; ; attempt++) {
    await waitForQuiet(ours(), options.quietCores, options.quietWaitSeconds * 1000);
    const before = await processes.upstream.call<UpstreamCounters>('counters');
    let result: LoadResult;
    let foreign: ForeignLoad | undefined;
    let cpu: Record<string, number>;
    let generator: string;
    if (iperfPort !== undefined || (wrkAvailable() && !options.autocannon)) {
      generator = iperfPort === undefined ? 'wrk' : 'iperf3';
      if (iperfPort === undefined && job.warmupSeconds > 0) await runWrk(job, job.warmupSeconds);
      const cpuBefore = snapshot(ours());
      const run = iperfPort === undefined ? await runWrk(job, job.seconds) : await runIperf(iperfPort, job.seconds);
      const cpuAfter = snapshot(ours());
      result = run.result;
      foreign = foreignLoad(cpuBefore, cpuAfter, run.loadCores);
      cpu = { ...coresOf(cpuBefore, cpuAfter, names), load: run.loadCores };
    } else {
      generator = 'autocannon';
      const load = await Child.start('load', {});
      try {
        if (job.warmupSeconds > 0) await load.call<LoadResult>('run', { ...job, seconds: job.warmupSeconds, warmupSeconds: 0 });
        const cpuBefore = snapshot([...ours(), load.pid]);
        result = await load.call<LoadResult>('run', { ...job, warmupSeconds: 0 });
        const cpuAfter = snapshot([...ours(), load.pid]);
        foreign = foreignLoad(cpuBefore, cpuAfter);
        cpu = coresOf(cpuBefore, cpuAfter, new Map([...names, [load.pid, 'load']]));
      } finally {
        await load.stop();
      }
    }
    const after = await processes.upstream.call<UpstreamCounters>('counters');
    const upstream = { total: after.total - before.total, authorized: after.authorized - before.authorized };
    const noise = (foreign?.foreignCores ?? 0) + (foreign?.stealCores ?? 0);
    if (noise <= options.quietCores || attempt > options.retries) return { result, upstream, foreign, attempts: attempt, generator, cpu };
    log(`${what}: other processes took ${noise.toFixed(2)} cores meanwhile; measuring again`);
  }
}

async function idleChecks(options: BenchOptions, processes: Processes): Promise<IdleResult[]> {
  const results: IdleResult[] = [];
  // 1,000 through one forward of each kind; then the 10,000 of the memory target through HTTP forwards of one
  // process: one forward accepts at most maxConnectionsCeiling (4,096) connections (finding D2 of issue 12), a bound
  // for what one flooded forward may take of a shared Cloud Connector tunnel that a benchmark is no reason to lift.
  // Several forwards in one process is what the extension host runs; RSS per connection is what the target is about.
  const checks = [
    { which: 'http' as const, count: options.idleConnections, many: false },
    { which: 'tcp' as const, count: options.idleConnections, many: false },
    ...(options.idleMany > 0 ? [{ which: 'http' as const, count: options.idleMany, many: true }] : []),
  ];
  for (const { which, count, many } of checks) {
    // A fresh process with these forwards only: the RSS of what a user would run, not of the bench's long-lived one.
    const forward = await start<ForwardPorts>(
      'forwards',
      { ...(await forwardsArgs(processes)), createDestinations: false, start: [which], copies: Math.ceil(count / maxConnectionsCeiling) },
      options,
    );
    try {
      const result = await measureIdle(forward, which, forward.ready.copies?.[which] ?? [], count, many);
      log(
        `idle ${which}: ${result.openAtMeasurement}/${result.connections} open through ${result.forwards} forward(s) in ${result.openSeconds.toFixed(1)} s, RSS ${result.rssBeforeMb.toFixed(1)} → ${result.rssAfterMb.toFixed(1)} MB`,
      );
      results.push(result);
    } finally {
      await forward.stop();
    }
  }
  return results;
}

async function forwardsArgs(processes: Pick<Processes, 'sandbox' | 'upstream' | 'iperf'>) {
  return {
    keys: processes.sandbox.ready.keys,
    caPem: processes.sandbox.ready.caPem,
    upstreamPort: processes.upstream.ready.port,
    ...(processes.iperf ? { iperfPort: processes.iperf.port } : {}),
  };
}

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  const stop = () => {
    killAll();
    process.exit(130);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  mkdirSync(resultsDir, { recursive: true });
  await bundleChildren();
  const info = machine();
  log(`bench on ${machineLine(info)}: ${options.rounds} round(s) of ${options.duration} s (+${options.warmup} s warm-up)`);

  const upstream = await start<{ port: number }>('upstream', {}, options);
  const iperf = iperfAvailable() && options.workloads.includes('iperf') ? await startIperfServer() : undefined;
  iperfServer = iperf;
  if (!iperf && options.workloads.includes('iperf')) log('iperf3 not found: no raw TCP figures (Debian package iperf3)');
  log(`load generator: ${wrkAvailable() && !options.autocannon ? 'wrk' : 'autocannon (wrk not found: Debian package wrk)'}`);
  const referenceArgs = { upstreamPort: upstream.ready.port, ...(iperf ? { iperfPort: iperf.port } : {}) };
  const references = await start<ReferencePorts>('references', { ...referenceArgs, tuned: true }, options);
  const referencesDefault = await start<ReferencePorts>('references', { ...referenceArgs, tuned: false }, options);
  const sandbox = await start<Processes['sandbox']['ready']>('sandboxHost', { upstreamPort: upstream.ready.port }, options);
  const forwards = await start<Partial<Record<ForwardKind, number>>>(
    'forwards',
    { ...(await forwardsArgs({ upstream, sandbox, iperf })), createDestinations: true, start: ['http', 'inspected', 'tunnel'] },
    options,
  );
  // The TCP forwards in a process of their own, as `btp-connect forward NAME` runs one: moving bytes, they pay for
  // every other forward's heap in the scavenges of a shared process (about a fifth more CPU a request than the
  // `net` pipe there, none more alone; bench/README.md).
  const tcpForwards = await start<Partial<Record<ForwardKind, number>>>(
    'forwards',
    { ...(await forwardsArgs({ upstream, sandbox, iperf })), createDestinations: false, start: ['tcp', ...(iperf ? (['iperf'] as const) : [])] },
    options,
  );
  const processes: Processes = { upstream, references, referencesDefault, sandbox, forwards, tcpForwards, ...(iperf ? { iperf } : {}) };
  const ports: Ports = {
    http: {
      direct: upstream.ready.port,
      netPipe: references.ready.netPipe,
      httpProxy: references.ready.httpProxy,
      netPipeDefault: referencesDefault.ready.netPipe,
      httpProxyDefault: referencesDefault.ready.httpProxy,
      httpForward: forwards.ready.http,
      inspected: forwards.ready.inspected,
      tcpForward: tcpForwards.ready.tcp,
      tunnel: forwards.ready.tunnel,
    },
    iperf: iperf
      ? { direct: iperf.port, netPipe: references.ready.iperfPipe, netPipeDefault: referencesDefault.ready.iperfPipe, tcpForward: tcpForwards.ready.iperf }
      : {},
  };
  for (const scenario of scenarios) {
    const port = ports.http[scenario.id];
    const answer = port === undefined ? { status: 0 } : await probe(port);
    if (answer.status !== 200) throw new Error(`${scenario.id} answered ${answer.status} to a probe: the bench setup is broken`);
  }

  let wan: WanResult | undefined;
  if (options.wan || options.wanOnly) {
    buildCli();
    wan = await measureWan(
      {
        keys: sandbox.ready.keys,
        vcapServices: sandbox.ready.vcapServices,
        upstreamPort: upstream.ready.port,
        caPem: sandbox.ready.caPem,
        userToken: () => sandbox.call<string>('userToken'),
      },
      { oneWayMs: options.wanDelayMs, coldRuns: options.wanColdRuns, warmRequests: options.wanWarmRequests },
    );
  }
  let cold: ColdTokenResult | undefined;
  if (options.cold && !options.wanOnly) {
    cold = await measureColdToken(upstream.ready.port, async () => (await upstream.call<UpstreamCounters>('counters')).bearer);
    log(`cold token: ${cold.firstUse} token request(s) for start + ${cold.concurrent} concurrent, ${cold.afterExpiry} after expiry`);
  }
  const samples = options.wanOnly ? [] : await rounds(options, processes, ports);
  const idle = options.idle && !options.wanOnly ? await idleChecks(options, processes) : [];

  const summary = summarize(samples);
  const targetResults = targets(samples, summary, idle, cold);
  const problems = checks(samples);
  const markdown = [
    `Machine: ${machineLine(info)}. ${options.rounds} interleaved round(s) of ${options.duration} s per measurement; median [min–max].`,
    backgroundLine(samples),
    '',
    figuresTable(summary),
    '',
    "Ratios of medians (÷ direct / net pipe / http-proxy, references under the forwards' V8 flags; for latency > 1 is slower):",
    '',
    ratioTable(samples, summary),
    '',
    'Median cores per process (load = the load generator):',
    '',
    cpuTable(samples),
    '',
    'CPU of the proxying process per request / MB / GB (median [min–max] over rounds; steadier than the rates on a shared machine):',
    '',
    cpuPerUnitTable(samples),
    '',
    'Targets (medians):',
    '',
    targetLines(targetResults),
    '',
    ...(wan ? [wanTable(wan), ''] : []),
    problems.length
      ? `CHECK FAILED:\n${problems.map((problem) => `- ${problem}`).join('\n')}`
      : 'Checks: no errors, no non-2xx, every request of http-proxy, HTTP forward and tunnel reached the upstream with the Basic header.',
  ].join('\n');
  process.stdout.write(`${markdown}\n`);
  writeFileSync(join(resultsDir, 'latest.md'), `${markdown}\n`);
  const generator = wrkAvailable() && !options.autocannon ? 'wrk' : 'autocannon';
  const latest = join(resultsDir, 'latest.json');
  writeFileSync(
    latest,
    `${JSON.stringify({ date: new Date().toISOString(), machine: info, options, generator, ports, samples, summary, targets: targetResults, idle, cold, wan, problems }, null, 2)}\n`,
  );
  if (options.publish) {
    publish(latest, true);
    log('kept as bench/results/published.json; README.md and bench/README.md rewritten from it');
  }
  const failed = problems.length > 0 || [...targetResults, ...(wan?.targets ?? [])].some((result) => result.pass === false);
  return options.strict && failed ? 1 : 0;
}

main()
  .then(
    (code) => code,
    (error: unknown) => {
      if (error instanceof UsageError) {
        log(error.message);
        return error.exitCode;
      }
      log(error instanceof Error ? (error.stack ?? error.message) : String(error));
      return 2;
    },
  )
  .then(async (code) => {
    // Our forwards first (their pools point at the sandbox and the upstream), then everything else.
    for (const child of started.reverse()) await child.stop().catch(() => undefined);
    await iperfServer?.stop().catch(() => undefined);
    killAll();
    process.exit(code);
  });
