import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Dispatcher } from 'undici';
import type { ConnectivityAccess } from '../connectivity/connectivityAccess';
import { BtpError, ErrorCode, isBtpError } from '../errors';
import { silentLogger, type Logger } from '../log';
import { redactText } from '../redact';
import { httpTargetOf, proxyTypeOf, requestAdditions, locationIdOf } from './destinationTarget';
import { downstreamHeaders, upstreamHeaders } from './headers';
import { closeServer, listenLoopback } from './listen';
import { allowedHosts, checkLocalRequest } from './localRequest';
import type { DestinationResolver, Resolved } from './resolver';
import { UpstreamAgents } from './upstreamAgents';
import { handleUpgrade } from './webSocket';

export interface ForwardTimeouts {
  /** Time for a client to send its request headers (slowloris guard). */
  readonly headersMs: number;
  /** Time for the whole request to arrive (0 = unlimited, for long uploads). */
  readonly requestMs: number;
  /** Time for the upstream to answer with headers. */
  readonly upstreamMs: number;
}

export interface HttpForwardOptions {
  readonly resolver: DestinationResolver;
  readonly connectivity?: ConnectivityAccess;
  readonly port?: number;
  readonly allowWebSocket?: boolean;
  readonly timeouts?: Partial<ForwardTimeouts>;
  readonly logger?: Logger;
  readonly onExchange?: (exchange: Exchange) => void;
}

/** One request through a forward, reported when it ends. */
export interface Exchange {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly durationMs: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** Set when the forward itself failed the request (502/504/403…), with a stable code. */
  readonly error?: string;
}

const idempotent = new Set(['GET', 'HEAD', 'OPTIONS', 'DELETE', 'PUT']);

/**
 * `127.0.0.1:PORT` → one destination over HTTP. Auth, `URL.headers`, `URL.queries` and `sap-client` come from
 * find-destination; OnPremise requests go to the connectivity proxy in absolute form. Bodies stream both ways,
 * redirects go back to the client with same-origin `Location`s pointing at the forward.
 */
export class HttpForward {
  private readonly sockets = new Set<Socket>();
  private readonly agents: UpstreamAgents;
  private readonly logger: Logger;
  private hosts = new Set<string>();

  private constructor(
    private readonly server: Server,
    private readonly options: HttpForwardOptions,
    readonly port = 0,
  ) {
    this.logger = options.logger ?? silentLogger;
    this.agents = new UpstreamAgents(options.timeouts?.upstreamMs ?? 60_000);
  }

  static async listen(options: HttpForwardOptions): Promise<HttpForward> {
    const server = createServer({ maxHeaderSize: 16 * 1024 });
    const timeouts = options.timeouts ?? {};
    server.headersTimeout = timeouts.headersMs ?? 20_000;
    server.requestTimeout = timeouts.requestMs ?? 0;
    server.keepAliveTimeout = 5_000;
    server.maxConnections = 4_096;
    const forward = new HttpForward(server, options);
    server.on('connection', (socket) => {
      forward.sockets.add(socket);
      socket.once('close', () => forward.sockets.delete(socket));
    });
    server.on('request', (req, res) => void forward.handle(req, res));
    // A CONNECT must not turn the forward into a general proxy: refuse it and close (AC-07).
    server.on('connect', (_req, socket: Socket) => socket.end('HTTP/1.1 405 Method Not Allowed\r\nConnection: close\r\nContent-Length: 0\r\n\r\n'));
    server.on('upgrade', (req, socket: Socket, head: Buffer) => void handleUpgrade(forward.upgradeContext(), req, socket, head));
    server.on('clientError', (_error, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      else socket.destroy();
    });
    const port = await listenLoopback(server, options.port ?? 0);
    Object.defineProperty(forward, 'port', { value: port });
    forward.hosts = allowedHosts(port);
    return forward;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    await closeServer(this.server, this.sockets);
    await this.agents.close();
  }

