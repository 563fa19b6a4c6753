import type { IncomingMessage } from 'node:http';
import { destinationNamePattern } from './transparentContract';

/**
 * HTTP-proxy mode of a one-port forward, as SAP Business Application Studio offers it: with
 * `HTTP_PROXY=http://127.0.0.1:PORT`, a client sends `GET http://<destination>.dest/path` (absolute form) and the
 * forward serves it like `/<destination>/path`. Only `http://<valid name>.dest[:port]` targets qualify; every other
 * absolute-form target stays refused (AC-07), and so does CONNECT (TLS to `.dest` would end at the client).
 */
export interface DestTarget {
  readonly name: string;
  /** `<name>.dest[:port]`, lower-cased: what Host and a same-origin Origin must say. */
  readonly authority: string;
  /** The origin-form rest: `/path?query`. */
  readonly path: string;
}

const suffix = '.dest';

/** The `.dest` target of an absolute-form request URL, or undefined for anything else. */
export function destTargetOf(url: string): DestTarget | undefined {
  if (url.length < 13 || url.slice(0, 7).toLowerCase() !== 'http://') return undefined;
  const end = firstOf(url, 7);
  const authority = url.slice(7, end).toLowerCase();
  const colon = authority.lastIndexOf(':');
  const host = colon < 0 ? authority : authority.slice(0, colon);
  if (colon >= 0 && !/^\d{1,5}$/.test(authority.slice(colon + 1))) return undefined;
  if (!host.endsWith(suffix)) return undefined;
  // The name as written (names are case-sensitive at the Destination service); the authority compares lower-case.
  const name = url.slice(7, 7 + host.length - suffix.length);
  if (!destinationNamePattern.test(name)) return undefined;
  const rest = url.slice(end);
  // A fragment never belongs in a request target; `?` directly after the authority means path "/".
  if (rest.includes('#')) return undefined;
  return { name, authority, path: rest === '' ? '/' : rest.startsWith('?') ? `/${rest}` : rest };
}

/** The `.dest` name a CONNECT asked for (`x.dest:443`), to say what to use instead. */
export function destNameOfConnect(req: IncomingMessage): string | undefined {
  const target = (req.url ?? '').toLowerCase();
  const host = target.replace(/:\d{1,5}$/, '');
  return host.endsWith(suffix) && destinationNamePattern.test(host.slice(0, -suffix.length))
    ? (req.url ?? '').slice(0, host.length - suffix.length)
    : undefined;
}

function firstOf(url: string, from: number): number {
  for (let index = from; index < url.length; index++) {
    const char = url[index];
    if (char === '/' || char === '?' || char === '#') return index;
  }
  return url.length;
}

/** Requests the admission accepted in proxy form: the router takes the destination from here, not from the path. */
const proxied = new WeakMap<IncomingMessage, string>();

export function markProxied(req: IncomingMessage, name: string): void {
  proxied.set(req, name);
}

export function proxiedName(req: IncomingMessage): string | undefined {
  return proxied.get(req);
}
