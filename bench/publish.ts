import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { backgroundLine, cpuTable, figuresTable, machineLine, ratioTable, targetTable, type Machine, type TargetResult } from './report';
import type { ScenarioId } from './shared';
import { figures, ratio, type FigureId, type Sample, type Summary } from './stats';
import { roundTrips, wanTable, type WanResult } from './wanReport';

// The README's figures come from a result file, never by hand: `npm run bench -- --publish` keeps the run as
// bench/results/published.json (committed) and rewrites the blocks between the markers below; run alone
// (`node --import tsx bench/publish.ts [file.json]`) it re-renders them from the committed file.

const root = join(__dirname, '..');
export const publishedPath = join(__dirname, 'results', 'published.json');

export interface BenchResult {
  readonly date: string;
  readonly machine: Machine;
  readonly options: { readonly rounds: number; readonly duration: number; readonly warmup: number };
  readonly samples: readonly Sample[];
  readonly summary: Summary;
  readonly targets: readonly TargetResult[];
  readonly generator?: string;
  readonly wan?: WanResult;
  /** When the WAN part was measured, if in another run than the rest. */
  readonly wanDate?: string;
}

const fixed = (value: number | undefined, digits: number) =>
  value === undefined || !Number.isFinite(value) ? '–' : value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function prose(result: BenchResult): string {
  const { samples, summary } = result;
  const r = (figureId: FigureId, of: ScenarioId, to: ScenarioId) => {
    const figure = figures.find((candidate) => candidate.id === figureId);
    return figure ? ratio(samples, summary, figure, of, to)?.ofMedians : undefined;
  };
  const median = (scenario: ScenarioId, figureId: FigureId) => summary[scenario]?.[figureId]?.median;
  const loads = samples.map((sample) => sample.cpu?.load).filter((value): value is number => Number.isFinite(value));
  const met = result.targets.filter((target) => target.pass === true).length;
  const missed = result.targets.filter((target) => target.pass === false);
  return [
    `With the references under the forwards' V8 flags, the TCP forward does ${fixed(r('rps', 'tcpForward', 'netPipe'), 2)}× the \`net\` pipe's req/s,`,
    `${fixed(r('mbps', 'tcpForward', 'netPipe'), 2)}× its 1 MiB MB/s and ${fixed(r('gbps', 'tcpForward', 'netPipe'), 2)}× its iperf3 Gbit/s; the HTTP forward`,
    `${fixed(r('rps', 'httpForward', 'netPipe'), 2)}× the pipe's req/s and ${fixed(r('rps', 'httpForward', 'httpProxy'), 2)}× http-proxy's, with a p99 of`,
    `${fixed(median('httpForward', 'p99'), 2)} ms against http-proxy's ${fixed(median('httpProxy', 'p99'), 2)} ms, and ${fixed(r('mbps', 'httpForward', 'netPipe'), 2)}× the pipe's 1 MiB MB/s.`,
    `With V8's defaults the pipe does ${fixed(r('rps', 'netPipeDefault', 'netPipe'), 2)}× its tuned req/s and ${fixed(r('mbps', 'netPipeDefault', 'netPipe'), 2)}× its MB/s,`,
    `http-proxy ${fixed(r('rps', 'httpProxyDefault', 'httpProxy'), 2)}× and ${fixed(r('mbps', 'httpProxyDefault', 'httpProxy'), 2)}×.`,
    `The load generator (${result.generator ?? 'wrk'}) used at most ${fixed(loads.length ? Math.max(...loads) : undefined, 2)} cores.`,
    `${met} of ${result.targets.filter((target) => target.pass !== undefined).length} measured targets met${missed.length ? `; missed: ${missed.map((target) => target.label).join('; ')}` : ''}.`,
  ].join(' ');
}

