import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveParent } from './ipc';
import { basicAuthorization } from './shared';

// The upstream every scenario ends at: plain node:http, preallocated bodies, and counters that tell the bench
// whether the expected Authorization header arrived (proof that injection happened on the measured path).

export interface UpstreamCounters {
  readonly total: number;
  /** Requests that carried exactly the expected Basic header. */
  readonly authorized: number;
  /** Requests with any Bearer token (the cold-token check). */
  readonly bearer: number;
}

const jsonBody = Buffer.from(
  JSON.stringify({
    id: 4711,
    name: 'Benchmark Partner Ltd',
    city: 'Walldorf',
    country: 'DE',
    active: true,
    tags: ['bench', 'forward', 'json'],
    note: 'x'.repeat(64),
  }),
);
const mibBody = Buffer.alloc(1024 * 1024, 0x61);

serveParent(async () => {
  const counters = { total: 0, authorized: 0, bearer: 0 };
  const jsonHeaders = { 'content-type': 'application/json', 'content-length': jsonBody.length };
  const mibHeaders = { 'content-type': 'application/octet-stream', 'content-length': mibBody.length };
  const server = createServer((req, res) => {
    counters.total++;
    const authorization = req.headers.authorization;
    if (authorization === basicAuthorization) counters.authorized++;
    else if (authorization?.startsWith('Bearer ')) counters.bearer++;
    req.resume();
    const mib = req.url?.startsWith('/mib') === true;
    res.writeHead(200, mib ? mibHeaders : jsonHeaders);
    res.end(mib ? mibBody : jsonBody);
  });
  // Idle connections through the TCP forward must outlive the measurement; Node's default would drop them at 5 s.
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 130_000;
  server.maxHeadersCount = 100;
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve));
  return {
    ready: { port: (server.address() as AddressInfo).port, jsonBytes: jsonBody.length },
    handlers: { counters: (): UpstreamCounters => ({ ...counters }) },
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
});
