import type { Socket } from 'node:net';
import type { Dispatcher } from 'undici';
import { Pool } from './undici';
import { BtpError, ErrorCode, isBtpError } from '../errors';
import type { ProxyEndpoint } from './proxySettings';

/**
 * The connection to the outbound proxy that undici's ProxyAgent opens CONNECT tunnels on. It turns a refused
 * CONNECT (407, 403, 502…) and an unreachable proxy into coded errors naming the proxy and the fix, before
 * undici makes them "Proxy response (407) !== 200" or a bare ECONNREFUSED that seems to be the service's.
 * ProxyAgent passes errors of this call through to the request unchanged.
 */
export class ProxyConnectPool extends Pool {
  constructor(
    origin: string | URL,
    options: Pool.Options,
    private readonly proxy: ProxyEndpoint,
  ) {
    super(origin, options);
  }

  override connect(options: Dispatcher.ConnectOptions): Promise<Dispatcher.ConnectData>;
  override connect(options: Dispatcher.ConnectOptions, callback: (error: Error | null, data: Dispatcher.ConnectData) => void): void;
  override connect(
    options: Dispatcher.ConnectOptions,
    callback?: (error: Error | null, data: Dispatcher.ConnectData) => void,
  ): Promise<Dispatcher.ConnectData> | void {
    if (callback) return super.connect(options, callback);
    return super.connect(options).then(
      (data) => {
        if (data.statusCode === 200) return data;
        data.socket.on('error', () => undefined).destroy();
        throw proxyRefusal(this.proxy, options.path, data.statusCode, data.headers['proxy-authenticate']);
      },
      (error: unknown) => {
        throw proxyFailure(this.proxy, error);
      },
    );
  }
}

/** Opens a CONNECT tunnel to `host:port` through `proxy` on its own connection (checks, certificate look-ups). */
export async function openTunnel(
  proxy: ProxyEndpoint,
  proxyHeaders: Readonly<Record<string, string>>,
  connect: Pool.Options['connect'],
  target: string,
  timeoutMs: number,
): Promise<Socket> {
  const origin = new URL(proxy.uri).origin;
  const pool = new ProxyConnectPool(origin, { connections: 1, ...(connect ? { connect } : {}), headersTimeout: timeoutMs }, proxy);
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const { socket } = await pool.connect({ origin, path: target, headers: { ...proxyHeaders, host: target }, signal });
    return socket as Socket;
  } catch (error) {
    if (!signal.aborted || isBtpError(error)) throw error;
    throw new BtpError(ErrorCode.Timeout, `The proxy at ${proxy.hostPort} (${proxy.source}) did not open a tunnel to ${target} within ${timeoutMs} ms.`, {
      cause: error,
      details: { proxy: proxy.hostPort, at: 'proxy', target },
    });
  } finally {
    // The tunnel's socket belongs to the caller now; the pool has nothing else open.
    void pool.close().catch(() => undefined);
  }
}

/** A CONNECT the proxy answered with something else than 200. */
export function proxyRefusal(proxy: ProxyEndpoint, target: string, status: number, challenge?: string | string[]): BtpError {
  const at = `the proxy at ${proxy.hostPort} (${proxy.source})`;
  const details = { proxy: proxy.hostPort, at: 'proxy', status, target };
  const schemes = [challenge ?? []].flat().map((value) => value.split(/\s/)[0]?.toLowerCase() ?? '');
  if (status === 407 && schemes.length > 0 && !schemes.includes('basic')) {
    return new BtpError(
      ErrorCode.ProxyAuthRejected,
      `${capitalise(at)} answered 407 and asks for ${schemes.join(', ')} (Windows sign-in), which BTP Connect does not speak: ask for Basic authentication, or run a local relay that signs in for you (e.g. px or cntlm) and point ${proxy.source} at it.`,
      { details },
    );
  }
  if (status === 407) {
    const which = proxy.credentials === 'none' ? 'it needs credentials and got none' : 'it refused the credentials';
    return new BtpError(
      ErrorCode.ProxyAuthRejected,
      `${capitalise(at)} answered 407 Proxy Authentication Required: ${which}. Give them in ${proxy.source} as user:password@${proxy.hostPort} after ${proxy.protocol}// (percent-encode special characters), or in VS Code set http.proxyAuthorization.`,
      { details },
    );
  }
  const why =
    status === 403
      ? `refuses to connect to ${target} (403): its policy blocks that host. Ask for it to be allowed, or add the host to NO_PROXY if it is reachable directly.`
      : status >= 500
        ? `could not connect to ${target} (${status}): the host does not resolve or answer from the proxy. Check the host name, or add it to NO_PROXY if it is only reachable directly (VPN, intranet).`
        : `refused the tunnel to ${target} (${status}).`;
  return new BtpError(ErrorCode.Unreachable, `${capitalise(at)} ${why}`, { details });
}

/** The proxy itself could not be reached, or broke the connection before answering the CONNECT. */
export function proxyFailure(proxy: ProxyEndpoint, error: unknown): unknown {
  if (isBtpError(error) || (error instanceof Error && error.name === 'AbortError')) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'UND_ERR_ABORTED') return error;
  const timeout = code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT' || code === 'UND_ERR_HEADERS_TIMEOUT';
  return new BtpError(
    timeout ? ErrorCode.Timeout : ErrorCode.Unreachable,
    `The proxy at ${proxy.hostPort} (${proxy.source}) could not be reached (${code ?? (error as Error).message}): check ${proxy.source}, or put hosts that are reachable directly in NO_PROXY.`,
    { cause: error, details: { proxy: proxy.hostPort, at: 'proxy', code } },
  );
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
