import { readFileSync } from 'node:fs';

// The machine is shared: what other processes burn while we measure is recorded with every sample, and a
// measurement waits (bounded) for a quiet moment. All figures come from /proc, in clock ticks (USER_HZ = 100).

const ticksPerSecond = 100;

interface Snapshot {
  readonly at: number;
  readonly busy: number;
  readonly steal: number;
  readonly ours: number;
}

function processTicks(pid: number): number {
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
    return { at: performance.now(), busy, steal: steal ?? 0, ours: [process.pid, ...pids].reduce((sum, pid) => sum + processTicks(pid), 0) };
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

export function foreignLoad(before: Snapshot | undefined, after: Snapshot | undefined): ForeignLoad | undefined {
  if (!before || !after || after.at <= before.at) return undefined;
  const seconds = (after.at - before.at) / 1000;
  const cores = (ticks: number) => Math.max(0, ticks / ticksPerSecond / seconds);
  return { foreignCores: cores(after.busy - before.busy - (after.ours - before.ours)), stealCores: cores(after.steal - before.steal) };
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
