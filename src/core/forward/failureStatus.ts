import { ErrorCode, isBtpError } from '../errors';

/** Which HTTP status a request through a forward gets when it fails before the backend answered. */

/** The forward's own answer for a failed resolution or upstream request. */
export function statusFor(error: unknown): number {
  if (isBtpError(error, ErrorCode.Timeout)) return 504;
  if (isBtpError(error, ErrorCode.TunnelDown) || isBtpError(error, ErrorCode.ServiceUnavailable)) return 503;
  if (isBtpError(error, ErrorCode.NotFound)) return 404;
  // The request lacks its user (no sign-in): the transparent proxy answers a request without the user it needs 401.
  if (isBtpError(error, ErrorCode.SignInRequired)) return 401;
  return 502;
}

const upstreamTimeoutCodes = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** An undici error that means the upstream did not connect or answer in time. */
export function isUpstreamTimeout(error: unknown): boolean {
  return typeof error === 'object' && error !== null && upstreamTimeoutCodes.has(String((error as { code?: unknown }).code));
}

/** The status line for a request Node's parser refused: too slow, too big, or malformed. */
export function clientErrorStatus(code: string | undefined): string {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return '408 Request Timeout';
  if (code === 'HPE_HEADER_OVERFLOW') return '431 Request Header Fields Too Large';
  return '400 Bad Request';
}
