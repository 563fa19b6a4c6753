import { BtpError, ErrorCode } from '../errors';

/** Errors of a TCP connect that never got through: the name does not resolve, nobody answers, no route. */
const connectFailureCodes = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
]);

export function errnoCode(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/** True when `error` is a connection that was never made (as opposed to one that broke or was answered). */
export function isConnectFailure(error: unknown): boolean {
  const code = errnoCode(error);
  return code !== undefined && connectFailureCodes.has(code);
}

/** What the user can do when the connectivity proxy is out of reach; the same words in forwards, checks and hints. */
export function proxyUnreachableFix(portField = 'onpremise_proxy_http_port'): string {
  return `The connectivity proxy answers only inside Cloud Foundry or Kyma: set up a tunnel once with \`btp-connect tunnel setup\` (in VS Code: Set Up Tunnel… on the connection), or pass --tunnel cf-ssh:<app> or --tunnel kubectl[:<namespace>][@<context>]. Otherwise check "onpremise_proxy_host" and "${portField}" of the connectivity service key.`;
}

/**
 * The connectivity proxy of the service key could not be connected to. From a laptop that is the normal case on real
 * BTP (`connectivityproxy.internal.cf.<region>…` is an internal name; connects time out or do not resolve), so
 * the error says to set up a tunnel rather than only that something is down.
 */
export function proxyUnreachable(endpoint: { readonly host: string; readonly port: number }, cause: unknown, portField?: string): BtpError {
  const code = errnoCode(cause);
  const why =
    code === 'ENOTFOUND' || code === 'EAI_AGAIN'
      ? `${endpoint.host} does not resolve here`
      : code === 'ECONNREFUSED'
        ? 'connection refused'
        : code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT'
          ? 'the connection timed out'
          : (code ?? 'no connection');
  return new BtpError(
    ErrorCode.ProxyUnreachable,
    `The connectivity proxy at ${endpoint.host}:${endpoint.port} cannot be reached from this machine (${why}). ${proxyUnreachableFix(portField)}`,
    {
      cause,
      details: { host: endpoint.host, port: endpoint.port, ...(code ? { errno: code } : {}) },
    },
  );
}
