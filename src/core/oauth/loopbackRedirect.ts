import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { BtpError, ErrorCode } from '../errors';
import { closeServer, listenLoopback } from '../net/listen';
import { silentLogger, type Logger } from '../log';
import { redactText } from '../redact';

/**
 * The one-shot listener an OAuth authorization code comes back to (RFC 8252 §7.3: loopback redirect). Its redirect
 * URI names `localhost`, not 127.0.0.1 as RFC 8252 §8.3 prefers, because XSUAA registers `http://` redirect URIs
 * for `localhost` only. A browser may resolve `localhost` to ::1 or 127.0.0.1, so the listener binds the same free
 * port on both (IPv4 alone where the machine has no IPv6 loopback). It answers only
 * `GET <path>?code=…&state=<ours>` with a `Host` of its own; any other request is refused and changes nothing, so a
 * stray or hostile local request cannot end the sign-in. The first valid callback settles `result` and closes the
 * listener, as do the timeout and the abort signal.
 */

export interface LoopbackRedirectOptions {
  /** The `state` of the authorization request; a callback must bring it back unchanged. */
  readonly state: string;
  /** Path of the redirect URI; default `/btp-connect/callback`. */
  readonly path?: string;
  /** How long the user has to sign in; default 5 minutes. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  readonly logger?: Logger;
}

export interface AuthorizationCallback {
  readonly code: string;
}

const defaultTimeoutMs = 5 * 60_000;

export class LoopbackRedirect {
  /** Settles once: the code, or a `BtpError` (Timeout, SignInFailed). */
  readonly result: Promise<AuthorizationCallback>;
  private readonly sockets = new Set<Socket>();
  private readonly hosts: Set<string>;
  private settle: { resolve: (value: AuthorizationCallback) => void; reject: (error: BtpError) => void } | undefined;
  /** Resolves when the listener is closed (after the final page went out). */
  private done: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly onAbort = () => this.fail(new BtpError(ErrorCode.SignInFailed, 'The sign-in was cancelled before the browser came back.'));

  private constructor(
    private readonly servers: readonly Server[],
    readonly port: number,
    private readonly path: string,
    private readonly options: LoopbackRedirectOptions,
  ) {
    this.hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
    this.result = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
    // Nobody may be awaiting yet (the browser is still opening): a timeout must not be an unhandled rejection.
    this.result.catch(() => undefined);
  }

  static async listen(options: LoopbackRedirectOptions): Promise<LoopbackRedirect> {
    const path = options.path ?? '/btp-connect/callback';
    if (!path.startsWith('/')) throw new BtpError(ErrorCode.InvalidInput, 'The redirect path must start with "/".', { field: 'path' });
    if (options.signal?.aborted) throw new BtpError(ErrorCode.SignInFailed, 'The sign-in was cancelled before it started.');
    const { servers, port } = await listenBoth(options.logger ?? silentLogger);
    const listener = new LoopbackRedirect(servers, port, path, options);
    for (const server of servers) {
      server.on('connection', (socket: Socket) => {
        listener.sockets.add(socket);
        socket.once('close', () => listener.sockets.delete(socket));
      });
      server.on('request', (req, res) => listener.handle(req, res));
    }
    const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
    listener.timer = setTimeout(
      () => listener.fail(new BtpError(ErrorCode.Timeout, `No sign-in came back from the browser within ${describeDuration(timeoutMs)}; sign in again.`)),
      timeoutMs,
    );
    listener.timer.unref();
    options.signal?.addEventListener('abort', listener.onAbort, { once: true });
    return listener;
  }

  /** `http://localhost:PORT/<path>`: the redirect URI of the authorization request. */
  get redirectUri(): string {
    return `http://localhost:${this.port}${this.path}`;
  }

  /**
   * Also accept this `Host` (`name:port`): where the browser reaches the listener through a forwarded port
   * (VS Code remote's `asExternalUri`), the callback names the forwarded address.
   */
  allowHost(host: string): void {
    this.hosts.add(host.toLowerCase());
  }

  get settled(): boolean {
    return this.settle === undefined;
  }

