import { request, type Dispatcher } from 'undici';
import { BtpError, ErrorCode } from '../errors';

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
  readonly signal?: AbortSignal;
  /** Answers larger than this are cut off with an error instead of filling memory. */
  readonly maxBodyBytes?: number;
}

const defaultMaxBodyBytes = 32 * 1024 * 1024;

/**
 * One HTTP exchange with a service, body read as text. Transport failures become `Unreachable` / `Timeout`
 * errors naming the service and the origin (never the path or query, which may carry names or tokens).
 */
export async function sendRequest(req: HttpRequest, options: SendOptions): Promise<HttpResponse> {
  const origin = safeOrigin(req.url);
  let response: Dispatcher.ResponseData;
  try {
    response = await request(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body,
      dispatcher: options.dispatcher,
      signal: options.signal,
    });
  } catch (error) {
    throw transportError(error, options.service, origin);
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
    throw transportError(error, options.service, origin);
  }
  return { status: response.statusCode, headers: response.headers, text: Buffer.concat(chunks).toString('utf8') };
}

export function headerValue(headers: HttpResponse['headers'], name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

const timeoutCodes = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);
const tlsCodes = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function transportError(error: unknown, service: string, origin: string): BtpError {
  const code = errorCode(error);
  if (code && timeoutCodes.has(code)) {
    return new BtpError(ErrorCode.Timeout, `${service} at ${origin} did not answer in time (${code}).`, { cause: error, details: { code } });
  }
  if (code === 'UND_ERR_ABORTED' || (error instanceof Error && error.name === 'AbortError')) {
    return new BtpError(ErrorCode.Timeout, `The request to ${service} at ${origin} was cancelled.`, { cause: error, details: { code: 'ABORTED' } });
  }
  const hint = code && tlsCodes.has(code)
    ? ' Its TLS certificate is not trusted: for the sandbox, pass its CA (NODE_EXTRA_CA_CERTS or --ca).'
    : code === 'ECONNREFUSED'
      ? ' Nothing listens there: is the service (or the sandbox) running?'
      : code === 'ENOTFOUND'
        ? ' The host name does not resolve: check the URL in the service key.'
        : '';
  return new BtpError(ErrorCode.Unreachable, `${service} at ${origin} could not be reached (${code ?? 'network error'}).${hint}`, {
    cause: error,
    details: { code },
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
