import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * The ABAP system's logon and security sessions, as the ICF and SAP Gateway handle them:
 * - the client comes from `sap-client` (query, then header), default `100`; an unknown client is a logon error;
 * - the user: the principal the Cloud Connector propagates (`X-Emulated-User`, trusted because only the connector
 *   gets in), else Basic credentials (wrong ones: 401 with `WWW-Authenticate: Basic realm="SAP NetWeaver Application
 *   Server [SID/client]"`), else a valid session cookie, else the service's anonymous logon user (an ICF node may
 *   carry logon data; the sandbox's does, so destinations with NoAuthentication can read);
 * - `X-CSRF-Token: Fetch` opens (or reuses) a security session `SAP_SESSIONID_<SID>_<client>` holding a token;
 *   a write must bring that session's cookie and token, or it is 403 with `X-CSRF-Token: Required`.
 */

export const systemId = 'ERP';
export const clients = ['100'] as const;
export const defaultClient = '100';
export const anonymousUser = 'SANDBOX_ANON';
const sessionLifetimeMs = 30 * 60 * 1000;

/** The ERP's users: the seeded `onprem-erp-basic` destination logs on as ERPUSER. */
const users = new Map<string, string>([['ERPUSER', 'erp-password-1']]);

export interface Logon {
  readonly user: string;
  readonly client: string;
}

export interface LogonFailure {
  readonly status: 401;
  readonly headers: Record<string, string>;
  readonly message: string;
}

interface Session {
  readonly id: string;
  readonly token: string;
  readonly user: string;
  readonly client: string;
  expires: number;
}

export const sessionCookieName = (client: string): string => `SAP_SESSIONID_${systemId}_${client}`;

export class SecuritySessions {
  private readonly sessions = new Map<string, Session>();

  logon(headers: IncomingHttpHeaders, query: URLSearchParams): Logon | LogonFailure {
    const client = query.get('sap-client') ?? single(headers['sap-client']) ?? defaultClient;
    const challenge = { 'www-authenticate': `Basic realm="SAP NetWeaver Application Server [${systemId}/${client}]"` };
    if (!(clients as readonly string[]).includes(client))
      return { status: 401, headers: challenge, message: `Logon failed: client ${client} is not available in this system` };
    const propagated = single(headers['x-emulated-user']);
    if (propagated) return { user: propagated.toUpperCase(), client };
    const authorization = single(headers.authorization);
    if (authorization) {
      const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization);
      const decoded = basic ? Buffer.from(basic[1] as string, 'base64').toString('utf8') : '';
      const colon = decoded.indexOf(':');
      const user = decoded.slice(0, colon).toUpperCase();
      const expected = users.get(user);
      if (colon < 0 || expected === undefined || !same(decoded.slice(colon + 1), expected)) {
        return { status: 401, headers: challenge, message: 'Logon failed: name or password is incorrect' };
      }
      return { user, client };
    }
    const session = this.session(headers.cookie, client);
    return { user: session?.user ?? anonymousUser, client };
  }

  /** The token of the logon's session (reused when the request brings it), and the cookies of a new one. */
  fetchToken(logon: Logon, cookie: string | undefined): { token: string; setCookie: string[] } {
    const existing = this.session(cookie, logon.client);
    if (existing && existing.user === logon.user) {
      existing.expires = Date.now() + sessionLifetimeMs;
      return { token: existing.token, setCookie: [] };
    }
    const session: Session = {
      id: randomBytes(24).toString('base64url'),
      token: randomBytes(18).toString('base64'),
      user: logon.user,
      client: logon.client,
      expires: Date.now() + sessionLifetimeMs,
    };
    this.sessions.set(session.id, session);
    return {
      token: session.token,
      setCookie: [`${sessionCookieName(logon.client)}=${session.id}; path=/; HttpOnly`, `sap-usercontext=sap-client=${logon.client}; path=/`],
    };
  }

  /** Whether a write carries the token of a live session of the same user and client. */
  validToken(logon: Logon, cookie: string | undefined, token: string | undefined): boolean {
    const session = this.session(cookie, logon.client);
    return session !== undefined && session.user === logon.user && token !== undefined && same(token, session.token);
  }

  private session(cookie: string | undefined, client: string): Session | undefined {
    const name = sessionCookieName(client);
    for (const pair of (cookie ?? '').split(';')) {
      const at = pair.indexOf('=');
      if (pair.slice(0, at).trim() !== name) continue;
      const session = this.sessions.get(pair.slice(at + 1).trim());
      if (!session) continue;
      if (session.expires < Date.now() || session.client !== client) {
        this.sessions.delete(session.id);
        continue;
      }
      return session;
    }
    return undefined;
  }
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function same(a: string, b: string): boolean {
  const [x, y] = [Buffer.from(a), Buffer.from(b)];
  return x.length === y.length && timingSafeEqual(x, y);
}