  private upgradeContext() {
    return { hosts: this.hosts, options: this.options, logger: this.logger, agentsTls: (resolved: Resolved) => this.agents.tlsFor(resolved) };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const report = (status: number, bytesOut: number, error?: string) =>
      this.options.onExchange?.({
        method: req.method ?? 'GET',
        path: (req.url ?? '/').split('?')[0] ?? '/',
        status,
        durationMs: performance.now() - started,
        bytesIn: requestBytes.get(req) ?? 0,
        bytesOut,
        ...(error ? { error } : {}),
      });
    const check = checkLocalRequest(req, this.hosts);
    if (!check.ok) {
      fail(res, check.status, 'BTP_LOCAL_REQUEST_REFUSED', check.reason);
      req.resume();
      return report(check.status, 0, 'BTP_LOCAL_REQUEST_REFUSED');
    }
    if (hasDotSegment(req.url ?? '/')) {
      fail(res, 400, 'BTP_LOCAL_REQUEST_REFUSED', 'paths with "." or ".." segments are refused');
      req.resume();
      return report(400, 0, 'BTP_LOCAL_REQUEST_REFUSED');
    }
    const aborted = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) aborted.abort();
    });
    try {
      const bodyless = !hasBody(req);
      let response = await this.exchange(req, aborted.signal, false);
      if (response.retry && bodyless && idempotent.has(req.method ?? 'GET')) {
        await response.data.body.dump();
        response = await this.exchange(req, aborted.signal, true);
      }
      const { data } = response;
      res.writeHead(data.statusCode, this.rewriteRedirect(downstreamHeaders(data.headers), response.resolved, req));
      let bytesOut = 0;
      data.body.on('data', (chunk: Buffer) => (bytesOut += chunk.length));
      await pipeline(data.body, res);
      report(data.statusCode, bytesOut, data.statusCode >= 500 ? 'BTP_UPSTREAM_5XX' : undefined);
    } catch (error) {
      const status = isBtpError(error, ErrorCode.Timeout) ? 504 : isBtpError(error, ErrorCode.TunnelDown) ? 503 : 502;
      const code = isBtpError(error) ? error.code : 'BTP_UPSTREAM_FAILED';
      const message = isBtpError(error) ? error.message : `the upstream failed: ${(error as Error).message}`;
      if (!aborted.signal.aborted) this.logger.warn(`${req.method} ${(req.url ?? '').split('?')[0]} failed: ${redactText(message)}`);
      if (!res.headersSent) fail(res, status, code, message);
      else res.destroy();
      report(status, 0, code);
    }
  }

  /** One upstream attempt; `retry` says whether a fresh credential could help (401 upstream, 407 at the proxy). */
  private async exchange(req: IncomingMessage, signal: AbortSignal, secondAttempt: boolean): Promise<{ data: Dispatcher.ResponseData; resolved: Resolved; retry: boolean }> {
    const resolved = await this.options.resolver.get();
    const destination = resolved.destination;
    const target = httpTargetOf(resolved.name, destination);
    const { headers: defaults, queries } = requestAdditions(destination);
    const overrides: Record<string, string> = resolved.authHeader ? { [resolved.authHeader.key.toLowerCase()]: resolved.authHeader.value } : {};
    const path = upstreamPath(target, req.url ?? '/', queries);
    const body = hasBody(req) ? countingBody(req) : undefined;
    const method = (req.method ?? 'GET') as Dispatcher.HttpMethod;
    if (proxyTypeOf(destination) === 'OnPremise') {
      const connectivity = this.options.connectivity;
      if (!connectivity) {
        throw new BtpError(ErrorCode.InvalidInput, `Destination "${resolved.name}" is OnPremise: connect a connectivity service key to reach it.`, { field: 'connectivity' });
      }
      const pool = connectivity.httpPool();
      const token = await connectivity.token();
      const locationId = locationIdOf(destination);
      overrides.host = target.host;
      overrides['proxy-authorization'] = `Bearer ${token.accessToken}`;
      if (locationId) overrides['sap-connectivity-scc-location_id'] = locationId;
      const data = await pool.request({ path: `${target.origin}${path}`, method, headers: upstreamHeaders(req.headers, { defaults, overrides }), body, signal });
      if (data.statusCode === 407) {
        connectivity.invalidate(token);
        if (secondAttempt) {
          await data.body.dump();
          throw new BtpError(ErrorCode.ConnectivityAuthRejected, 'The connectivity proxy refused the connectivity token (407): the connectivity service key must belong to this subaccount.');
        }
      }
      if (data.statusCode === 401 && !secondAttempt) this.options.resolver.invalidate(resolved);
      return { data, resolved, retry: !secondAttempt && (data.statusCode === 401 || data.statusCode === 407) };
    }
    const dispatcher = this.agents.forResolved(resolved);
    const data = await dispatcher.request({ origin: target.origin, path, method, headers: upstreamHeaders(req.headers, { defaults, overrides }), body, signal });
    if (data.statusCode === 401 && !secondAttempt) this.options.resolver.invalidate(resolved);
    return { data, resolved, retry: !secondAttempt && data.statusCode === 401 };
  }

  /** Same-origin redirects point back at this forward; others go to the client untouched. */
  private rewriteRedirect(headers: OutgoingHttpHeaders, resolved: Resolved, req: IncomingMessage): OutgoingHttpHeaders {
    const location = headers.location;
    if (typeof location !== 'string') return headers;
    const target = httpTargetOf(resolved.name, resolved.destination);
    let absolute: URL;
    try {
      absolute = new URL(location, target);
    } catch {
      return headers;
    }
    if (absolute.origin !== target.origin) return headers;
    const base = target.pathname.replace(/\/$/, '');
    const path = base && absolute.pathname.startsWith(`${base}/`) ? absolute.pathname.slice(base.length) : absolute.pathname;
    return { ...headers, location: `http://${req.headers.host}${path}${absolute.search}${absolute.hash}` };
  }
}

