import type { IncomingMessage } from 'node:http';
import { Cookie, CookieJar } from 'tough-cookie';

/**
 * Backend sessions kept by the forward, as SAP's approuter keeps them in the user session: `Set-Cookie` from the
 * upstream goes into a jar, the jar's cookies go back with later requests, and nothing reaches the client (whose
 * browser would share them with every localhost port). SAP Gateway binds its CSRF token to its session cookie, so
 * `X-CSRF-Token: Fetch` followed by a write works for any client, cookies or not.
 *
 * A client session is the forward itself (one developer's tools); a client that needs sessions of its own names
 * one in `X-BTP-Connect-Session`, which never travels upstream. Jars die with the forward (a restart clears them).
 */
export const sessionHeader = 'x-btp-connect-session';

/** Bounds for what one client can make the forward hold: sessions, cookies a session, bytes a cookie. */
const maxSessions = 32;
const maxCookies = 100;
const maxCookieBytes = 4096;
const sessionName = /^[\w.-]{1,64}$/;

export class SessionCookies {
  private readonly jars = new Map<string, SessionJar>();

  /** The jar of the request's client session (created on first use); undefined for an unusable session name. */
  jarFor(req: IncomingMessage): SessionJar | undefined {
    const named = req.headers[sessionHeader];
    const name = named === undefined ? '' : Array.isArray(named) ? undefined : named;
    if (name === undefined || (name !== '' && !sessionName.test(name))) return undefined;
    let jar = this.jars.get(name);
    if (jar) {
      // Most recently used last: the oldest session goes first when there are too many.
      this.jars.delete(name);
    } else {
      if (this.jars.size >= maxSessions) this.jars.delete(this.jars.keys().next().value as string);
      jar = new SessionJar();
    }
    this.jars.set(name, jar);
    return jar;
  }
}

export class SessionJar {
  // Public suffixes mean nothing here: the jar only ever holds one upstream's cookies.
  private readonly jar = new CookieJar(undefined, { rejectPublicSuffixes: false });
  private readonly keys = new Set<string>();

  /** The `Cookie` header for `url`, or undefined; costs nothing while the upstream never set a cookie. */
  cookieHeader(url: string): string | undefined {
    if (this.keys.size === 0) return undefined;
    const header = this.jar.getCookieStringSync(jarUrl(url));
    return header === '' ? undefined : header;
  }

  /** Keeps the upstream's `Set-Cookie`s for `url`; cookies for other domains, oversized or beyond the bound are dropped. */
  store(setCookie: string | string[] | undefined, url: string): void {
    if (setCookie === undefined) return;
    for (const text of Array.isArray(setCookie) ? setCookie : [setCookie]) {
      if (text.length > maxCookieBytes) continue;
      const cookie = Cookie.parse(text);
      if (!cookie) continue;
      const key = `${cookie.domain ?? ''};${cookie.path ?? ''};${cookie.key}`;
      const removal = cookie.TTL() <= 0;
      if (!removal && !this.keys.has(key) && this.keys.size >= maxCookies) continue;
      try {
        this.jar.setCookieSync(text, jarUrl(url));
      } catch {
        // A Domain that is not the destination's own: never stored, never sent.
        continue;
      }
      if (removal) this.keys.delete(key);
      else this.keys.add(key);
    }
  }

  /** Cookie names held, for the inspector and tests (values never leave the jar). */
  names(url: string): string[] {
    return this.keys.size === 0 ? [] : this.jar.getCookiesSync(jarUrl(url)).map((cookie) => cookie.key);
  }
}

/**
 * Cookies are kept as if the upstream were https: a `Secure` session cookie of a Gateway behind the Cloud Connector
 * (virtual http://, real https inside) must still come back; the cookie never leaves the forward either way.
 */
function jarUrl(url: string): string {
  return url.startsWith('http://') ? `https://${url.slice('http://'.length)}` : url;
}
