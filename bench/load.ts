import autocannon from 'autocannon';
import { serveParent } from './ipc';
import type { LoadResult } from './shared';

// The load generator: autocannon's programmatic API in a process of its own, one process per measurement.

export interface LoadJob {
  readonly url: string;
  readonly connections: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly reconnect: boolean;
}

/**
 * autocannon's histogram keeps whole milliseconds (a 0.6 ms p50 reads "0"), so latencies are taken from each
 * client's 'response' event instead. With `reconnectRate` autocannon 8 emits no 'response' at all and counts 0
 * completed requests; responses are counted from 'headers' then (a ~200-byte body arrives with its headers).
 */
async function measure(job: LoadJob, seconds: number): Promise<LoadResult> {
  let latencies = new Float64Array(1 << 16);
  let count = 0;
  let ok = 0;
  let non2xx = 0;
  const record = (ms: number) => {
    if (count === latencies.length) {
      const grown = new Float64Array(latencies.length * 2);
      grown.set(latencies);
      latencies = grown;
    }
    latencies[count++] = ms;
  };
  const status = (code: number) => (code >= 200 && code < 300 ? ok++ : non2xx++);
  const result = await autocannon({
    url: job.url,
    connections: job.connections,
    duration: seconds,
    timeout: 10,
    ...(job.reconnect ? { reconnectRate: 1 } : {}),
    setupClient: (client) => {
      if (job.reconnect) client.on('headers', (headers: { statusCode: number }) => status(headers.statusCode));
      else
        client.on('response', (code: number, _bytes: number, ms: number) => {
          status(code);
          if (code >= 200 && code < 300) record(ms);
        });
    },
  });
  const sorted = latencies.subarray(0, count).sort();
  const percentile = (p: number) => sorted[Math.min(count - 1, Math.floor((p / 100) * count))] ?? Number.NaN;
  return {
    seconds: result.duration,
    ok,
    non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    reqPerSec: ok / result.duration,
    mbPerSec: result.throughput.total / result.duration / 1e6,
    ...(job.reconnect ? {} : { p50: percentile(50), p99: percentile(99) }),
  };
}

serveParent(async () => ({
  ready: process.pid,
  handlers: {
    run: async (job: unknown) => {
      const load = job as LoadJob;
      // Warm-up: JIT of this process and of the path under test, pools filled.
      if (load.warmupSeconds > 0) await measure(load, load.warmupSeconds);
      return measure(load, load.seconds);
    },
  },
}));
