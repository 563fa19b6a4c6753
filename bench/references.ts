import { Agent, createServer as createHttpServer } from 'node:http';
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import httpProxy from 'http-proxy';
import { tuneForForwarding } from '../src/cli/runtime';
import { serveParent } from './ipc';
import { basicAuthorization } from './shared';

// The two things a user could run instead of a forward, each as they would write it.

/** Reference 1: a 20-line `net` pipe (what `socat TCP-LISTEN,fork TCP:upstream` does). */
function netPipe(upstreamPort: number): Server {
  return createServer((client) => {
    const upstream = connect({ port: upstreamPort, host: '127.0.0.1' });
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
}

/** Reference 2: a reverse proxy on `http-proxy` with a keep-alive agent, adding the same Authorization header. */
function httpProxyServer(upstreamPort: number, authorization: string) {
  const proxy = httpProxy.createProxyServer({ target: `http://127.0.0.1:${upstreamPort}`, agent: new Agent({ keepAlive: true }), headers: { authorization } });
  proxy.on('error', (_error, _req, res) => {
    if ('writeHead' in res && !res.headersSent) res.writeHead(502).end();
    else res.destroy();
  });
  return createHttpServer((req, res) => proxy.web(req, res));
}

const listen = (server: Server) =>
  new Promise<number>((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => resolve((server.address() as AddressInfo).port)));

export interface ReferencesArgs {
  readonly upstreamPort: number;
  /** The iperf3 server, for a second pipe; absent when iperf3 is not installed. */
  readonly iperfPort?: number;
  /** The forwards' V8 flags (a fair comparison), or V8's defaults (what a user would run). */
  readonly tuned: boolean;
}

serveParent(async ({ upstreamPort, iperfPort, tuned }: ReferencesArgs) => {
  if (tuned) tuneForForwarding();
  const pipe = netPipe(upstreamPort);
  const proxy = httpProxyServer(upstreamPort, basicAuthorization);
  const iperfPipe = iperfPort === undefined ? undefined : netPipe(iperfPort);
  const ports = { netPipe: await listen(pipe), httpProxy: await listen(proxy), ...(iperfPipe ? { iperfPipe: await listen(iperfPipe) } : {}) };
  return {
    ready: ports,
    handlers: { rss: () => process.memoryUsage().rss },
    close: async () => {
      proxy.closeAllConnections();
      await Promise.all([pipe, proxy, ...(iperfPipe ? [iperfPipe] : [])].map((server) => new Promise((resolve) => server.close(resolve))));
    },
  };
});
