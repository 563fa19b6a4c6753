import type { TargetResult } from './report';

/** One client in the WAN scenario; milliseconds, medians over the cold starts. */
export interface WanRow {
  readonly id: string;
  readonly label: string;
  /** From spawning the process (the tree's rows: the Forward command) to "ready" (the forward's port); absent for in-process clients. */
  readonly readyMs?: number;
  /** The first request after "ready" (forwards, approuter) or the first call of a fresh process (SDK). */
  readonly firstMs: number;
  /** Its slowest over the cold starts (p99 of a few). Absent in runs before it was measured. */
  readonly firstP99?: number;
  /** From spawning the process (the tree's rows: the Forward command) to the first response. */
  readonly startToFirstMs?: number;
  readonly startToFirstP99?: number;
  /** Sequential warm requests on the same process. */
  readonly warmP50: number;
  readonly warmP99: number;
  readonly coldRuns: number;
  readonly warmRequests: number;
  /** Of the first cold start: connections accepted per delayed link, ms after the spawn (the tree's rows: the command, listing before it). */
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

/** p50 / p99, or the p50 alone where a run before the p99 was measured has none. */
const pair = (p50: number | undefined, p99: number | undefined) => (p99 === undefined ? ms(p50) : `${ms(p50)} / ${ms(p99)}`);

export function roundTrips(result: Pick<WanResult, 'oneWayMs'>, value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? '–' : (value / (2 * result.oneWayMs)).toFixed(1);
}

export function wanTable(result: WanResult): string {
  return [
    `WAN: ${result.oneWayMs} ms one way (1 round trip = ${2 * result.oneWayMs} ms) on the links to the token service (its HTTP url and its HTTPS uaadomain), the Destination service, the connectivity proxy and the upstream; \`node -e 0\` takes ${ms(result.processStartMs)}. Cold: ${result.rows[0]?.coldRuns ?? 0} fresh processes per client (medians; p99 of so few is their slowest; the CLI with V8's code cache of an earlier start, as every start after a version's first has it); warm: ${result.rows[0]?.warmRequests ?? 0} sequential requests each. Targets for our forward: warm = 1 round trip; first request after "ready" ≤ warm + 1; command → first response ≤ process start + 4 round trips. The tree's Forward command runs in a process whose connection has listed its destinations, as the running extension's has: its start is the command, and its target is command → first response ≤ 4 round trips (no process start), warm = 1 round trip.`,
    '',
    '| client | start → ready | cold: first request p50 / p99 | cold: start → first response p50 / p99 | warm p50 | warm p99 | round trips: first / warm p50 |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...result.rows.map(
      (row) =>
        `| ${row.label} | ${ms(row.readyMs)} | ${pair(row.firstMs, row.firstP99)} | ${pair(row.startToFirstMs, row.startToFirstP99)} | ${ms(row.warmP50)} | ${ms(row.warmP99)} | ${roundTrips(result, row.firstMs)} / ${roundTrips(result, row.warmP50)} |`,
    ),
    '',
    ...result.targets.map((target) => `- ${target.pass === undefined ? 'n/a' : target.pass ? 'met' : 'missed'}: ${target.label}: ${target.measured}`),
  ].join('\n');
}

/** The WAN targets of the issue, from the rows that were measured. */
export function wanTargets(result: Omit<WanResult, 'targets'>): TargetResult[] {
  const rtt = 2 * result.oneWayMs;
  const find = (id: string) => result.rows.find((candidate) => candidate.id === id);
  const trips = (value: number) => `${(value / rtt).toFixed(2)} round trips`;
  // Round trips are counted to the nearest whole one: loopback, the delay proxies and a busy machine add
  // milliseconds, a second round trip would add 40.
  const warmTarget = (row: WanRow): TargetResult => ({
    label: `${row.label}: a warm request costs 1 round trip`,
    measured: `p50 ${Math.round(row.warmP50)} ms = ${trips(row.warmP50)}`,
    pass: Math.round(row.warmP50 / rtt) <= 1,
    value: row.warmP50 / rtt,
  });
  const cliRows = ['forwardInternet', 'forwardOnPremise', 'forwardSavedInternet', 'forwardSavedOnPremise'];
  const targets: TargetResult[] = [];
  for (const id of cliRows) {
    const forward = find(id);
    if (!forward) continue;
    targets.push(warmTarget(forward));
    targets.push({
      label: `${forward.label}: first request after "ready" ≤ warm + 1 round trip`,
      measured: `${Math.round(forward.firstMs)} ms vs warm ${Math.round(forward.warmP50)} ms (+${trips(forward.firstMs - forward.warmP50)})`,
      pass: Math.round((forward.firstMs - forward.warmP50) / rtt) <= 1,
      value: (forward.firstMs - forward.warmP50) / rtt,
    });
  }
  for (const id of cliRows) {
    const forward = find(id);
    if (forward?.startToFirstMs === undefined) continue;
    const budget = result.processStartMs + 4 * rtt;
    targets.push({
      label: `${forward.label}: command → first response ≤ process start + 4 round trips`,
      measured: `${Math.round(forward.startToFirstMs)} ms vs ${Math.round(result.processStartMs)} ms + ${4 * rtt} ms = ${Math.round(budget)} ms`,
      pass: forward.startToFirstMs <= budget,
      value: forward.startToFirstMs,
    });
  }
  // The tree's Forward command starts no process: the extension is running and has listed the destinations.
  for (const id of ['treeInternet', 'treeOnPremise']) {
    const tree = find(id);
    if (!tree) continue;
    targets.push(warmTarget(tree));
    if (tree.startToFirstMs === undefined) continue;
    targets.push({
      label: `${tree.label}: command → first response ≤ 4 round trips`,
      measured: `${Math.round(tree.startToFirstMs)} ms = ${trips(tree.startToFirstMs)} (budget ${4 * rtt} ms)`,
      pass: tree.startToFirstMs <= 4 * rtt,
      value: tree.startToFirstMs,
    });
  }
  return targets;
}