function wanProse(wan: WanResult): string {
  const find = (id: string) => wan.rows.find((row) => row.id === id);
  const trips = (value: number | undefined) => roundTrips(wan, value);
  const internet = find('forwardInternet');
  const onPremise = find('forwardOnPremise');
  const saved = find('forwardSavedOnPremise');
  const sdk = find('sdkOnPremise');
  const tree = find('treeOnPremise');
  if (!internet || !onPremise) return '';
  return [
    `Warm, a request through a forward costs ${trips(internet.warmP50)} (Internet) and ${trips(onPremise.warmP50)} (OnPremise) round trips: connections and lookups are reused.`,
    `Cold, \`btp-connect forward --vcap\` announces its port ${fixed(onPremise.readyMs, 0)} ms after the command (Node alone starts in ${fixed(wan.processStartMs, 0)} ms),`,
    `and the first OnPremise request takes ${fixed(onPremise.firstMs, 0)} ms (${trips(onPremise.firstMs)} round trips), ${fixed(onPremise.startToFirstMs, 0)} ms from the command.`,
    saved?.startToFirstMs === undefined
      ? ''
      : `Of a saved connection, whose tokens an earlier command kept in the keychain, the first OnPremise response comes ${fixed(saved.startToFirstMs, 0)} ms after the command (ready after ${fixed(saved.readyMs, 0)} ms).`,
    tree?.startToFirstMs === undefined
      ? ''
      : `From the tree's Forward command (the extension running, the destinations listed), the first OnPremise response comes ${fixed(tree.startToFirstMs, 0)} ms (${trips(tree.startToFirstMs)} round trips) after the command.`,
    sdk
      ? `The Cloud SDK's first OnPremise call in a fresh process takes ${fixed(sdk.firstMs, 0)} ms (${trips(sdk.firstMs)} round trips), warm ${fixed(sdk.warmP50, 0)} ms.`
      : '',
  ]
    .filter((sentence) => sentence !== '')
    .join(' ');
}

export function readmeBlock(result: BenchResult): string {
  const { options } = result;
  return [
    `Machine: ${machineLine(result.machine)}; run of ${result.date.slice(0, 10)} (\`bench/results/published.json\`). ${options.rounds} interleaved round(s) of ${options.duration} s per measurement (+${options.warmup} s warm-up); median [min–max] over rounds. ${backgroundLine(result.samples)}`,
    '',
    prose(result),
    '',
    figuresTable(result.summary),
    '',
    "Ratios of medians, ÷ direct / ÷ `net` pipe / ÷ http-proxy (references under the forwards' V8 flags; for latency, > 1 is slower):",
    '',
    ratioTable(result.samples, result.summary),
    '',
    targetTable(result.targets),
    ...(result.wan
      ? [
          '',
          `WAN scenario${result.wanDate && result.wanDate !== result.date ? ` (run of ${result.wanDate.slice(0, 10)})` : ''}:`,
          '',
          wanTable(result.wan),
          '',
          wanProse(result.wan),
        ]
      : []),
  ].join('\n');
}

export function cpuBlock(result: BenchResult): string {
  return ['Median cores per process during each measurement (`/proc/<pid>/stat`, utime + stime; below 0.05 left out):', '', cpuTable(result.samples)].join(
    '\n',
  );
}

/** Replaces what lies between `<!-- NAME:begin -->` and `<!-- NAME:end -->`; the markers must exist. */
export function rewriteBlock(text: string, name: string, content: string): string {
  const begin = `<!-- ${name}:begin -->`;
  const end = `<!-- ${name}:end -->`;
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`markers ${begin} … ${end} not found`);
  return `${text.slice(0, from + begin.length)}\n${content}\n${text.slice(to)}`;
}

/**
 * A partial run (`--wan-only`, or `--no-wan`) replaces only its own part of the published result; the README then
 * says which date each part is from.
 */
function merged(fresh: BenchResult & Record<string, unknown>): BenchResult {
  if (!existsSync(publishedPath)) return fresh;
  const previous = JSON.parse(readFileSync(publishedPath, 'utf8')) as BenchResult & Record<string, unknown>;
  const throughput = fresh.samples.length > 0 ? fresh : previous;
  const wan = fresh.wan ? { wan: fresh.wan, wanDate: fresh.date } : previous.wan ? { wan: previous.wan, wanDate: previous.wanDate ?? previous.date } : {};
  return { ...throughput, ...wan };
}

export function publish(resultPath: string, keep: boolean): void {
  if (keep)
    writeFileSync(publishedPath, `${JSON.stringify(merged(JSON.parse(readFileSync(resultPath, 'utf8')) as BenchResult & Record<string, unknown>), null, 2)}\n`);
  const result = JSON.parse(readFileSync(keep ? publishedPath : resultPath, 'utf8')) as BenchResult;
  const readme = join(root, 'README.md');
  writeFileSync(readme, rewriteBlock(readFileSync(readme, 'utf8'), 'bench', readmeBlock(result)));
  const benchReadme = join(__dirname, 'README.md');
  writeFileSync(benchReadme, rewriteBlock(readFileSync(benchReadme, 'utf8'), 'bench-cpu', cpuBlock(result)));
}

if (require.main === module) publish(process.argv[2] ?? publishedPath, false);
