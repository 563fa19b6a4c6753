import type { Logger } from '../../core/log';
import type { Handler } from '../http/server';
import { sendJson } from '../http/respond';
import type { SigningKey } from '../base/jwt';
import type { World } from '../base/world';
import { authenticate } from './auth';
import type { AuthTokenDeps } from './authTokens';
import { handleCollection, type CollectionKind } from './crud';
import { errorBody } from './errors';
import { findDestination } from './find';
import type { DestinationStore } from './store';

export interface DestinationServiceOptions {
  readonly world: World;
  readonly key: SigningKey;
  readonly store: DestinationStore;
  readonly fetchToken: AuthTokenDeps['fetchToken'];
  readonly logger: Logger;
}

const prefix = '/destination-configuration';
const collectionPattern = /^\/v1\/(subaccount|instance)(Destinations|Certificates|DestinationFragments)(?:\/([^/]+)(\/publicKeys)?)?$/;
const findPattern = /^\/v([12])\/destinations\/([^/]+)$/;
// The service caps URIs at 4000 characters (spec §3).
const maxUriLength = 4000;

/** The Destination service REST API (spec §3) over the sandbox store and token service. */
export function createDestinationService(options: DestinationServiceOptions): Handler {
  return async (req, res) => {
    const rawUrl = req.url ?? '/';
    if (rawUrl.length > maxUriLength) return sendJson(res, 414, errorBody('URI too long'));
    const url = new URL(rawUrl, 'http://sandbox');
    if (!url.pathname.startsWith(`${prefix}/`)) return sendJson(res, 404, errorBody(`No such endpoint: ${url.pathname}`));
    const path = url.pathname.slice(prefix.length);
    const find = findPattern.exec(path);
    const collection = find ? null : collectionPattern.exec(path);
    if (!find && !collection) return sendJson(res, 404, errorBody(`No such endpoint: ${url.pathname}`));

    const authentication = authenticate(req, options.world, options.key);
    if (!authentication.ok) return sendJson(res, authentication.status, errorBody(authentication.message));
    const caller = authentication.caller;
    options.logger.debug(`${req.method} ${url.pathname} by ${caller.client.clientId} in ${caller.tenant.subdomain}`);

    if (find) {
      if (req.method !== 'GET') return sendJson(res, 405, errorBody('Only GET is supported on find-destination'));
      const name = decode(find[2] ?? '');
      if (name === undefined) return sendJson(res, 400, errorBody('The destination name is not valid percent-encoding'));
      return findDestination(req, res, caller, name, find[1] === '2' ? 2 : 1, url.searchParams, {
        store: options.store,
        world: options.world,
        key: options.key,
        fetchToken: options.fetchToken,
      });
    }
    const [, level, kind, encodedName, publicKeys] = collection as RegExpExecArray;
    const name = encodedName === undefined ? undefined : decode(encodedName);
    if (encodedName !== undefined && name === undefined) return sendJson(res, 400, errorBody('The name is not valid percent-encoding'));
    return handleCollection(
      req,
      res,
      {
        caller,
        level: level as 'subaccount' | 'instance',
        kind: kind as CollectionKind,
        ...(name === undefined ? {} : { name }),
        publicKeys: publicKeys !== undefined,
        query: url.searchParams,
        collectionPath: `/${level}${kind}`,
      },
      options.store,
    );
  };
}

function decode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
