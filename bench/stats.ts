import type { ForeignLoad } from './cpu';
import { scenarios, type LoadResult, type ScenarioId, type WorkloadId } from './shared';

/** One measurement: a scenario under a workload in one round. */
export interface Sample {
  readonly round: number;
  readonly scenario: ScenarioId;
  readonly workload: WorkloadId;
  readonly load: LoadResult;
  /** What the upstream counted during the run (warm-up included). */
  readonly upstream: { readonly total: number; readonly authorized: number };
  /** CPU that other processes on the machine used meanwhile. */
  readonly foreign?: ForeignLoad;
  /** 1 unless the measurement was repeated because of such load. */
  readonly attempts: number;
  /** wrk, autocannon or iperf3. */
  readonly generator?: string;
  /** Cores each process of the bench used during the measurement, the load generator included (`load`). */
  readonly cpu?: Record<string, number>;
}

/** A load generator above this share of one core measures itself more than the path under test. */
export const loadCeilingCores = 0.9;

export type FigureId = 'rps' | 'p50' | 'p99' | 'mbps' | 'rpsNew' | 'gbps';

export interface Figure {
  readonly id: FigureId;
  readonly label: string;
  readonly workload: WorkloadId;
  readonly pick: (load: LoadResult) => number | undefined;
  readonly higherIsBetter: boolean;
  readonly digits: number;
}

export const figures: readonly Figure[] = [
  { id: 'rps', label: 'req/s (50 conn.)', workload: 'json', pick: (load) => load.reqPerSec, higherIsBetter: true, digits: 0 },
  { id: 'p50', label: 'p50 ms', workload: 'json', pick: (load) => load.p50, higherIsBetter: false, digits: 2 },
  { id: 'p99', label: 'p99 ms', workload: 'json', pick: (load) => load.p99, higherIsBetter: false, digits: 2 },
  { id: 'mbps', label: 'MB/s (1 MiB)', workload: 'mib', pick: (load) => load.mbPerSec, higherIsBetter: true, digits: 0 },
  { id: 'rpsNew', label: 'req/s (new conn.)', workload: 'newConn', pick: (load) => load.reqPerSec, higherIsBetter: true, digits: 0 },
  { id: 'gbps', label: 'iperf3 Gbit/s', workload: 'iperf', pick: (load) => load.gbitPerSec, higherIsBetter: true, digits: 1 },
];

export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly values: readonly number[];
}

export function spread(values: readonly number[]): Spread | undefined {
  const finite = values.filter((value) => Number.isFinite(value));
  if (finite.length === 0) return undefined;
  const sorted = [...finite].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
  return { median, min: sorted[0] as number, max: sorted[sorted.length - 1] as number, values: finite };
}

export type Summary = Partial<Record<ScenarioId, Partial<Record<FigureId, Spread>>>>;

export function summarize(samples: readonly Sample[]): Summary {
  const summary: Summary = {};
  for (const scenario of scenarios) {
    for (const figure of figures) {
      const values = samples
        .filter((sample) => sample.scenario === scenario.id && sample.workload === figure.workload)
        .map((sample) => figure.pick(sample.load) ?? Number.NaN);
      const result = spread(values);
      if (result) (summary[scenario.id] ??= {})[figure.id] = result;
    }
  }
  return summary;
}

/** Ratio of medians, and the spread of the per-round ratios (runs of one round sit close together in time). */
export interface Ratio {
  readonly ofMedians: number;
  readonly perRound?: Spread;
}

export function ratio(samples: readonly Sample[], summary: Summary, figure: Figure, of: ScenarioId, to: ScenarioId): Ratio | undefined {
  const a = summary[of]?.[figure.id];
  const b = summary[to]?.[figure.id];
  if (!a || !b || b.median === 0) return undefined;
  const value = (scenario: ScenarioId, round: number) => {
    const sample = samples.find((candidate) => candidate.scenario === scenario && candidate.workload === figure.workload && candidate.round === round);
    return sample ? (figure.pick(sample.load) ?? Number.NaN) : Number.NaN;
  };
  const rounds = [...new Set(samples.map((sample) => sample.round))];
  const perRound = spread(rounds.map((round) => value(of, round) / value(to, round)));
  return { ofMedians: a.median / b.median, ...(perRound ? { perRound } : {}) };
}