  close(): Promise<void> {
    this.fail(new BtpError(ErrorCode.SignInFailed, 'The sign-in listener was closed before the browser came back.'));
    return this.done ?? Promise.resolve();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const logger = this.options.logger ?? silentLogger;
    const refuse = (status: number, title: string, text: string) => {
      logger.debug(`refused a sign-in callback: ${status} ${title}`);
      sendPage(res, status, title, text);
    };
    if (this.settled) return refuse(410, 'Sign-in finished', 'This sign-in is over. Start a new one from BTP Connect if you need to.');
    if (req.method !== 'GET') {
      res.setHeader('allow', 'GET');
      return refuse(405, 'Method not allowed', 'The sign-in callback is a GET request.');
    }
    // DNS rebinding: a page of some other site whose name resolves to 127.0.0.1 carries its own Host.
    if (!this.hosts.has((req.headers.host ?? '').toLowerCase())) return refuse(403, 'Wrong host', 'This listener answers only on its own loopback address.');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== this.path) return refuse(404, 'Not found', 'This is not the sign-in callback.');
    const params = url.searchParams;
    if (params.getAll('state').length !== 1 || !sameText(params.get('state') ?? '', this.options.state)) {
      return refuse(
        400,
        'Sign-in not recognised',
        'This answer does not belong to the sign-in BTP Connect started (its state differs). Start the sign-in again.',
      );
    }
    const error = params.get('error');
    if (error !== null) {
      const description = params.get('error_description');
      const detail = redactText(`${error}${description ? `: ${description}` : ''}`).slice(0, 300);
      this.done = sendPage(res, 200, 'Sign-in failed', `The sign-in did not complete (${detail}). You can close this tab.`).then(() => this.closeServer());
      return this.fail(
        new BtpError(
          ErrorCode.SignInFailed,
          `The token service ended the sign-in with "${detail}"; sign in again, or check that the user may use this application.`,
          { serviceMessage: detail },
        ),
      );
    }
    const code = params.get('code');
    if (!code || params.getAll('code').length !== 1) return refuse(400, 'No code', 'The sign-in answer carries no authorization code.');
    const settle = this.settle;
    this.finish();
    this.done = sendPage(res, 200, 'Signed in', 'BTP Connect has your sign-in. You can close this tab.').then(() => this.closeServer());
    settle?.resolve({ code });
  }

  private fail(error: BtpError): void {
    const settle = this.settle;
    if (!settle) return;
    this.finish();
    settle.reject(error);
    this.done ??= this.closeServer();
  }

  private finish(): void {
    this.settle = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.options.signal?.removeEventListener('abort', this.onAbort);
  }

  private async closeServer(): Promise<void> {
    await Promise.all(this.servers.map((server) => closeServer(server, this.sockets)));
  }
}

function newServer(): Server {
  const server = createServer({ maxHeaderSize: 16 * 1024 });
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;
  return server;
}

/**
 * A free port on 127.0.0.1 that is free on ::1 too. Where something else holds the port on ::1 a browser could
 * reach that program instead (PKCE keeps a code it gets useless, but the sign-in would fail): try another port.
 */
async function listenBoth(logger: Logger): Promise<{ servers: Server[]; port: number }> {
  for (let attempt = 1; ; attempt++) {
    const ipv4 = newServer();
    const port = await listenLoopback(ipv4, 0);
    const ipv6 = newServer();
    const outcome = await listenIpv6(ipv6, port);
    if (outcome === 'listening') return { servers: [ipv4, ipv6], port };
    if (outcome === 'unavailable') return { servers: [ipv4], port };
    await closeServer(ipv4);
    if (attempt === 5) {
      logger.debug(`sign-in: ::1 had no free port matching 127.0.0.1 after ${attempt} tries; listening on 127.0.0.1 only`);
      const fallback = newServer();
      return { servers: [fallback], port: await listenLoopback(fallback, 0) };
    }
  }
}

function listenIpv6(server: Server, port: number): Promise<'listening' | 'taken' | 'unavailable'> {
  return new Promise((resolve) => {
    const onError = (error: NodeJS.ErrnoException) => resolve(error.code === 'EADDRINUSE' ? 'taken' : 'unavailable');
    server.once('error', onError);
    server.listen(port, '::1', () => {
      server.off('error', onError);
      resolve('listening');
    });
  });
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function describeDuration(ms: number): string {
  return ms >= 60_000 && ms % 60_000 === 0 ? `${ms / 60_000} minute${ms === 60_000 ? '' : 's'}` : `${Math.round(ms / 100) / 10} s`;
}

/** A page that loads nothing and runs nothing; the code in the URL never leaves as a Referer. */
function sendPage(res: ServerResponse, status: number, title: string, text: string): Promise<void> {
  const nonce = randomBytes(16).toString('base64');
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} · BTP Connect</title><style nonce="${nonce}">body{font:15px system-ui,sans-serif;max-width:32rem;margin:4rem auto;color:#1d2d3e}</style></head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p></body></html>`;
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(html),
    'content-security-policy': `default-src 'none'; style-src 'nonce-${nonce}'; frame-ancestors 'none'; form-action 'none'; base-uri 'none'`,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
    connection: 'close',
  });
  return new Promise((resolve) => res.end(html, resolve));
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
