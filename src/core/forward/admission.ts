import type { IncomingMessage } from 'node:http';
import { ErrorCode } from '../errors';
import type { OriginAllowList } from './allowedOrigins';
import { markProxied } from './destHost';
import { checkLocalRequest } from './localRequest';
import { checkLocalToken } from './localToken';

/**
 * The one admission path of a forward: plain requests and upgrades alike pass the same checks in the same order
 * before anything is looked up or sent (F1) — loopback Host/Origin/Sec-Fetch-Site, WebSocket policy, local
 * token, dot segments, body framing. A passed request has the local token taken off its URL.
 */
export type Admission = { readonly ok: true } | Refusal;

export interface Refusal {
  readonly ok: false;
  readonly status: 400 | 403 | 405 | 407;
  readonly code: typeof ErrorCode.LocalRequestRefused | typeof ErrorCode.LocalTokenRequired;
  readonly reason: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** A refused foreign origin, for the log line that says how to allow it. */
  readonly origin?: string;
}

export interface AdmissionPolicy {
  readonly hosts: ReadonlySet<string>;
  readonly allowWebSocket: boolean;
  readonly localToken?: string;
  readonly allowedOrigins?: OriginAllowList;
  /** One-port forwards: accept `http://<destination>.dest/…` absolute-form targets (HTTP-proxy mode). */
  readonly destProxy?: boolean;
}

export function admit(req: IncomingMessage, policy: AdmissionPolicy, upgrade: boolean): Admission {
  const local = checkLocalRequest(req, policy.hosts, policy.allowedOrigins, policy.destProxy === true);
  if (!local.ok) return local.origin === undefined ? refused(local.status, local.reason) : { ...refused(local.status, local.reason), origin: local.origin };
  if (local.proxy) {
    // From here on a proxy-form request is one in origin form; the router reads its destination from the mark.
    req.url = local.proxy.path;
    markProxied(req, local.proxy.name);
  }
  if (upgrade) {
    if (!policy.allowWebSocket)
      return refused(403, 'this forward does not pass WebSocket upgrades: start it with --websocket (setting btpConnect.forwards.allowWebSocket)');
    // Only WebSocket: `h2c` or unknown protocols would hand the raw socket to something nobody checked.
    if ((req.headers.upgrade ?? '').trim().toLowerCase() !== 'websocket') return refused(400, 'only "Upgrade: websocket" is forwarded');
  }
  if (policy.localToken !== undefined) {
    const verdict = checkLocalToken(req, policy.localToken);
    if (!verdict.ok) {
      return {
        ok: false,
        status: 407,
        code: ErrorCode.LocalTokenRequired,
        reason:
          'this forward needs its local token: send Proxy-Authorization: Bearer <token> (as an HTTP proxy: http://btp:<token>@127.0.0.1:PORT) or start the path with /~<token>',
        headers: { 'proxy-authenticate': 'Bearer realm="btp-connect"' },
      };
    }
    // Routing and reports see the path without the token.
    req.url = verdict.url;
  }
  if (hasDotSegment(req.url ?? '/')) return refused(400, 'paths with "." or ".." segments are refused');
  if (unframedBody(req)) return refused(400, 'a Transfer-Encoding other than "chunked" is refused');
  return admitted;
}

const admitted: Admission = { ok: true };

function refused(status: 400 | 403 | 405, reason: string): Refusal {
  return { ok: false, status, code: ErrorCode.LocalRequestRefused, reason };
}

/**
 * `.` and `..` segments, also percent-encoded, behind backslashes, or followed by path parameters (`..;x`, F2:
 * Tomcat, Jetty and Spring drop `;…` before resolving dots) could climb out of the destination's path.
 */
export function hasDotSegment(url: string): boolean {
  if (!url.includes('.') && !url.includes('%') && !url.includes('\\')) return false;
  const path = (url.split(/[?#]/, 1)[0] ?? '')
    .replace(/%2e/gi, '.')
    .replace(/%2f|%5c|\\/gi, '/')
    .replace(/%3b/gi, ';');
  return path.split('/').some((segment) => {
    const parameters = segment.indexOf(';');
    const name = parameters < 0 ? segment : segment.slice(0, parameters);
    return name === '.' || name === '..';
  });
}

/**
 * Node hands the request over before it has read the body, and only then fails a Transfer-Encoding it cannot
 * frame (`xchunked`, `chunked, identity`…): refuse those before anything goes upstream (AC-09).
 */
function unframedBody(req: IncomingMessage): boolean {
  const coding = req.headers['transfer-encoding'];
  return coding !== undefined && coding.trim().toLowerCase() !== 'chunked';
}
