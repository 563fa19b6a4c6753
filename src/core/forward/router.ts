import type { IncomingMessage } from 'node:http';
import type { DestinationServiceClient } from '../destinationService/client';
import type { FindOptions } from '../destinationService/types';
import { ErrorCode } from '../errors';
import { DestinationResolver } from './resolver';

/** The `destination` of a forward that serves every destination of its connection on one port. */
export const ALL_DESTINATIONS = '*';

/** The header that names the destination when the path must stay as it is. */
export const destinationNameHeader = 'x-destination-name';

/** `Name` as the Destination service allows it (spec §4.1): nothing that needs decoding or could climb a path. */
const destinationName = /^[A-Za-z0-9_-]{1,200}$/;

/** Resolvers kept for names that were found; unknown names are forgotten, so random paths cannot grow this. */
const maxResolvers = 1_000;
/** Names remembered as unknown; the oldest goes first beyond this. */
const maxUnknown = 1_000;

export type RouterPick =
  | { readonly ok: true; readonly resolver: DestinationResolver; readonly name: string; readonly localPrefix: string }
  | { readonly ok: false; readonly status: 400 | 404; readonly code: typeof ErrorCode.DestinationNameInvalid | typeof ErrorCode.NotFound; readonly reason: string };

export interface DestinationRouterOptions {
  readonly client: Pick<DestinationServiceClient, 'find'>;
  readonly findOptions?: () => Promise<FindOptions>;
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
    if (header !== undefined) {
      delete req.headers[destinationNameHeader];
      if (Array.isArray(header)) return invalid('several X-Destination-Name headers');
      if (!destinationName.test(header)) return invalid('X-Destination-Name is no destination name (letters, digits, "_" and "-")');
      return this.rememberedMiss(header) ?? { ok: true, resolver: this.resolverFor(header), name: header, localPrefix: '' };
    }
    const url = req.url ?? '/';
    const end = url.slice(1).search(/[/?]/);
    const name = end < 0 ? url.slice(1) : url.slice(1, end + 1);
    if (name === '') return invalid('name the destination as the first path segment (/<destination>/…) or in an X-Destination-Name header');
    if (!destinationName.test(name)) return invalid('the first path segment is no destination name (letters, digits, "_" and "-")');
    const unknown = this.rememberedMiss(name);
    if (unknown) return unknown;
    const rest = end < 0 ? '/' : url.slice(end + 1);
    req.url = rest.startsWith('?') ? `/${rest}` : rest;
    return { ok: true, resolver: this.resolverFor(name), name, localPrefix: `/${name}` };
  }

  /** After a lookup found no such destination: no resolver is kept, and the name is answered 404 for a while. */
  notFound(name: string): void {
    this.resolvers.delete(name);
    this.unknown.delete(name);
    if (this.unknown.size >= maxUnknown) this.unknown.delete(this.unknown.keys().next().value as string);
    this.unknown.set(name, this.now() + this.notFoundMs);
  }

  /** The 404 for a name remembered as unknown, or undefined (also once its time is up). */
  private rememberedMiss(name: string): RouterPick | undefined {
    const until = this.unknown.get(name);
    if (until === undefined) return undefined;
    if (this.now() >= until) {
      this.unknown.delete(name);
      return undefined;
    }
    return { ok: false, status: 404, code: ErrorCode.NotFound, reason: `no destination "${name}" (looked up less than ${Math.round(this.notFoundMs / 1000)} s ago)` };
  }

  private resolverFor(name: string): DestinationResolver {
    let resolver = this.resolvers.get(name);
    if (!resolver) {
      if (this.resolvers.size >= maxResolvers) this.resolvers.delete(this.resolvers.keys().next().value as string);
      resolver = new DestinationResolver({ client: this.options.client, name, ...(this.options.findOptions ? { findOptions: this.options.findOptions } : {}) });
      this.resolvers.set(name, resolver);
    }
    return resolver;
  }
}

function invalid(reason: string): RouterPick {
  return { ok: false, status: 400, code: ErrorCode.DestinationNameInvalid, reason };
}
