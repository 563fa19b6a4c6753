import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { BtpError, ErrorCode, isBtpError } from '../errors';
import { isConnectFailure, proxyUnreachable } from '../connectivity/proxyReach';
import { silentLogger, type Logger } from '../log';
import type { AccessToken } from '../oauth/tokenRequest';
import { ExchangeCapture } from '../inspect/capture';
import { redactText } from '../redact';
import { admit, type AdmissionPolicy } from './admission';
import { upstreamHeaders, type HeaderPolicy } from './headers';
import { maskInjected } from './injected';
import { closeServer, listenLoopback } from '../net/listen';
import { deadlineOf, drainServer, type CloseBound } from '../net/drain';
import { allowedHosts } from './localRequest';
import { onPremiseHeaders } from './onPremiseHeaders';
import { clientErrorStatus, isUpstreamTimeout, statusFor } from './failureStatus';
import { failResponse, failSocket } from './refusal';
import { errorHeaders } from './transparentContract';
import { responseHead } from './responseHead';
import type { DestinationResolver } from './resolver';
import type { Addressing } from './router';
import { routeOf, upstreamPath, type Route } from './route';
import { UpstreamAgents } from './upstreamAgents';
import type { HttpForwardOptions } from './httpForwardOptions';
import { OutboundNetwork } from '../http/outbound';
import { defaultMaxConnections, RefusalLog } from './connectionLimit';
import { UpgradeSlots } from './upgradeSlots';
import { countingBody, hasBody, requestBodyBytes, teeInto } from './bodies';
import { ExchangeHandler } from './exchangeHandler';
import { handleUpgrade } from './webSocket';
import { WarningLimiter } from './warningLimiter';
import { SessionCookies, sessionHeader, type SessionJar } from './sessionCookies';

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
  private admission: AdmissionPolicy;
  private readonly headerPolicy: HeaderPolicy;
  /** Client-caused warnings (unknown names on one port, D3; refused origins): one a minute per kind, with a count. */
  private readonly warnings: WarningLimiter;
  private readonly upstreamMs: number;
  /** WebSocket upgrades holding an upstream connection now, bounded by `maxConnections` (D2). */
  private readonly upgrades: UpgradeSlots;
  /** Backend sessions per destination (one here, or one per name a router served), unless cookies pass through. */
  private readonly sessions = new Map<string, SessionCookies>();
  /** What `pick` answers for a forward of one destination: the same object for every request. */
  private readonly ownDestination: Picked;
  /** `close()` began: answers end their connection, so that each one closes once its response is out. */
  private draining = false;

  private constructor(
    private readonly server: Server,
    private readonly options: HttpForwardOptions,
    readonly port = 0,
  ) {
    this.logger = options.logger ?? silentLogger;
    this.admission = {
      hosts: new Set(),
      allowWebSocket: options.allowWebSocket === true,
      ...(options.localToken !== undefined ? { localToken: options.localToken } : {}),
      ...(options.allowedOrigins ? { allowedOrigins: options.allowedOrigins } : {}),
      ...(options.router ? { destProxy: true } : {}),
    };
    this.warnings = new WarningLimiter(this.logger, 60_000);
    this.upgrades = new UpgradeSlots(
      options.maxConnections ?? defaultMaxConnections,
      new RefusalLog(this.logger, options.maxConnections ?? defaultMaxConnections),
    );
    this.headerPolicy = { passCookies: options.passCookies === true };
    this.upstreamMs = options.timeouts?.upstreamMs ?? 60_000;
    this.agents = new UpstreamAgents(this.upstreamMs, options.network ?? new OutboundNetwork(), options.maxConnections ?? defaultMaxConnections);
    this.ownDestination = options.resolver
      ? { ok: true, resolver: options.resolver, localPrefix: '', key: options.resolver.name }
      : { ok: false, status: 400, code: ErrorCode.DestinationNameInvalid, reason: 'no destination' };
  }

  static async listen(options: HttpForwardOptions): Promise<HttpForward> {
    // Checked once here, not per request: a forward serves its own destination or routes, never neither or both.
    if ((options.resolver === undefined) === (options.router === undefined)) throw new Error('HttpForward takes a resolver or a router');
    const timeouts = options.timeouts ?? {};
    const headersMs = timeouts.headersMs ?? 20_000;
    // Node enforces headersTimeout only when it sweeps connections (every 30 s by default): slow-header clients
    // (slowloris) would hold sockets far longer than the timeout says (AC-12).
    const server = createServer({ maxHeaderSize: 16 * 1024, connectionsCheckingInterval: Math.max(250, Math.min(1_000, headersMs / 2)) });
    server.headersTimeout = headersMs;
    server.requestTimeout = timeouts.requestMs ?? 0;
    server.keepAliveTimeout = 5_000;
    server.maxConnections = 4_096;
    const forward = new HttpForward(server, options);
    server.on('connection', (socket) => {
      forward.sockets.add(socket);
      // Long requests on quiet connections must survive NAT and firewall idle cutoffs, as the tunnel's do (AC-27).
      socket.setKeepAlive(true, 30_000);
      socket.once('close', () => forward.sockets.delete(socket));
    });
    server.on('request', (req, res) => void forward.handle(req, res));
    // A CONNECT must not turn the forward into a general proxy: the admission refuses it (saying what to use for
    // `.dest` targets) and the connection is closed (AC-07).
    server.on('connect', (req: IncomingMessage, socket: Socket) => {
      socket.on('error', () => undefined);
      const refusal = admit(req, forward.admission, false);
      if (refusal.ok) socket.destroy();
      else failSocket(socket, refusal.status, refusal.code, refusal.reason);
    });
    server.on('upgrade', (req, socket: Socket, head: Buffer) => void handleUpgrade(forward.upgradeContext(), req, socket, head));
    server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
      if (socket.writable) socket.end(`HTTP/1.1 ${clientErrorStatus(error.code)}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      else socket.destroy();
    });
    const port = await listenLoopback(server, options.port ?? 0);
    Object.defineProperty(forward, 'port', { value: port });
    forward.admission = { ...forward.admission, hosts: allowedHosts(port) };
    forward.warm();
    return forward;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /**
   * Stops accepting, lets the requests in flight finish (their connections close after the response) until the
   * bound (default 10 s), then cuts what is left. Idle keep-alive connections close at once.
   */
  async close(bound: CloseBound = {}): Promise<void> {
    this.draining = true;
    // server.close() (in drainServer) also closes the idle keep-alive connections.
    await drainServer(this.server, this.sockets, deadlineOf(bound, 10_000));
    await this.agents.close();
  }

  /** Cuts every connection now, requests in flight included. */
  async destroy(): Promise<void> {
    this.draining = true;
    await closeServer(this.server, this.sockets);
    await this.agents.close();
  }

  /**
   * Once the destination is known (the lookup the forward's start made), opens the connection its first request
   * will take: to the upstream, or to the connectivity proxy for OnPremise. Starts no lookup of its own.
   */
  private warm(): void {
    const known = this.options.resolver?.known();
    void known
      ?.then((resolved) => {
        if (this.draining) return;
        const route = routeOf(resolved);
        if (route.onPremise) this.options.connectivity?.warm();
        else this.agents.warm(resolved, route.target.origin);
      })
      .catch(() => undefined);
  }

  private upgradeContext() {
    return {
      admission: this.admission,
      options: this.options,
      logger: this.logger,
      agents: this.agents,
      pick: (req: IncomingMessage) => this.pick(req),
      headerPolicy: this.headerPolicy,
      warnings: this.warnings,
      upgrades: this.upgrades,
      jarFor: (req: IncomingMessage, destination: string) => this.jarFor(req, destination),
    };
  }

  /** The backend session jar of this request, or undefined when cookies pass through (or the session name is bad). */
  private jarFor(req: IncomingMessage, destination: string): SessionJar | undefined {
    if (this.headerPolicy.passCookies) return undefined;
    let sessions = this.sessions.get(destination);
    if (!sessions) {
      // One per destination name a router has served; names it forgets could otherwise pile up.
      if (this.sessions.size >= 1_000) this.sessions.delete(this.sessions.keys().next().value as string);
      sessions = new SessionCookies();
      this.sessions.set(destination, sessions);
    }
    return sessions.jarFor(req);
  }

  /** The destination of this request: the forward's own, or the one the router reads from path or header. */
  private pick(req: IncomingMessage): Picked {
    return this.options.router ? this.options.router.pick(req) : this.ownDestination;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const socket = req.socket;
    if (this.draining) res.shouldKeepAlive = false;
    const writtenBefore = socket.bytesWritten;
    let routedTo: string | undefined;
    const log = this.options.traffic?.();
    const capture = log ? new ExchangeCapture(log, req, this.options.resolver?.name ?? '*') : undefined;
    const report = (status: number, error?: string) => {
      capture?.finish(
        maskLocalToken(req.url ?? '/'),
        {
          method: req.method ?? 'GET',
          status,
          durationMs: performance.now() - started,
          bytesIn: requestBodyBytes(req),
          bytesOut: socket.bytesWritten - writtenBefore,
          ...(error ? { error } : {}),
        },
        routedTo,
      );
      this.options.onExchange?.({
        method: req.method ?? 'GET',
        path: pathOf(req.url),
        status,
        durationMs: performance.now() - started,
        bytesIn: requestBodyBytes(req),
        bytesOut: socket.bytesWritten - writtenBefore,
        ...(error ? { error } : {}),
        ...(routedTo ? { destination: routedTo } : {}),
      });
    };
    const admission = admit(req, this.admission, false);
    if (!admission.ok) {
      if (admission.origin !== undefined) this.warnings.warn(`${req.method} ${pathOf(req.url)} refused: ${admission.reason}`, `origin ${admission.origin}`);
      failResponse(res, admission.status, admission.code, admission.reason, admission.headers);
      req.resume();
      return report(admission.status, admission.code);
    }
    const picked = this.pick(req);
    if (!picked.ok) {
      // A name remembered as unknown is answered as its first lookup was: 502 when named by header (see below).
      const status = picked.addressing === 'header' && picked.status === 404 ? 502 : picked.status;
      failResponse(res, status, picked.code, picked.reason, this.options.router ? errorHeaders(picked.code, picked.reason, picked.status) : {});
      req.resume();
      return report(status, picked.code);
    }
    const { resolver, localPrefix } = picked;
    if (this.options.router) routedTo = resolver.name;
    const jar = this.jarFor(req, resolver.name);
    if (!jar && !this.headerPolicy.passCookies) {
      failResponse(res, 400, ErrorCode.LocalRequestRefused, `${sessionHeader} names a backend session: 1 to 64 letters, digits, ".", "_" or "-", once`);
      req.resume();
      return report(400, ErrorCode.LocalRequestRefused);
    }
    // One undici exchange at a time (a retry is a second); the client leaving or the head timer cancels it.
    let exchange: ExchangeHandler | undefined;
    let aborted = false;
    res.once('close', () => {
      // Answered while closing: the connection goes once the response is flushed, the client opens its next elsewhere.
      if (this.draining) socket.end();
      if (res.writableFinished) return;
      aborted = true;
      exchange?.abort();
    });
    // Our own timer until the response head: the same bound for Internet and OnPremise pools, and precise (undici's
    // timers tick in 0.5 s steps). It cancels the exchange like a client that went away would.
    let timedOut = false;
    const headTimer = setTimeout(() => {
      timedOut = true;
      exchange?.abort();
    }, this.upstreamMs);
    const headArrived = () => clearTimeout(headTimer);
    const start = (handler: ExchangeHandler) => {
      exchange = handler;
      if (aborted || timedOut) handler.abort();
    };
    const target: Target = { req, res, resolver, localPrefix, capture, jar, route: undefined };
    try {
      const retryable = !hasBody(req) && idempotent.has(req.method ?? 'GET');
      let status = await this.attempt(target, start, retryable, headArrived);
      if (status === retryAgain) status = await this.attempt(target, start, false, headArrived);
      report(status, status >= 500 ? 'BTP_UPSTREAM_5XX' : undefined);
    } catch (caught) {
      // A connect to the connectivity proxy that never got through means it is out of reach from here (real BTP
      // without a tunnel), whatever the errno: that error names the fix.
      const proxy = target.route?.onPremise && isConnectFailure(caught) ? this.options.connectivity?.httpProxy() : undefined;
      const error = proxy
        ? proxyUnreachable(proxy, caught)
        : timedOut || isUpstreamTimeout(caught)
          ? new BtpError(ErrorCode.Timeout, `the upstream did not answer within ${this.upstreamMs} ms`)
          : caught;
      const ownStatus = statusFor(error);
      // The transparent proxy answers a destination (or fragment) the Destination service does not know with 502.
      const status = picked.addressing === 'header' && ownStatus === 404 ? 502 : ownStatus;
      const code = isBtpError(error) ? error.code : ErrorCode.UpstreamFailed;
      const said = isBtpError(error) ? error.message : `the upstream failed: ${(error as Error).message}`;
      // An error text may quote what went upstream (a URL, a header): never the values the forward injected (F3).
      const message = target.route ? maskInjected(said, target.route.injected) : said;
      const unknownName = this.options.router !== undefined && isBtpError(error, ErrorCode.NotFound);
      // A router remembers the miss for a while and keeps no resolver: random paths cannot grow its table or
      // cost a lookup each (D3).
      if (unknownName) this.options.router?.notFound(picked.key);
      if (aborted) {
        // The client went away: nothing to say.
      } else if (unknownName) this.warnings.warn(`${req.method} ${pathOf(req.url)} failed: ${redactText(message)}`, 'unknown destination');
      else this.logger.warn(`${req.method} ${pathOf(req.url)} failed: ${redactText(message)}`);
      const retryAfter = isBtpError(error, ErrorCode.ServiceUnavailable) ? error.details?.retryAfterSeconds : undefined;
      if (!res.headersSent && typeof retryAfter === 'number') res.setHeader('retry-after', String(retryAfter));
      if (!res.headersSent) failResponse(res, status, code, message, this.options.router ? errorHeaders(code, message, ownStatus) : {});
      else res.destroy();
      report(status, code);
    } finally {
      clearTimeout(headTimer);
    }
  }

  /**
   * One upstream exchange, streamed straight into `res` (undici's dispatch API, see ExchangeHandler).
   * With `retryable`, a 401 from the upstream (or 407 from the connectivity proxy) is swallowed after dropping
   * the stale credential, and `retryAgain` tells the caller to try once more.
   */
  private async attempt(target: Target, start: (exchange: ExchangeHandler) => void, retryable: boolean, headArrived: () => void): Promise<number> {
    const { req, res, resolver, localPrefix, capture, jar } = target;
    const resolved = await resolver.get();
    const route = routeOf(resolved);
    target.route = route;
    const overrides: Record<string, string> = route.auth ? { [route.auth[0]]: route.auth[1] } : {};
    const path = upstreamPath(route, req.url ?? '/');
    const sessionUrl = `${route.target.origin}${path}`;
    const cookie = jar?.cookieHeader(sessionUrl);
    if (cookie) overrides.cookie = cookie;
    const method = (req.method ?? 'GET') as Dispatcher.HttpMethod;
    // undici takes async iterables as bodies (core/request.js) though its types list only streams.
    const body = hasBody(req) ? (countingBody(req, capture?.requestBody) as unknown as Readable) : undefined;
    let dispatcher: Dispatcher;
    let requestOptions: Dispatcher.DispatchOptions;
    let token: AccessToken | undefined;
    if (route.onPremise) {
      const connectivity = this.options.connectivity;
      if (!connectivity) {
        throw new BtpError(ErrorCode.InvalidInput, `Destination "${resolved.name}" is OnPremise: connect a connectivity service key to reach it.`, {
          field: 'connectivity',
        });
      }
      dispatcher = connectivity.httpPool();
      const proxy = await onPremiseHeaders(connectivity, resolved, route);
      token = proxy.token;
      Object.assign(overrides, proxy.headers);
      // Absolute form, as the connectivity proxy expects (spec §5.1).
      requestOptions = {
        method,
        body: body ?? null,
        path: `${route.target.origin}${path}`,
        headers: upstreamHeaders(req.headers, { defaults: route.defaults, overrides }, this.headerPolicy),
      };
    } else {
      dispatcher = this.agents.forResolved(resolved);
      requestOptions = {
        method,
        body: body ?? null,
        origin: route.target.origin,
        path,
        headers: upstreamHeaders(req.headers, { defaults: route.defaults, overrides }, this.headerPolicy),
      };
    }
    capture?.upstream(`${route.target.origin}${path}`, requestOptions.headers as Record<string, string | string[]>, route.injectedMask);
    let outcome = 0;
    const exchange = new ExchangeHandler((statusCode, headers) => {
      jar?.store(headers['set-cookie'], sessionUrl);
      if (statusCode === 403 && String(headers['x-csrf-token']).toLowerCase() === 'required') this.csrfRequired(req, jar !== undefined);
      if (route.onPremise && statusCode === 407 && token) {
        this.options.connectivity?.invalidate(token);
        if (!retryable)
          throw new BtpError(
            ErrorCode.ConnectivityAuthRejected,
            'The connectivity proxy refused the connectivity token (407); it is dropped, and the next request gets a new one. If that is refused too, the connectivity service key must belong to this subaccount.',
          );
      }
      if (statusCode === 401) resolver.invalidate(resolved);
      if (retryable && (statusCode === 401 || (route.onPremise && statusCode === 407))) {
        outcome = retryAgain;
        return undefined;
      }
      outcome = statusCode;
      headArrived();
      // Closing: the answer says `Connection: close`, and Node ends the connection once it is out.
      if (this.draining) res.shouldKeepAlive = false;
      capture?.response(headers as Record<string, string | string[] | undefined>);
      res.writeHead(
        statusCode,
        responseHead(headers as Record<string, string | string[] | undefined>, route, {
          policy: this.headerPolicy,
          localBase: `${req.headers.host ?? ''}${localPrefix}`,
          onePort: this.options.router !== undefined,
        }),
      );
      return capture?.responseBody ? teeInto(res, capture.responseBody) : res;
    });
    start(exchange);
    dispatcher.dispatch(requestOptions, exchange);
    await exchange.done;
    return outcome;
  }

  /** SAP Gateway refused a write for want of a CSRF token of the same session: say what to do, once a minute. */
  private csrfRequired(req: IncomingMessage, sessionKept: boolean): void {
    const how = sessionKept
      ? `fetch a token first through this forward — a GET or HEAD with "X-CSRF-Token: Fetch" — and send it back in "X-CSRF-Token"; the forward keeps the session cookie the token is bound to${req.headers[sessionHeader] === undefined ? '' : ` (for the same ${sessionHeader})`}`
      : 'cookies pass through this forward (--cookies): the client must keep the session cookie from the "X-CSRF-Token: Fetch" answer and send it with the token, or start the forward without --cookies so that it keeps the session itself';
    this.warnings.warn(`${req.method} ${pathOf(req.url)} was refused by the backend with 403 "X-CSRF-Token: Required": ${how}.`, 'csrf');
  }
}

type Picked =
  | { readonly ok: true; readonly resolver: DestinationResolver; readonly localPrefix: string; readonly key: string; readonly addressing?: Addressing }
  | { readonly ok: false; readonly status: 400 | 404 | 501; readonly code: ErrorCode; readonly reason: string; readonly addressing?: Addressing };

/** One request and where it goes; `localPrefix` is what the client's path had before the destination's (router). */
interface Target {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly resolver: DestinationResolver;
  readonly localPrefix: string;
  readonly capture: ExchangeCapture | undefined;
  /** The backend session of the request's client; undefined when cookies pass through. */
  readonly jar: SessionJar | undefined;
  /** Set once the destination is resolved: what the error path must mask. */
  route: Route | undefined;
}

/** Marks an attempt whose answer was swallowed so that it can be repeated with a fresh credential. */
const retryAgain = -1;

function pathOf(url: string | undefined): string {
  const text = url ?? '/';
  const query = text.indexOf('?');
  return query < 0 ? text : text.slice(0, query);
}

/** `/~<token>/…`: the local token never reaches the inspector, also when it was the wrong one. */
function maskLocalToken(url: string): string {
  return url.startsWith('/~') ? url.replace(/^\/~[^/?]*/, '/~******') : url;
}