/** The destination URL's path + the local path; the local query, then the destination's URL.queries. */
export function upstreamPath(target: URL, localUrl: string, queries: readonly [string, string][]): string {
  const queryStart = localUrl.indexOf('?');
  const localPath = queryStart < 0 ? localUrl : localUrl.slice(0, queryStart);
  const search = new URLSearchParams(target.search);
  for (const [name, value] of new URLSearchParams(queryStart < 0 ? '' : localUrl.slice(queryStart + 1))) search.append(name, value);
  for (const [name, value] of queries) if (!search.has(name)) search.append(name, value);
  const base = target.pathname.replace(/\/$/, '');
  const query = search.toString();
  return `${base}${localPath}${query ? `?${query}` : ''}`;
}

const requestBytes = new WeakMap<IncomingMessage, number>();

/** The request body as the upstream reads it, counted on the way (a 'data' listener on `req` would drain it). */
function countingBody(req: IncomingMessage): Readable {
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      requestBytes.set(req, (requestBytes.get(req) ?? 0) + chunk.length);
      callback(null, chunk);
    },
  });
  req.on('error', (error) => counter.destroy(error));
  return req.pipe(counter);
}

function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
}

/** `.` and `..` segments, also percent-encoded or behind backslashes, could climb out of the destination's path. */
function hasDotSegment(url: string): boolean {
  const path = (url.split('?')[0] ?? '').replace(/%2e/gi, '.').replace(/%2f|%5c|\\/gi, '/');
  return path.split('/').some((segment) => segment === '.' || segment === '..');
}

function fail(res: ServerResponse, status: number, code: string, message: string): void {
  const body = JSON.stringify({ error: { code, message: redactText(message) } });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), connection: 'close' });
  res.end(body);
}
