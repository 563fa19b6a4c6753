import type { IncomingMessage } from 'node:http';
import type { TokenTenant } from '../bindings/tokenEndpoint';
import type { DestinationServiceClient } from '../destinationService/client';
import type { DestinationRecord, FindOptions } from '../destinationService/types';
import { hasUserInput, userInputOf } from '../destinationService/userFlows';
import { ErrorCode } from '../errors';
import { proxiedName } from './destHost';
import { DestinationResolver } from './resolver';
import { destinationNamePattern, readContract, type ContractRequest } from './transparentContract';

/** The `destination` of a forward that serves every destination of its connection on one port. */
export const ALL_DESTINATIONS = '*';

/** The header that names the destination when the path must stay as it is. */
export const destinationNameHeader = 'x-destination-name';

/** `Name` as the Destination service allows it (spec §4.1): nothing that needs decoding or could climb a path. */
const destinationName = destinationNamePattern;

/** Resolvers kept for names that were found; unknown names are forgotten, so random paths cannot grow this. */
const maxResolvers = 1_000;
/** Names remembered as unknown; the oldest goes first beyond this. */
const maxUnknown = 1_000;

/** How the request named its destination: path segment, `X-Destination-Name` (transparent proxy), or `http://<name>.dest` (HTTP proxy). */
export type Addressing = 'path' | 'header' | 'proxy';

export type RouterPick =
  | {
      readonly ok: true;
      readonly resolver: DestinationResolver;
      readonly name: string;
      readonly localPrefix: string;
      /** The resolver's key: the name, plus fragment, level, tenant and tokens when the request asked for them. */
      readonly key: string;
      readonly addressing: Addressing;
    }
  | { readonly ok: false; readonly status: 400 | 404 | 501; readonly code: ErrorCode; readonly reason: string; readonly addressing?: Addressing };

export interface DestinationRouterOptions {
  readonly client: Pick<DestinationServiceClient, 'find'>;
  /** Inputs for every lookup, given the destination as an earlier lookup found it (see DestinationResolver). */
  readonly findOptions?: (destination?: DestinationRecord) => Promise<FindOptions>;
  /**
   * The Destination service as a subscriber tenant sees it (`X-Tenant-Subdomain` / `X-Tenant-Id`); without it,
   * tenant headers are refused with `BTP_UNSUPPORTED` (501).
   */
  readonly clientForTenant?: (tenant: TokenTenant) => Pick<DestinationServiceClient, 'find'>;
  /** How long a name the Destination service did not know is answered 404 without asking again (default 10 s). */
  readonly notFoundMs?: number;
  readonly now?: () => number;
}

/**
 * One port for all destinations, like the transparent proxy's dynamic lookup: `/<destination>/rest` or an
 * `X-Destination-Name` header picks the destination per request. Each name gets a resolver of its own (token
 * cache, breaker shared per client), created on first use.
 */
export class DestinationRouter {
  private readonly resolvers = new Map<string, DestinationResolver>();
  /** Unknown name → until when it is answered 404 without a lookup (D3: one lookup per request before). */
  private readonly unknown = new Map<string, number>();
  readonly notFoundMs: number;
  private readonly now: () => number;

