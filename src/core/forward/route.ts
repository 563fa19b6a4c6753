import type { OutgoingHttpHeaders } from 'node:http';
import type { InjectedMask } from '../inspect/types';
import { httpTargetOf, locationIdOf, proxyTypeOf, requestAdditions } from './destinationTarget';
import { injectedMaskOf, injectedValuesOf, maskInjected, stripInjectedQuery, type InjectedValues } from './injected';
import type { Resolved } from './resolver';

/**
 * What a resolved destination says about every request to it — target URL, base path, header defaults, query
 * additions, credentials, OnPremise routing — worked out once per resolution instead of once per request.
 */
export interface Route {
  readonly target: URL;
  /** The destination URL's path without a trailing slash; local paths are appended to it. */
  readonly basePath: string;
  readonly baseQuery: string;
  readonly defaults: Readonly<Record<string, string>>;
  readonly queries: readonly (readonly [string, string])[];
  /** Header (lower-case name) and value of `authTokens[0].http_header`, when there is one. */
  readonly auth?: readonly [string, string];
  readonly onPremise: boolean;
  readonly locationId?: string;
  /** What this route adds to requests, to keep it out of answers, recordings and logs (F3). */
  readonly injected: InjectedValues;
  readonly injectedMask: InjectedMask;
}

const routes = new WeakMap<Resolved, Route>();

export function routeOf(resolved: Resolved): Route {
  let route = routes.get(resolved);
  if (!route) {
    const target = httpTargetOf(resolved.name, resolved.destination);
    const { headers, queries } = requestAdditions(resolved.destination);
    const locationId = locationIdOf(resolved.destination);
    const auth = resolved.authHeader ? ([resolved.authHeader.key.toLowerCase(), resolved.authHeader.value] as const) : undefined;
    const injected = injectedValuesOf(auth, headers, queries);
    route = {
      target,
      basePath: target.pathname.replace(/\/$/, ''),
      baseQuery: target.search.slice(1),
      defaults: headers,
      queries,
      ...(auth ? { auth } : {}),
      onPremise: proxyTypeOf(resolved.destination) === 'OnPremise',
      ...(locationId ? { locationId } : {}),
      injected,
      injectedMask: injectedMaskOf(injected),
    };
    routes.set(resolved, route);
  }
  return route;
}

/** The destination URL's path + the local path; the destination's query, the local query, then URL.queries. */
export function upstreamPath(route: Route, localUrl: string): string {
  const queryStart = localUrl.indexOf('?');
  const localPath = queryStart < 0 ? localUrl : localUrl.slice(0, queryStart);
  const localQuery = queryStart < 0 ? '' : localUrl.slice(queryStart + 1);
  // The common case, nothing to merge, must not pay for URLSearchParams.
  if (route.queries.length === 0 && route.baseQuery === '') return `${route.basePath}${localPath}${localQuery ? `?${localQuery}` : ''}`;
  const search = new URLSearchParams(route.baseQuery);
  for (const [name, value] of new URLSearchParams(localQuery)) search.append(name, value);
  for (const [name, value] of route.queries) if (!search.has(name)) search.append(name, value);
  const query = search.toString();
  return `${route.basePath}${localPath}${query ? `?${query}` : ''}`;
}

/**
 * A `Location` on the destination's own origin points back at the forward; others go to the client as they are.
 * Either way, query parameters that carry what the forward injected are dropped (F3).
 */
export function rewriteLocation(headers: OutgoingHttpHeaders, route: Route, localHost: string | undefined): OutgoingHttpHeaders {
  const location = headers.location;
  if (typeof location !== 'string') return headers;
  let absolute: URL;
  try {
    absolute = new URL(location, route.target);
  } catch {
    return headers;
  }
  const ownOrigin = absolute.origin === route.target.origin;
  const stripped = stripInjectedQuery(absolute, route.injected, ownOrigin);
  if (!ownOrigin) return stripped ? { ...headers, location: maskInjected(absolute.href, route.injected) } : headers;
  const base = route.basePath;
  const path = base && absolute.pathname.startsWith(`${base}/`) ? absolute.pathname.slice(base.length) : absolute.pathname;
  return { ...headers, location: maskInjected(`http://${localHost}${path}${absolute.search}${absolute.hash}`, route.injected) };
}
