import type { IncomingMessage, ServerResponse } from 'node:http';
import { isSecretProperty } from '../../core/destinations/model';
import { header, sendEmpty, sendJson } from '../http/respond';
import { verifyJwt, type SigningKey } from '../base/jwt';
import type { World } from '../base/world';
import type { Caller } from './auth';
import { computeAuthTokens, type AuthTokenDeps, type CallerUser, type TokenInputs } from './authTokens';
import { notFoundBody } from './errors';
import { etagMatches, type DestinationStore, type Entry, type Scope } from './store';

export interface FindDeps extends AuthTokenDeps {
  readonly store: DestinationStore;
  readonly world: World;
  readonly key: SigningKey;
}

type Level = 'subaccount' | 'instance' | 'provider_subaccount' | 'provider_instance';
const levels: readonly Level[] = ['subaccount', 'instance', 'provider_subaccount', 'provider_instance'];

interface Hit {
  readonly entry: Entry;
  readonly scope: Scope;
}

/**
 * Find-destination: `GET /v1/destinations/{name}` (instance level first, then subaccount) and the v2 "consume"
 * API `GET /v2/destinations/{name}[@level]` (one level, no fallback). Spec §3.1–3.3.
 */
export async function findDestination(
  req: IncomingMessage,
  res: ServerResponse,
  caller: Caller,
  nameAndLevel: string,
  version: 1 | 2,
  query: URLSearchParams,
  deps: FindDeps,
): Promise<void> {
  const userTokenHeader = header(req, 'x-user-token');
  const tenantHeader = header(req, 'x-tenant');
  if (userTokenHeader && tenantHeader) {
    return sendJson(res, 400, { ErrorMessage: 'The headers X-user-token and X-tenant cannot be used together' });
  }
  let name = nameAndLevel;
  let level: Level | undefined;
  const at = nameAndLevel.lastIndexOf('@');
  if (version === 2 && at > 0) {
    name = nameAndLevel.slice(0, at);
    const requested = nameAndLevel.slice(at + 1) as Level;
    if (!levels.includes(requested)) {
      return sendJson(res, 400, { ErrorMessage: `Unknown level "${requested}"; use one of ${levels.join(', ')}` });
    }
    level = requested;
  }
  const hit = lookup(deps, caller, name, level);
  if (!hit) return sendJson(res, 404, notFoundBody);

  let configuration: Record<string, string> = { ...hit.entry.value };
  let etag = hit.entry.etag;
  const fragmentName = header(req, 'x-fragment-name');
  if (fragmentName) {
    const fragment = deps.store.get(hit.scope, 'fragments', fragmentName);
    if (fragment) {
      const { FragmentName: _ignored, ...fragmentProperties } = fragment.value;
      configuration = { ...configuration, ...fragmentProperties, FragmentName: fragmentName };
      etag = `"${etag.replace(/"/g, '')}.${fragment.etag.replace(/"/g, '')}"`;
    } else if (header(req, 'x-fragment-optional') !== 'true') {
      return sendJson(res, 404, { ErrorMessage: `Fragment with the specified name was not found: ${fragmentName}` });
    }
  }

  const ifNoneMatch = header(req, 'if-none-match');
  if (ifNoneMatch && etagMatches(ifNoneMatch, etag)) return sendEmpty(res, 304, { etag });
  const ifMatch = header(req, 'if-match');
  if (ifMatch && !etagMatches(ifMatch, etag)) {
    return sendJson(res, 412, { ErrorMessage: 'The destination was changed: the ETag does not match' }, { etag });
  }

  const authTokens =
    query.get('$skipTokenRetrieval') === 'true'
      ? undefined
      : await computeAuthTokens(configuration, tokenInputs(req, caller, userTokenHeader, tenantHeader, deps), deps);
  const certificates = certificatesFor(deps.store, hit.scope, caller, configuration);
  const destinationConfiguration =
    query.get('$skipCredentials') === 'true'
      ? Object.fromEntries(Object.entries(configuration).filter(([property]) => !isSecretProperty(property)))
      : configuration;
  const owner = { SubaccountId: hit.scope.instanceId ? null : hit.scope.tenantId, InstanceId: hit.scope.instanceId ?? null };
  const includeOwner = version === 1 || (query.get('$includeMetadata') ?? '').split(';').includes('owner');
  const body = {
    ...(version === 1 ? { owner } : {}),
    destinationConfiguration: version === 2 && includeOwner ? { ...destinationConfiguration, $metadata: { owner } } : destinationConfiguration,
    ...(authTokens ? { authTokens } : {}),
    ...(certificates.length > 0 ? { certificates } : {}),
  };
  sendJson(res, 200, body, { etag });
}

function lookup(deps: FindDeps, caller: Caller, name: string, level: Level | undefined): Hit | undefined {
  const tenantId = level?.startsWith('provider_') ? deps.world.provider.id : caller.tenant.id;
  const instanceScope: Scope = { tenantId, instanceId: caller.instanceId };
  const subaccountScope: Scope = { tenantId };
  const order: Scope[] = level === undefined ? [instanceScope, subaccountScope] : level.endsWith('instance') ? [instanceScope] : [subaccountScope];
  for (const scope of order) {
    const entry = deps.store.get(scope, 'destinations', name);
    if (entry) return { entry, scope };
  }
  return undefined;
}

function tokenInputs(req: IncomingMessage, caller: Caller, userTokenHeader: string | undefined, tenantHeader: string | undefined, deps: FindDeps): TokenInputs {
  let user: CallerUser | undefined;
  let userTokenError: string | undefined;
  if (userTokenHeader) {
    const verified = verifyJwt(deps.key, userTokenHeader);
    if (verified.ok && typeof verified.payload.user_name === 'string' && typeof verified.payload.zid === 'string') {
      user = userOf(userTokenHeader, verified.payload);
    } else {
      userTokenError = `The token in X-user-token is not a valid user token (${verified.ok ? 'it carries no user' : verified.reason})`;
    }
  } else if (caller.isUser) {
    user = userOf(caller.token, caller.claims);
  }
  const optional = (name: string) => header(req, name) || undefined;
  return {
    user,
    userTokenError,
    tenantSubdomain: tenantHeader || undefined,
    refreshToken: optional('x-refresh-token'),
    code: optional('x-code'),
    redirectUri: optional('x-redirect-uri'),
    codeVerifier: optional('x-code-verifier'),
    subjectToken: optional('x-subject-token'),
    subjectTokenType: optional('x-subject-token-type'),
    actorToken: optional('x-actor-token'),
    actorTokenType: optional('x-actor-token-type'),
  };
}

function userOf(token: string, claims: Readonly<Record<string, unknown>>): CallerUser {
  return {
    token,
    userName: String(claims.user_name),
    tenantId: String(claims.zid),
    ...(typeof claims.email === 'string' ? { email: claims.email } : {}),
  };
}

/** Certificates the destination names as keystore or truststore, from its level, else the subaccount. */
function certificatesFor(store: DestinationStore, scope: Scope, caller: Caller, dest: Record<string, string>): Record<string, string>[] {
  const names = [dest.KeyStoreLocation, dest.TrustStoreLocation, dest['tokenService.KeyStoreLocation']].filter((name): name is string => !!name);
  return names.flatMap((name) => {
    const entry = store.get(scope, 'certificates', name) ?? store.get({ tenantId: caller.tenant.id }, 'certificates', name);
    return entry ? [{ ...entry.value }] : [];
  });
}
