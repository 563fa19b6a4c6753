import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { track } from './children';
import { runMeasured } from './measuredTool';
import type { LoadResult } from './shared';

// Raw TCP throughput with iperf3 (Debian package `iperf3`): one server on loopback for the whole bench, one
// client per measurement, through each TCP scenario. The server is a child of the bench and killed with it.

let available: boolean | undefined;
export function iperfAvailable(): boolean {
  available ??= spawnSync('iperf3', ['--version'], { stdio: 'ignore' }).error === undefined;
  return available;
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface IperfServer {
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
}

export async function startIperfServer(): Promise<IperfServer> {
  const port = await freePort();
  const child: ChildProcess = spawn('iperf3', ['-s', '-B', '127.0.0.1', '-p', String(port), '--forceflush'], { stdio: ['ignore', 'pipe', 'inherit'] });
  track(child);
  // iperf3 prints "Server listening on PORT" once it accepts.
  await new Promise<void>((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes('Server listening')) resolve();
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`iperf3 -s exited (${code}) before listening`)));
  });
  child.stdout?.resume();
  return {
    port,
    pid: child.pid ?? -1,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export interface IperfRun {
  readonly result: LoadResult;
  readonly loadCores: number;
}

/** One client run of `seconds` (after one omitted warm-up second) to 127.0.0.1:port. */
export async function runIperf(port: number, seconds: number): Promise<IperfRun> {
  const args = ['-c', '127.0.0.1', '-p', String(port), '-t', String(Math.max(1, Math.round(seconds))), '-O', '1', '-J'];
  const { output, code, loadCores } = await runMeasured('iperf3', args);
  let report: { end?: { sum_received?: { bits_per_second?: number; bytes?: number; seconds?: number } }; error?: string };
  try {
    report = JSON.parse(output) as typeof report;
  } catch {
    throw new Error(`iperf3 printed no JSON (exit ${code}): ${output.slice(-300)}`);
  }
  const received = report.end?.sum_received;
  if (code !== 0 || !received?.bits_per_second) throw new Error(`iperf3 failed (exit ${code}): ${report.error ?? 'no result'}`);
  return {
    loadCores,
    result: {
      seconds: received.seconds ?? seconds,
      ok: 1,
      non2xx: 0,
      errors: 0,
      timeouts: 0,
      reqPerSec: 0,
      mbPerSec: (received.bytes ?? 0) / (received.seconds ?? seconds) / 1e6,
      gbitPerSec: received.bits_per_second / 1e9,
    },
  };
}
