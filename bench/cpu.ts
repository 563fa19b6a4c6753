import { readFileSync } from 'node:fs';

// The machine is shared: what other processes burn while we measure is recorded with every sample, and a
// measurement waits (bounded) for a quiet moment. All figures come from /proc, in clock ticks (USER_HZ = 100).

const ticksPerSecond = 100;

export interface Snapshot {
  readonly at: number;
  readonly busy: number;
  readonly steal: number;
  readonly ours: number;
  /** utime + stime of each watched process. */
  readonly perPid: ReadonlyMap<number, number>;
}

export function processTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

export function snapshot(pids: readonly number[]): Snapshot | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const [user, nice, system, _idle, _iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    const busy = (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0);
    const perPid = new Map([process.pid, ...pids].map((pid) => [pid, processTicks(pid)]));
    return { at: performance.now(), busy, steal: steal ?? 0, ours: [...perPid.values()].reduce((sum, ticks) => sum + ticks, 0), perPid };
  } catch {
    return undefined;
  }
}

export interface ForeignLoad {
  /** Cores used by processes that are not the bench's, on average over the interval. */
  readonly foreignCores: number;
  /** Cores the hypervisor took away. */
  readonly stealCores: number;
}

/**
 * `extraCores`: CPU of our processes that /proc no longer shows at `after` (a load generator that has exited and
 * reported its own figure).
 */
export function foreignLoad(before: Snapshot | undefined, after: Snapshot | undefined, extraCores = 0): ForeignLoad | undefined {
  if (!before || !after || after.at <= before.at) return undefined;
  const seconds = (after.at - before.at) / 1000;
  const cores = (ticks: number) => Math.max(0, ticks / ticksPerSecond / seconds);
  return {
    foreignCores: Math.max(0, cores(after.busy - before.busy - (after.ours - before.ours)) - extraCores),
    stealCores: cores(after.steal - before.steal),
  };
}

/** Cores each watched process used between two snapshots, by the name given to its pid. */
export function coresOf(before: Snapshot | undefined, after: Snapshot | undefined, names: ReadonlyMap<number, string>): Record<string, number> {
  const result: Record<string, number> = {};
  if (!before || !after || after.at <= before.at) return result;
  const seconds = (after.at - before.at) / 1000;
  for (const [pid, name] of names) {
    const start = before.perPid.get(pid);
    const end = after.perPid.get(pid);
    if (start !== undefined && end !== undefined) result[name] = (end - start) / ticksPerSecond / seconds;
  }
  return result;
}

/** Waits until other processes use less than `limit` cores over a 500 ms window, at most `maxMs`. */
export async function waitForQuiet(pids: readonly number[], limit: number, maxMs: number): Promise<ForeignLoad | undefined> {
  const deadline = performance.now() + maxMs;
  for (;;) {
    const before = snapshot(pids);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const load = foreignLoad(before, snapshot(pids));
    if (!load || load.foreignCores + load.stealCores < limit || performance.now() >= deadline) return load;
  }
}
