import { scenarios, workloads, type ScenarioId, type WorkloadId } from './shared';

export interface BenchOptions {
  readonly rounds: number;
  /** Seconds per measurement, after `warmup` seconds of warm-up in the same load process. */
  readonly duration: number;
  readonly warmup: number;
  readonly scenarios: readonly ScenarioId[];
  readonly workloads: readonly WorkloadId[];
  readonly idleConnections: number;
  /** Idle connections of the 10,000-connection memory target, through several HTTP forwards of one process; 0 skips. */
  readonly idleMany: number;
  readonly idle: boolean;
  readonly cold: boolean;
  readonly strict: boolean;
  /** Child processes to run with --cpu-prof (profiles in bench/results/profiles). */
  readonly profile: readonly string[];
  /** Other processes may use this many cores during a measurement; more and it is repeated (up to `retries`). */
  readonly quietCores: number;
  readonly quietWaitSeconds: number;
  readonly retries: number;
  /** The WAN scenario: one-way delay, cold starts per client, warm requests per cold start. */
  readonly wan: boolean;
  readonly wanOnly: boolean;
  readonly wanDelayMs: number;
  readonly wanColdRuns: number;
  readonly wanWarmRequests: number;
  /** autocannon even where wrk is installed. */
  readonly autocannon: boolean;
  /** Copy the result to bench/results/published.json and rewrite the README blocks from it. */
  readonly publish: boolean;
}

/** Bad arguments or `--help`: printed without a stack. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

export const usage = `Usage: npm run bench -- [options]
  --rounds N           interleaved rounds (default 3)
  --duration S         seconds per measurement (default 5), after --warmup S (default 1)
  --quick              smoke run for CI: 1 round of 1 s, no warm-up
  --only a,b           scenarios: ${scenarios.map((scenario) => scenario.id).join(', ')}
  --workloads a,b      workloads: ${workloads.map((workload) => workload.id).join(', ')}
  --idle-connections N idle connections held through one forward (default 1000); --no-idle skips
  --idle-many N        idle connections through HTTP forwards of one process, 4,096 at most per
                       forward (default 10000; 0 skips)
  --no-cold            skip the cold-token check
  --no-wan             skip the WAN scenario (it builds and starts the production CLI); --wan-only
                       runs nothing else; --wan-delay MS one-way delay (default 20), --wan-runs N cold
                       starts per client (default 3)
  --profile a,b        --cpu-prof for child processes: forwards, references, sandboxHost, upstream
  --quiet C            before each measurement wait (at most --quiet-wait S, default 20) until other
                       processes use < C cores (default 0.25); repeat a measurement they disturbed
                       more than that, up to --retries N times (default 2)
  --autocannon         autocannon as the load generator even where wrk is installed
  --publish            keep this run as bench/results/published.json and rewrite README.md's and
                       bench/README.md's generated blocks from it
  --strict             exit 1 when a target is missed or a check fails`;

export function parseArgs(argv: readonly string[]): BenchOptions {
  const options = {
    rounds: 3,
    duration: 5,
    warmup: 1,
    scenarios: scenarios.map((scenario) => scenario.id),
    workloads: workloads.map((workload) => workload.id),
    idleConnections: 1000,
    idleMany: 10_000,
    idle: true,
    cold: true,
    strict: false,
    profile: [] as string[],
    quietCores: 0.25,
    quietWaitSeconds: 20,
    retries: 2,
    autocannon: false,
    publish: false,
    wan: true,
    wanOnly: false,
    wanDelayMs: 20,
    wanColdRuns: 3,
    wanWarmRequests: 20,
  };
  const list = <T extends string>(value: string | undefined, allowed: readonly T[], flag: string): T[] => {
    const items = (value ?? '').split(',').filter(Boolean);
    const unknown = items.filter((item) => !allowed.includes(item as T));
    if (items.length === 0 || unknown.length) throw new UsageError(`${flag}: unknown or missing ${unknown.join(', ') || 'value'}\n${usage}`);
    return items as T[];
  };
  const positive = (value: string | undefined, flag: string): number => {
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed <= 0) throw new UsageError(`${flag} needs a positive number\n${usage}`);
    return parsed;
  };
  for (let index = 0; index < argv.length; index++) {
    const flag = argv[index];
    const value = () => argv[++index];
    switch (flag) {
      case '--rounds':
        options.rounds = Math.round(positive(value(), flag));
        break;
      case '--duration':
        options.duration = positive(value(), flag);
        break;
      case '--warmup':
        options.warmup = Number(value() ?? 0);
        break;
      case '--quick':
        Object.assign(options, { rounds: 1, duration: 1, warmup: 0, quietWaitSeconds: 0.5, retries: 0, wanColdRuns: 1, wanWarmRequests: 5 });
        break;
      case '--no-wan':
        options.wan = false;
        break;
      case '--wan-only':
        options.wanOnly = true;
        break;
      case '--wan-delay':
        options.wanDelayMs = positive(value(), flag);
        break;
      case '--wan-runs':
        options.wanColdRuns = Math.round(positive(value(), flag));
        break;
      case '--only':
        options.scenarios = list(
          value(),
          scenarios.map((scenario) => scenario.id),
          flag,
        );
        break;
      case '--workloads':
        options.workloads = list(
          value(),
          workloads.map((workload) => workload.id),
          flag,
        );
        break;
      case '--idle-connections':
        options.idleConnections = Math.round(positive(value(), flag));
        break;
      case '--idle-many':
        options.idleMany = Math.max(0, Math.round(Number(value())));
        if (!Number.isFinite(options.idleMany)) throw new UsageError(`${flag} needs a number\n${usage}`);
        break;
      case '--no-idle':
        options.idle = false;
        break;
      case '--no-cold':
        options.cold = false;
        break;
      case '--profile':
        options.profile = list(value(), ['forwards', 'references', 'sandboxHost', 'upstream'], flag);
        break;
      case '--quiet':
        options.quietCores = positive(value(), flag);
        break;
      case '--quiet-wait':
        options.quietWaitSeconds = Number(value() ?? 0);
        break;
      case '--retries':
        options.retries = Number(value() ?? 0);
        break;
      case '--strict':
        options.strict = true;
        break;
      case '--autocannon':
        options.autocannon = true;
        break;
      case '--publish':
        options.publish = true;
        break;
      case '--help':
      case '-h':
        throw new UsageError(usage, 0);
      default:
        throw new UsageError(`unknown option ${flag}\n${usage}`);
    }
  }
  return options;
}