  constructor(private readonly options: DestinationRouterOptions) {
    // Short: a destination created meanwhile becomes reachable within this time without restarting the forward.
    this.notFoundMs = options.notFoundMs ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /**
   * Picks the destination of `req` and rewrites `req.url` to the path below it. The header wins over the path
   * and leaves the path alone; it is removed so that it does not travel upstream.
   */
  pick(req: IncomingMessage): RouterPick {
    const header = req.headers[destinationNameHeader];
    const proxied = proxiedName(req);
    if (header !== undefined) delete req.headers[destinationNameHeader];
    const contract = readContract(req.headers, req.rawHeaders);
    const addressing: Addressing = proxied !== undefined ? 'proxy' : header !== undefined ? 'header' : 'path';
    if (!contract.ok) return { ...contract, addressing };
    const request = contract.request;
    if (request.tenant && !this.options.clientForTenant) {
      return {
        ok: false,
        status: 501,
        code: ErrorCode.Unsupported,
        reason: 'X-Tenant-Subdomain and X-Tenant-Id are not supported by this forward: it acts for the tenant of its connection only',
        addressing,
      };
    }
    if (header !== undefined) {
      if (Array.isArray(header)) return invalid('several X-Destination-Name headers', addressing);
      if (!destinationName.test(header)) return invalid('X-Destination-Name is no destination name (letters, digits, "_" and "-")', addressing);
      if (proxied !== undefined && proxied !== header)
        return invalid(`X-Destination-Name names "${header}", the request's target ${proxied}.dest another destination`, addressing);
      return this.found(header, '', request, addressing);
    }
    if (proxied !== undefined) return this.found(proxied, '', request, addressing);
    const url = req.url ?? '/';
    const end = url.slice(1).search(/[/?]/);
    const name = end < 0 ? url.slice(1) : url.slice(1, end + 1);
    if (name === '') return invalid('name the destination as the first path segment (/<destination>/…) or in an X-Destination-Name header', addressing);
    if (!destinationName.test(name)) return invalid('the first path segment is no destination name (letters, digits, "_" and "-")', addressing);
    const picked = this.found(name, `/${name}`, request, addressing);
    if (!picked.ok) return picked;
    const rest = end < 0 ? '/' : url.slice(end + 1);
    req.url = rest.startsWith('?') ? `/${rest}` : rest;
    return picked;
  }

  private found(name: string, localPrefix: string, request: ContractRequest, addressing: Addressing): RouterPick {
    const key = request.key === '' ? name : `${name}\n${request.key}`;
    const unknown = this.rememberedMiss(name, key);
    if (unknown) return { ...unknown, addressing };
    return { ok: true, resolver: this.resolverFor(name, key, request), name, localPrefix, key, addressing };
  }

  /** After a lookup found no such destination: no resolver is kept, and the name is answered 404 for a while. */
  notFound(key: string): void {
    this.resolvers.delete(key);
    this.unknown.delete(key);
    if (this.unknown.size >= maxUnknown) this.unknown.delete(this.unknown.keys().next().value as string);
    this.unknown.set(key, this.now() + this.notFoundMs);
  }

  /** The 404 for a name (with its fragment…) remembered as unknown, or undefined (also once its time is up). */
  private rememberedMiss(name: string, key: string): RouterPick | undefined {
    const until = this.unknown.get(key);
    if (until === undefined) return undefined;
    if (this.now() >= until) {
      this.unknown.delete(key);
      return undefined;
    }
    return {
      ok: false,
      status: 404,
      code: ErrorCode.NotFound,
      reason: `no destination "${name}"${key === name ? '' : ' with the fragment, level or tenant asked for'} (looked up less than ${Math.round(this.notFoundMs / 1000)} s ago)`,
    };
  }

  private resolverFor(name: string, key: string, request: ContractRequest): DestinationResolver {
    let resolver = this.resolvers.get(key);
    if (!resolver) {
      if (this.resolvers.size >= maxResolvers) this.resolvers.delete(this.resolvers.keys().next().value as string);
      const client = request.tenant && this.options.clientForTenant ? this.options.clientForTenant(request.tenant) : this.options.client;
      const base = this.options.findOptions;
      const extra = request.find;
      // The request's own inputs (fragment, tokens…) win over the connection's (the signed-in user's token); a
      // token-service tenant excludes the user token (find-destination refuses X-tenant with X-user-token).
      const findOptions =
        key === name
          ? base
          : async (destination?: DestinationRecord): Promise<FindOptions> => {
              // A request that brings the flow's input itself (X-Refresh-Token, X-Code…) does not make the session's asked for.
              const input = userInputOf(destination);
              const { userToken, tenant, ...own } = base ? await base(input && hasUserInput(input, extra) ? undefined : destination) : {};
              // X-tenant (a Common token URL) names the tenant the request acts for, not the connection's.
              const tenantHeader = request.tenant ? request.tenant.subdomain : tenant;
              return {
                ...own,
                ...(tenant !== undefined && tenantHeader !== undefined ? { tenant: tenantHeader } : {}),
                ...(userToken !== undefined && extra.tenant === undefined ? { userToken } : {}),
                ...extra,
              };
            };
      resolver = new DestinationResolver({ client, name, ...(findOptions ? { findOptions } : {}) });
      this.resolvers.set(key, resolver);
    }
    return resolver;
  }
}

function invalid(reason: string, addressing: Addressing): RouterPick {
  return { ok: false, status: 400, code: ErrorCode.DestinationNameInvalid, reason, addressing };
}
