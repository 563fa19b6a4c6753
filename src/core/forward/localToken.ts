import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * On a machine shared by several users (a jump host, a remote dev VM) loopback is shared too: anybody could use
 * the credentials a forward injects. With a local token, a request must carry it — as
 * `Proxy-Authorization: Bearer <token>`, or as the first path segment `/~<token>` (for clients that take only a
 * URL, like SAP's `destinations` variable) — or it gets 407 before anything else happens (AC-06).
 */
export function createLocalToken(): string {
  // 256 bits, URL-safe: it may stand in a path.
  return randomBytes(32).toString('base64url');
}

export type TokenVerdict = { readonly ok: true; /** The request URL without the token prefix. */ readonly url: string } | { readonly ok: false };

const PREFIX = '/~';

/** Checks `req` against `token`; constant-time compares, never a regex over the secret. */
export function checkLocalToken(req: IncomingMessage, token: string): TokenVerdict {
  const url = req.url ?? '/';
  if (url.startsWith(PREFIX)) {
    const end = indexOfAny(url, PREFIX.length);
    if (sameSecret(url.slice(PREFIX.length, end), token)) {
      const rest = url.slice(end);
      return { ok: true, url: rest.startsWith('/') ? rest : `/${rest}` };
    }
  }
  const header = req.headers['proxy-authorization'];
  if (typeof header === 'string' && header.startsWith('Bearer ') && sameSecret(header.slice('Bearer '.length).trim(), token)) return { ok: true, url };
  // HTTP-proxy mode: clients take proxy credentials from the proxy URL (http://btp:<token>@127.0.0.1:PORT) as Basic.
  if (typeof header === 'string' && header.startsWith('Basic ') && sameSecret(basicPassword(header.slice('Basic '.length).trim()), token))
    return { ok: true, url };
  return { ok: false };
}

/** The URL prefix that carries `token`, for local addresses handed to apps (`http://127.0.0.1:PORT/~token`). */
export function tokenPath(token: string): string {
  return `${PREFIX}${token}`;
}

function indexOfAny(url: string, from: number): number {
  for (let index = from; index < url.length; index++) {
    const char = url[index];
    if (char === '/' || char === '?' || char === '#') return index;
  }
  return url.length;
}

/** The password of a Basic credential (any user name); '' when it is none. */
function basicPassword(encoded: string): string {
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? '' : decoded.slice(colon + 1);
}

function sameSecret(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** `localAddress` as apps get it: with the token as first path segment when one is required. */
export function appAddress(localAddress: string, token: string | undefined): string {
  return token === undefined ? localAddress : `${localAddress}${tokenPath(token)}`;
}
