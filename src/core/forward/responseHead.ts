import type { OutgoingHttpHeaders } from 'node:http';
import { downstreamHeaders, type HeaderPolicy } from './headers';
import { maskInjectedInPlace } from './injected';
import { rewriteLocation, type Route } from './route';

/**
 * On one port for all destinations every destination shares one origin: without this, HTML that one destination
 * serves could read every other through the forward, credentials injected (F5). A sandbox without
 * `allow-same-origin` gives such a document an opaque origin; its requests carry `Origin: null` (or a cross-site
 * Sec-Fetch-Site) and are refused. Scripts may still run, so an app's own page still renders.
 */
export const onePortPolicy = 'sandbox allow-scripts allow-forms allow-popups allow-modals allow-downloads';

export interface ResponseHeadContext {
  readonly policy: HeaderPolicy;
  /** `host:port` and prefix the client used, for rewritten `Location`s. */
  readonly localBase: string;
  readonly onePort: boolean;
}

/**
 * Every response head a forward passes to a client, plain answers and upgrades alike (F1): hop-by-hop, cookie
 * and CORS headers dropped, `Location` pointed back at the forward, injected values masked, and on one port the
 * sandbox policy added to the upstream's own.
 */
export function responseHead(upstream: Record<string, string | string[] | undefined>, route: Route, context: ResponseHeadContext): OutgoingHttpHeaders {
  const headers = rewriteLocation(downstreamHeaders(upstream, context.policy), route, context.localBase);
  maskInjectedInPlace(headers, route.injected);
  if (context.onePort) {
    // Node types this header as one string; it may come as several, and a second policy adds to the first.
    const all = headers as Record<string, string | string[] | number | undefined>;
    const existing = all['content-security-policy'];
    all['content-security-policy'] = existing === undefined ? onePortPolicy : [...(Array.isArray(existing) ? existing : [String(existing)]), onePortPolicy];
  }
  return headers;
}
