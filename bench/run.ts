import { mkdirSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { parseArgs, UsageError, type BenchOptions } from './args';
import { bundleChildren, Child, killAll, type Entry } from './children';
import { measureColdToken, type ColdTokenResult } from './coldToken';
import { foreignLoad, snapshot, waitForQuiet, type ForeignLoad } from './cpu';
import { measureIdle, type IdleResult } from './idle';
import type { LoadJob } from './load';
import { backgroundLine, checks, figuresTable, machine, machineLine, ratioTable, targetLines, targets } from './report';
import { scenarios, workloads, type LoadResult, type ScenarioId } from './shared';
import { summarize, type Sample } from './stats';
import type { UpstreamCounters } from './upstream';

// `npm run bench`: upstream, references, sandbox and our forwards each in a process of their own, autocannon in
// a fresh process per measurement, every scenario × workload once per round in a rotated order.

const resultsDir = join(__dirname, 'results');
const log = (line: string) => process.stderr.write(`${line}\n`);
const rotate = <T>(items: readonly T[], by: number): T[] => items.map((_item, index) => items[(index + by) % items.length] as T);

interface Processes {
  upstream: Child<{ port: number }>;
  references: Child<{ netPipe: number; httpProxy: number }>;
  sandbox: Child<{ keys: { destination: unknown; connectivity: unknown }; caPem: string }>;
  forwards: Child<{ http: number; tcp: number; tunnel: number }>;
}

const started: Child[] = [];
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

async function rounds(options: BenchOptions, processes: Processes, ports: Record<ScenarioId, number>): Promise<Sample[]> {
  const samples: Sample[] = [];
  const chosen = scenarios.filter((scenario) => options.scenarios.includes(scenario.id));
  const chosenWorkloads = workloads.filter((workload) => options.workloads.includes(workload.id));
  for (let round = 0; round < options.rounds; round++) {
    for (const workload of rotate(chosenWorkloads, round)) {
      for (const scenario of rotate(chosen, round)) {
        const job: LoadJob = {
          url: `http://127.0.0.1:${ports[scenario.id]}${workload.path}`,
          connections: workload.connections,
          seconds: options.duration,
          warmupSeconds: options.warmup,
          reconnect: workload.reconnect,
        };
        const { result, upstream, foreign, attempts } = await measureQuietly(options, processes, job, `${workload.id} ${scenario.id}`);
        samples.push({ round, scenario: scenario.id, workload: workload.id, load: result, upstream, ...(foreign ? { foreign } : {}), attempts });
        const latency = result.p99 === undefined ? '' : `, p50 ${result.p50?.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms`;
        const background = foreign ? `, others ${foreign.foreignCores.toFixed(2)} cores` : '';
        const failures = result.errors + result.timeouts + result.non2xx ? `, ${result.errors} errors ${result.timeouts} timeouts ${result.non2xx} non-2xx` : '';
        log(`round ${round + 1}/${options.rounds} ${workload.id.padEnd(7)} ${scenario.id.padEnd(11)} ${Math.round(result.reqPerSec).toString().padStart(6)} req/s, ${result.mbPerSec.toFixed(1)} MB/s${latency}${failures}${background}`);
      }
    }
  }
  return samples;
}

/**
 * One measurement in a fresh load process, after a quiet moment (which also lets the previous run's last
 * requests drain out of the counters); repeated when other processes took more than `--quiet` cores meanwhile.
 */
async function measureQuietly(options: BenchOptions, processes: Processes, job: LoadJob, what: string) {
  const ours = () => started.map((child) => child.pid);
  for (let attempt = 1; ; attempt++) {
    await waitForQuiet(ours(), options.quietCores, options.quietWaitSeconds * 1000);
    const before = await processes.upstream.call<UpstreamCounters>('counters');
    const load = await Child.start('load', {});
    let result: LoadResult;
    let foreign: ForeignLoad | undefined;
    try {
      const cpuBefore = snapshot([...ours(), load.pid]);
      result = await load.call<LoadResult>('run', job);
      foreign = foreignLoad(cpuBefore, snapshot([...ours(), load.pid]));
    } finally {
      await load.stop();
    }
    const after = await processes.upstream.call<UpstreamCounters>('counters');
    const upstream = { total: after.total - before.total, authorized: after.authorized - before.authorized };
    const noise = (foreign?.foreignCores ?? 0) + (foreign?.stealCores ?? 0);
    if (noise <= options.quietCores || attempt > options.retries) return { result, upstream, foreign, attempts: attempt };
    log(`${what}: other processes took ${noise.toFixed(2)} cores meanwhile; measuring again`);
  }
}

async function idleChecks(options: BenchOptions, processes: Processes): Promise<IdleResult[]> {
  const results: IdleResult[] = [];
  for (const which of ['http', 'tcp'] as const) {
    // A fresh process with this one forward: the RSS of what a user would run, not of the bench's long-lived one.
    const forward = await start<Partial<Record<'http' | 'tcp', number>>>('forwards', { ...(await forwardsArgs(processes)), createDestinations: false, start: [which] }, options);
    try {
      const result = await measureIdle(forward, which, forward.ready[which] as number, options.idleConnections);
      log(`idle ${which}: ${result.openAtMeasurement}/${result.connections} open, RSS ${result.rssBeforeMb.toFixed(1)} → ${result.rssAfterMb.toFixed(1)} MB`);
      results.push(result);
    } finally {
      await forward.stop();
    }
  }
  return results;
}

async function forwardsArgs(processes: Processes) {
  return { keys: processes.sandbox.ready.keys, caPem: processes.sandbox.ready.caPem, upstreamPort: processes.upstream.ready.port };
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
  const references = await start<{ netPipe: number; httpProxy: number }>('references', { upstreamPort: upstream.ready.port }, options);
  const sandbox = await start<Processes['sandbox']['ready']>('sandboxHost', { upstreamPort: upstream.ready.port }, options);
  const partial = { upstream, references, sandbox } as Processes;
  const forwards = await start<{ http: number; inspected: number; tcp: number; tunnel: number }>('forwards', { ...(await forwardsArgs(partial)), createDestinations: true, start: ['http', 'inspected', 'tcp', 'tunnel'] }, options);
  const processes: Processes = { ...partial, forwards };
  const ports: Record<ScenarioId, number> = {
    direct: upstream.ready.port,
    netPipe: references.ready.netPipe,
    httpProxy: references.ready.httpProxy,
    httpForward: forwards.ready.http,
    inspected: forwards.ready.inspected,
    tcpForward: forwards.ready.tcp,
    tunnel: forwards.ready.tunnel,
  };
  for (const scenario of scenarios) {
    const answer = await probe(ports[scenario.id]);
    if (answer.status !== 200) throw new Error(`${scenario.id} answered ${answer.status} to a probe: the bench setup is broken`);
  }

  let cold: ColdTokenResult | undefined;
  if (options.cold) {
    cold = await measureColdToken(upstream.ready.port, async () => (await upstream.call<UpstreamCounters>('counters')).bearer);
    log(`cold token: ${cold.firstUse} token request(s) for start + ${cold.concurrent} concurrent, ${cold.afterExpiry} after expiry`);
  }
  const samples = await rounds(options, processes, ports);
  const idle = options.idle ? await idleChecks(options, processes) : [];

  const summary = summarize(samples);
  const targetResults = targets(samples, summary, idle, cold);
  const problems = checks(samples);
  const markdown = [
    `Machine: ${machineLine(info)}. ${options.rounds} interleaved round(s) of ${options.duration} s per measurement; median [min–max].`,
    backgroundLine(samples),
    '',
    figuresTable(summary),
    '',
    'Ratios of medians (÷ direct / net pipe / http-proxy; for latency > 1 is slower):',
    '',
    ratioTable(samples, summary),
    '',
    'Targets (medians):',
    '',
    targetLines(targetResults),
    '',
    problems.length ? `CHECK FAILED:\n${problems.map((problem) => `- ${problem}`).join('\n')}` : 'Checks: no errors, no non-2xx, every request of http-proxy, HTTP forward and tunnel reached the upstream with the Basic header.',
  ].join('\n');
  process.stdout.write(`${markdown}\n`);
  writeFileSync(join(resultsDir, 'latest.md'), `${markdown}\n`);
  writeFileSync(join(resultsDir, 'latest.json'), `${JSON.stringify({ date: new Date().toISOString(), machine: info, options, ports, samples, summary, targets: targetResults, idle, cold, problems }, null, 2)}\n`);
  const failed = problems.length > 0 || targetResults.some((result) => result.pass === false);
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
    killAll();
    process.exit(code);
  });
