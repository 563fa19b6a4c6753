import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Logger } from '../../core/log';
import type { Handler } from '../http/server';
import { header, readBody, sendJson } from '../http/respond';
import { keySet, type SigningKey } from '../base/jwt';
import type { ClientRecord, Tenant, World } from '../base/world';
import { AuthorizeEndpoint } from './authorize';
import { Grants, OAuthError, sameSecret } from './grants';

export interface TokenServiceOptions {
  readonly world: World;
  readonly key: SigningKey;
  /** `localhost:<https port>`: the XSUAA "uaadomain" of the sandbox. */
  readonly uaaDomain: string;
  readonly lifetimeSeconds?: number | undefined;
  readonly logger: Logger;
}

export interface TokenService {
  readonly grants: Grants;
  /** Handler for one listener; `mtls` listeners authenticate X.509 clients by their certificate. */
  handler(listener: 'http' | 'https' | 'mtls'): Handler;
  /** Token requests served so far, per client id (tests assert single-flight with it). */
  readonly requestCount: Map<string, number>;
}

export function createTokenService(options: TokenServiceOptions): TokenService {
  const grants = new Grants({
    world: options.world,
    key: options.key,
    uaaDomain: options.uaaDomain,
    lifetimeSeconds: options.lifetimeSeconds ?? 43_199,
  });
  const requestCount = new Map<string, number>();
  const logger = options.logger;

  async function token(req: IncomingMessage, res: ServerResponse, listener: 'http' | 'https' | 'mtls'): Promise<void> {
    const contentType = (header(req, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase();
    if (contentType !== 'application/x-www-form-urlencoded') {
      throw new OAuthError(400, 'invalid_request', 'Expected a form body (application/x-www-form-urlencoded)');
    }
    const form = new URLSearchParams(await readBody(req, 256 * 1024));
    const client = authenticateClient(req, form, listener);
    const tenant = resolveTenant(req, client);
    requestCount.set(client.clientId, (requestCount.get(client.clientId) ?? 0) + 1);
    const body = grants.handle(client, tenant, form);
    logger.debug(`${form.get('grant_type')} token for ${client.clientId}, requested at tenant ${tenant.subdomain}`);
    sendJson(res, 200, body, { 'cache-control': 'no-store' });
  }

  function authenticateClient(req: IncomingMessage, form: URLSearchParams, listener: string): ClientRecord {
    const basic = parseBasic(header(req, 'authorization'));
    const basicCandidates = basic ? [basic, ...(basic.decoded ? [basic.decoded] : [])] : [];
    for (const candidate of basicCandidates) {
      const known = options.world.client(candidate.id);
      if (known?.secret !== undefined && sameSecret(known.secret, candidate.secret)) return known;
    }
    if (basic) throw new OAuthError(401, 'unauthorized', 'Bad credentials');
    const client = options.world.client(form.get('client_id') ?? '');
    if (listener === 'mtls') {
      const socket = req.socket as TLSSocket;
      const cn = socket.authorized ? socket.getPeerCertificate().subject?.CN : undefined;
      const cnText = Array.isArray(cn) ? cn[0] : cn;
      if (client && cnText !== undefined && client.certificateCn === cnText) return client;
    }
    const secret = form.get('client_secret');
    if (client?.secret !== undefined && secret !== null && sameSecret(client.secret, secret)) return client;
    throw new OAuthError(401, 'unauthorized', 'Bad credentials');
  }

  function resolveTenant(req: IncomingMessage, client: ClientRecord): Tenant {
    const zid = header(req, 'x-zid');
    if (zid) {
      const tenant = options.world.tenantById(zid);
      if (!tenant) throw new OAuthError(400, 'invalid_request', `Unknown identity zone id in x-zid: ${zid}`);
      return tenant;
    }
    // `https://<subdomain>.<uaadomain>`: the approuter's way of naming a tenant (spec §2.3, 2.).
    const host = (header(req, 'host') ?? '').toLowerCase();
    const subdomain = host.includes('.') ? host.split('.')[0] : undefined;
    const bySubdomain = subdomain ? options.world.tenantBySubdomain(subdomain) : undefined;
    return bySubdomain ?? options.world.tenantById(client.homeTenantId) ?? options.world.provider;
  }

  // The browser sign-in (authorization code with PKCE); the mTLS port serves no browsers.
  const authorize = new AuthorizeEndpoint({ world: options.world, grants, key: options.key, tenantOf: resolveTenant });

  function handler(listener: 'http' | 'https' | 'mtls'): Handler {
    return async (req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      try {
        if (req.method === 'POST' && path === '/oauth/token') return await token(req, res, listener);
        if (path === '/oauth/authorize' && listener !== 'mtls') return await authorize.handle(req, res);
        if (req.method === 'GET' && path === '/token_keys') return sendJson(res, 200, keySet(options.key));
        if (req.method === 'GET' && path === '/.well-known/openid-configuration') {
          const issuer = `https://${options.uaaDomain}`;
          return sendJson(res, 200, {
            issuer: `${issuer}/oauth/token`,
            authorization_endpoint: `${issuer}/oauth/authorize`,
            token_endpoint: `${issuer}/oauth/token`,
            jwks_uri: `${issuer}/token_keys`,
            code_challenge_methods_supported: ['S256'],
          });
        }
        sendJson(res, 404, { error: 'not_found', error_description: `No such endpoint: ${req.method} ${path}` });
      } catch (error) {
        if (!(error instanceof OAuthError)) throw error;
        sendJson(res, error.status, { error: error.error, error_description: error.description }, { 'cache-control': 'no-store' });
      }
    };
  }

  return { grants, handler, requestCount };
}

/** Basic client credentials, raw (`curl -u`) or form-encoded (RFC 6749 §2.3.1): both are accepted. */
function parseBasic(authorization: string | undefined): { id: string; secret: string; decoded?: { id: string; secret: string } } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization ?? '');
  if (!match?.[1]) return undefined;
  const text = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) return undefined;
  const raw = { id: text.slice(0, colon), secret: text.slice(colon + 1) };
  try {
    return { ...raw, decoded: { id: decodeURIComponent(raw.id.replace(/\+/g, ' ')), secret: decodeURIComponent(raw.secret.replace(/\+/g, ' ')) } };
  } catch {
    return raw;
  }
}
