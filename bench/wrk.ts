import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadJob } from './load';
import { runMeasured } from './measuredTool';
import type { LoadResult } from './shared';

// `wrk` (C, one thread) as the load generator: it needs far less CPU per request than autocannon, so a ratio
// to "direct" is less a ratio to the load generator's own ceiling. Its Lua `done` hook prints the figures as
// JSON; a shell around it reports the CPU wrk used (the shell's cutime/cstime once wrk has been reaped).

const scriptDir = join(__dirname, '..', '.tmp', 'bench');

const doneHook = `
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('@@wrk {"requests":%d,"bytes":%d,"micros":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50":%d,"p99":%d}\\n',
    summary.requests, summary.bytes, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
`;

let available: boolean | undefined;
/** wrk on the PATH (Debian package `wrk`); otherwise the bench falls back to autocannon. */
export function wrkAvailable(): boolean {
  available ??= spawnSync('wrk', ['--version'], { stdio: 'ignore' }).error === undefined;
  return available;
}

function script(reconnect: boolean): string {
  mkdirSync(scriptDir, { recursive: true });
  const path = join(scriptDir, reconnect ? 'wrk-close.lua' : 'wrk-keepalive.lua');
  // `Connection: close` makes wrk open a new connection for every request (autocannon's reconnectRate: 1).
  writeFileSync(path, `${reconnect ? 'wrk.headers["Connection"] = "close"\n' : ''}${doneHook}`);
  return path;
}

export interface WrkRun {
  readonly result: LoadResult;
  /** Cores wrk used on average while it ran. */
  readonly loadCores: number;
}

/** One run of `seconds` (whole seconds, at least 1: wrk takes no fractions); the caller runs a warm-up first. */
export async function runWrk(job: LoadJob, seconds: number): Promise<WrkRun> {
  const args = ['-t1', `-c${job.connections}`, `-d${Math.max(1, Math.round(seconds))}s`, '--timeout', '10s', '-s', script(job.reconnect), job.url];
  const { output, code, loadCores } = await runMeasured('wrk', args);
  const line = /^@@wrk (.+)$/m.exec(output)?.[1];
  if (code !== 0 || !line) throw new Error(`wrk failed (exit ${code}): ${output.slice(-400)}`);
  const figures = JSON.parse(line) as Record<string, number>;
  const measured = (figures.micros ?? 0) / 1e6;
  const requests = figures.requests ?? 0;
  const non2xx = figures.status ?? 0;
  return {
    loadCores,
    result: {
      seconds: measured,
      ok: requests - non2xx,
      non2xx,
      errors: (figures.connect ?? 0) + (figures.read ?? 0) + (figures.write ?? 0),
      timeouts: figures.timeout ?? 0,
      reqPerSec: (requests - non2xx) / measured,
      mbPerSec: (figures.bytes ?? 0) / measured / 1e6,
      p50: (figures.p50 ?? Number.NaN) / 1000,
      p99: (figures.p99 ?? Number.NaN) / 1000,
    },
  };
}
