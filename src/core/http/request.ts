import type { Dispatcher } from 'undici';
import { BtpError, ErrorCode, isBtpError } from '../errors';
import { networkOf } from './outbound';
import { untrustedRoot } from './peerCertificate';

export interface HttpRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'HEAD';
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
}

export interface SendOptions {
  readonly dispatcher: Dispatcher;
  /** Names the service in error messages, e.g. "Destination service". */
  readonly service: string;
  readonly signal?: AbortSignal | undefined;
  /** Answers larger than this are cut off with an error instead of filling memory. */
  readonly maxBodyBytes?: number;
}

const defaultMaxBodyBytes = 32 * 1024 * 1024;

/**
 * One HTTP exchange with a service, body read as text. Transport failures become `Unreachable` / `Timeout`
 * errors naming the service and the origin (never the path or query, which may carry names or tokens); a
 * proxy's refusal keeps its own code (`ProxyAuthRejected`) and names the proxy; an untrusted certificate names
 * the CA its chain ends at and how to trust it.
 */
export async function sendRequest(req: HttpRequest, options: SendOptions): Promise<HttpResponse> {
  const origin = safeOrigin(req.url);
  let response: Dispatcher.ResponseData;
  try {
    const url = new URL(req.url);
    response = await options.dispatcher.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: req.method,
      headers: req.headers ?? {},
      body: req.body ?? null,
      signal: options.signal ?? null,
    });
  } catch (error) {
    throw await transportError(error, options, req.url, origin);
  }
  const limit = options.maxBodyBytes ?? defaultMaxBodyBytes;
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of response.body) {
      size += (chunk as Buffer).length;
      if (size > limit) {
        response.body.destroy();
        throw new BtpError(ErrorCode.ServiceError, `${options.service} at ${origin} sent more than ${limit} bytes; the answer was dropped.`, {
          status: response.statusCode,
        });
      }
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    if (error instanceof BtpError) throw error;
    throw await transportError(error, options, req.url, origin);
  }
  return { status: response.statusCode, headers: response.headers, text: Buffer.concat(chunks).toString('utf8') };
}

export function headerValue(headers: HttpResponse['headers'], name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

const timeoutCodes = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);
/** The chain does not end at a trusted CA: the one case where naming that CA is the fix. */
const untrustedChainCodes = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
]);
const trustHint =
  'To trust that CA, pass --ca <file> (CLI), set NODE_EXTRA_CA_CERTS=<file>, or set btpConnect.http.caFile (VS Code) to a PEM file with it; for the sandbox that is its ca.pem.';

async function transportError(error: unknown, options: SendOptions, url: string, origin: string): Promise<BtpError> {
  const { service } = options;
  // A refusal by the outbound proxy, already coded where the CONNECT failed: keep its code and fix, add who asked.
  if (isBtpError(error)) {
    return new BtpError(error.code, `${service} at ${origin}: ${error.message.charAt(0).toLowerCase()}${error.message.slice(1)}`, {
      cause: error,
      ...(error.details ? { details: error.details } : {}),
    });
  }
  const code = errorCode(error);
  if (code && timeoutCodes.has(code)) {
    return new BtpError(ErrorCode.Timeout, `${service} at ${origin} did not answer in time (${code}).`, { cause: error, details: { code } });
  }
  if (code === 'UND_ERR_ABORTED' || (error instanceof Error && error.name === 'AbortError')) {
    return new BtpError(ErrorCode.Timeout, `The request to ${service} at ${origin} was cancelled.`, { cause: error, details: { code: 'ABORTED' } });
  }
  const network = networkOf(options.dispatcher);
  const proxy = network?.route(url);
  const via = proxy ? ` through the proxy at ${proxy.hostPort}` : '';
  let hint = '';
  if (code && untrustedChainCodes.has(code)) {
    const root = await untrustedRoot(url, network);
    const inspected = proxy ? ` The proxy at ${proxy.hostPort} may inspect TLS and sign with its own CA.` : '';
    hint = ` Its TLS certificate is not trusted: ${root ? `the chain ends at "${root}", which is not among the trusted CAs` : 'its chain does not end at a trusted CA'}.${inspected} ${trustHint}`;
  } else if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    hint = ' Its TLS certificate is not trusted for this host name: it is issued for other names. Check the host in the URL.';
  } else if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    hint = " Its TLS certificate is not trusted: it is outside its validity period (check this machine's clock).";
  } else if (code === 'ECONNREFUSED') hint = ' Nothing listens there: is the service (or the sandbox) running?';
  else if (code === 'ENOTFOUND')
    hint = ` The host name does not resolve: check the URL in the service key${network?.proxied ? ', and NO_PROXY: hosts listed there are reached directly' : ', and whether this network needs a proxy (HTTPS_PROXY)'}.`;
  return new BtpError(ErrorCode.Unreachable, `${service} at ${origin} could not be reached${via} (${code ?? 'network error'}).${hint}`, {
    cause: error,
    details: { code, ...(proxy ? { proxy: proxy.hostPort } : {}) },
  });
}

function errorCode(error: unknown): string | undefined {
  for (let current: unknown = error; current instanceof Error; current = (current as Error & { cause?: unknown }).cause) {
    const code = (current as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code !== 'UND_ERR_SOCKET') return code;
  }
  return error instanceof Error ? ((error as NodeJS.ErrnoException).code ?? undefined) : undefined;
}

export function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid URL)';
  }
}
