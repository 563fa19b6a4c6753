import type { TargetResult } from './report';

/** One client in the WAN scenario; milliseconds, medians over the cold starts. */
export interface WanRow {
  readonly id: string;
  readonly label: string;
  /** From spawning the process to "ready" (the forward's announcement); absent for in-process clients. */
  readonly readyMs?: number;
  /** The first request after "ready" (forwards) or the first call of a fresh process (SDK, approuter). */
  readonly firstMs: number;
  /** From spawning the process to the first response. */
  readonly startToFirstMs?: number;
  /** Sequential warm requests on the same process. */
  readonly warmP50: number;
  readonly warmP99: number;
  readonly coldRuns: number;
  readonly warmRequests: number;
  /** Of the first cold start: connections accepted per delayed link, ms after the spawn. */
  readonly trace?: Record<string, number[]>;
}

export interface WanResult {
  /** Fixed one-way delay on each delayed link; a round trip is twice this. */
  readonly oneWayMs: number;
  /** Node's own start (`node -e 0`), the floor of any "start → first response". */
  readonly processStartMs: number;
  readonly rows: readonly WanRow[];
  readonly targets: readonly TargetResult[];
}

const ms = (value: number | undefined) => (value === undefined || !Number.isFinite(value) ? '–' : `${Math.round(value)} ms`);

export function roundTrips(result: Pick<WanResult, 'oneWayMs'>, value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? '–' : (value / (2 * result.oneWayMs)).toFixed(1);
}

export function wanTable(result: WanResult): string {
  return [
    `WAN: ${result.oneWayMs} ms one way (1 round trip = ${2 * result.oneWayMs} ms) on the links to the token service, the Destination service, the connectivity proxy and the upstream; \`node -e 0\` takes ${ms(result.processStartMs)}. Medians of ${result.rows[0]?.coldRuns ?? 0} cold starts; warm: ${result.rows[0]?.warmRequests ?? 0} sequential requests each.`,
    '',
    '| client | start → ready | first request | start → first response | warm p50 | warm p99 | round trips: first / warm p50 |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...result.rows.map(
      (row) =>
        `| ${row.label} | ${ms(row.readyMs)} | ${ms(row.firstMs)} | ${ms(row.startToFirstMs)} | ${ms(row.warmP50)} | ${ms(row.warmP99)} | ${roundTrips(result, row.firstMs)} / ${roundTrips(result, row.warmP50)} |`,
    ),
    '',
    ...result.targets.map((target) => `- ${target.pass === undefined ? 'n/a' : target.pass ? 'met' : 'missed'}: ${target.label}: ${target.measured}`),
  ].join('\n');
}
