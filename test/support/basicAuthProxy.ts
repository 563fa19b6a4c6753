import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createProxy } from 'proxy';

/**
 * A forward proxy of a corporate network on 127.0.0.1:0 (TooTallNate's `proxy`, the package behind proxy-agent's
 * tests) that wants Basic credentials and logs every CONNECT it was asked for. Targets are named under `.btp.test`
 * (RFC 6761: never resolves), and only the proxy maps them to loopback ports: a request that bypassed the proxy
 * fails with ENOTFOUND instead of passing unseen. Its own file: the in-host suite bundles it without mockttp.
 */

export const TEST_DOMAIN = 'btp.test';

export interface ProxyLogEntry {
  /** `host:port` as the client asked for it. */
  readonly target: string;
  /** The Basic user it sent, or undefined. */
  readonly user: string | undefined;
  readonly allowed: boolean;
}

export interface BasicAuthProxy {
  readonly port: number;
  /** `http://user:password@127.0.0.1:port` (percent-encoded), or without credentials. */
  url(credentials?: { user: string; password: string }): string;
  /** Every CONNECT (and absolute-form request) in order. */
  readonly log: readonly ProxyLogEntry[];
  /** Allowed requests to `host` (any port), optionally of one user. */
  count(host: string, user?: string): number;
  /** Requests refused with 407. */
  refused(): number;
  close(): Promise<void>;
}

/** `hosts`: `<name>.btp.test` → loopback port; a CONNECT to `<name>.btp.test:<any>` goes to 127.0.0.1:<that port>. */
export async function startBasicAuthProxy(options: {
  users: Readonly<Record<string, string>>;
  hosts: Readonly<Record<string, number>>;
}): Promise<BasicAuthProxy> {
  const log: ProxyLogEntry[] = [];
  const sockets = new Set<Socket>();
  const server = createProxy(createServer()) as Server & { authenticate?: (req: IncomingMessage) => boolean };
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  // The package's hook for credentials; it also runs before the target is dialled, so it is where the test's
  // "DNS" of the proxy rewrites `<name>.btp.test:<port>` to the loopback port.
  server.authenticate = (req) => {
    const [scheme, encoded] = (req.headers['proxy-authorization'] ?? '').split(' ');
    const [user, ...rest] = scheme?.toLowerCase() === 'basic' && encoded ? Buffer.from(encoded, 'base64').toString('utf8').split(':') : [];
    const allowed = user !== undefined && options.users[user] === rest.join(':');
    const target = req.method === 'CONNECT' ? (req.url ?? '') : new URL(req.url ?? '/').host;
    log.push({ target, user, allowed });
    const host = target.replace(/:\d+$/, '');
    const port = host.endsWith(`.${TEST_DOMAIN}`) ? options.hosts[host.slice(0, -TEST_DOMAIN.length - 1)] : undefined;
    if (allowed && port !== undefined && req.method === 'CONNECT') req.url = `127.0.0.1:${port}`;
    return allowed;
  };
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: (credentials) =>
      credentials ? `http://${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}@127.0.0.1:${port}` : `http://127.0.0.1:${port}`,
    log,
    count: (host, user) =>
      log.filter((entry) => entry.allowed && entry.target.replace(/:\d+$/, '') === host && (user === undefined || entry.user === user)).length,
    refused: () => log.filter((entry) => !entry.allowed).length,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
