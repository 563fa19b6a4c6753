import { spawn } from 'node:child_process';

const ticksPerSecond = 100;

/** What a load tool printed, how it ended, and the cores it used on average while it ran. */
export interface MeasuredRun {
  readonly output: string;
  readonly code: number | null;
  readonly loadCores: number;
}

/**
 * Runs `tool args…` under `sh`, whose own /proc stat after the tool was reaped holds the tool's CPU (cutime and
 * cstime): the load generator's share of the machine, measured exactly. The stat line is cut from `output`.
 */
export function runMeasured(tool: string, args: readonly string[]): Promise<MeasuredRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('sh', ['-c', `${tool} "$@"; code=$?; echo "@@stat $(cat /proc/$$/stat)"; exit $code`, 'sh', ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('close', (code) => {
      const elapsed = (performance.now() - started) / 1000;
      const marker = output.lastIndexOf('@@stat ');
      const stat = marker < 0 ? '' : output.slice(marker + 7).trim();
      // cutime and cstime: fields 16 and 17, counted after the command name.
      const fields = stat ? stat.slice(stat.lastIndexOf(')') + 2).split(' ') : [];
      const ticks = Number(fields[13]) + Number(fields[14]);
      resolve({
        output: marker < 0 ? output : output.slice(0, marker),
        code,
        loadCores: Number.isFinite(ticks) ? ticks / ticksPerSecond / elapsed : Number.NaN,
      });
    });
  });
}
