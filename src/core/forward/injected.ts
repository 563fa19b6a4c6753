import type { OutgoingHttpHeaders } from 'node:http';
import { MASK } from '../inspect/mask';
import type { HeaderList, InjectedMask } from '../inspect/types';

/**
 * What a forward adds to requests from the destination (its credential, `URL.headers.*`, `URL.queries.*`) must
 * not come back out (F3): not in a rewritten `Location`, not in what the inspector records or exports, not in a
 * log line. Masking goes by name where the name is known (headers and query parameters the forward set) and by
 * value everywhere else (an upstream echoing a key in a header or a redirect).
 */
export interface InjectedValues {
  /** The values in every spelling they may travel in, longest first; each at least `minimumLength` long. */
  readonly values: readonly string[];
  /** Lower-case names of injected headers whose values are masked whole. */
  readonly headerNames: ReadonlySet<string>;
  /** Names of injected query parameters: stripped from redirects, masked in recorded URLs. */
  readonly queryNames: ReadonlySet<string>;
}

/** Injected headers that are protocol settings, not credentials: shown as they are. */
const publicHeaders = new Set([
  'accept',
  'accept-language',
  'accept-encoding',
  'content-type',
  'user-agent',
  'cache-control',
  'x-requested-with',
  'sap-client',
  'sap-language',
  'sap-contextid-accept',
  'dataserviceversion',
  'maxdataserviceversion',
  'odata-version',
  'odata-maxversion',
]);

/** Shorter values would mask ordinary words and numbers all over a text; they are still masked by name. */
const minimumLength = 4;

export const noInjectedValues: InjectedValues = { values: [], headerNames: new Set(), queryNames: new Set() };

export function injectedValuesOf(
  auth: readonly [string, string] | undefined,
  headers: Readonly<Record<string, string>>,
  queries: readonly (readonly [string, string])[],
): InjectedValues {
  const values = new Set<string>();
  const headerNames = new Set<string>();
  const queryNames = new Set<string>();
  const add = (value: string) => {
    for (const form of [value, encodeURIComponent(value), new URLSearchParams({ v: value }).toString().slice(2)])
      if (form.length >= minimumLength) values.add(form);
  };
  if (auth) {
    headerNames.add(auth[0]);
    add(auth[1]);
    const credential = /^[A-Za-z][\w.-]*\s+(.+)$/.exec(auth[1])?.[1];
    if (credential) {
      add(credential);
      if (/^basic\s/i.test(auth[1])) {
        const pair = Buffer.from(credential, 'base64').toString('utf8');
        add(pair);
        const colon = pair.indexOf(':');
        if (colon >= 0) add(pair.slice(colon + 1));
      }
    }
  }
  for (const [name, value] of Object.entries(headers)) {
    if (publicHeaders.has(name)) continue;
    headerNames.add(name);
    add(value);
  }
  for (const [name, value] of queries) {
    if (name.startsWith('$') || name === 'sap-client' || name === 'sap-language') continue;
    queryNames.add(name);
    add(value);
  }
  if (values.size === 0 && headerNames.size === 0 && queryNames.size === 0) return noInjectedValues;
  return { values: [...values].sort((a, b) => b.length - a.length), headerNames, queryNames };
}

/** `text` with every injected value replaced by the mask. */
export function maskInjected(text: string, injected: InjectedValues): string {
  let out = text;
  for (const value of injected.values) if (out.includes(value)) out = out.split(value).join(MASK);
  return out;
}

export function containsInjected(text: string, injected: InjectedValues): boolean {
  for (const value of injected.values) if (text.includes(value)) return true;
  return false;
}

/** Response headers (the forward's own copy) with injected values masked, in place. */
export function maskInjectedInPlace(headers: OutgoingHttpHeaders, injected: InjectedValues): void {
  if (injected.values.length === 0) return;
  for (const name in headers) {
    const value = headers[name];
    if (typeof value === 'string') {
      if (containsInjected(value, injected)) headers[name] = maskInjected(value, injected);
    } else if (Array.isArray(value)) headers[name] = value.map((item) => maskInjected(item, injected));
  }
}

/** Recorded header pairs: headers the forward injected masked whole, injected values in others masked. */
export function maskInjectedList(headers: HeaderList, injected: InjectedValues): HeaderList {
  if (injected === noInjectedValues) return headers;
  // Credentials masked by name already keep their scheme (`Basic ******`).
  return headers.map(([name, value]) => [name, value.includes(MASK) ? value : injected.headerNames.has(name) ? MASK : maskInjected(value, injected)]);
}

/**
 * Query parameters of `url` that carry something injected: by name on the destination's own origin (a
 * trailing-slash redirect that keeps `?apikey=…`), by value anywhere. Returns whether any went.
 */
export function stripInjectedQuery(url: URL, injected: InjectedValues, ownOrigin: boolean): boolean {
  if (injected === noInjectedValues || url.search === '') return false;
  let stripped = false;
  for (const [name, value] of [...url.searchParams]) {
    if ((ownOrigin && injected.queryNames.has(name)) || containsInjected(value, injected) || containsInjected(name, injected)) {
      url.searchParams.delete(name);
      stripped = true;
    }
  }
  return stripped;
}

/** A recorded URL (path and query) with injected query parameters masked by name and other values by value. */
export function maskInjectedUrl(url: string, injected: InjectedValues): string {
  if (injected === noInjectedValues) return url;
  const queryStart = url.indexOf('?');
  if (queryStart < 0) return maskInjected(url, injected);
  const query = url
    .slice(queryStart + 1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      const name = equals < 0 ? pair : pair.slice(0, equals);
      return equals >= 0 && injected.queryNames.has(decodeSafe(name)) ? `${name}=${MASK}` : pair;
    })
    .join('&');
  return maskInjected(`${url.slice(0, queryStart)}?${query}`, injected);
}

function decodeSafe(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/** The recorder's view of `injected` (see `InjectedMask`). */
export function injectedMaskOf(injected: InjectedValues): InjectedMask {
  return {
    url: (url) => maskInjectedUrl(url, injected),
    headers: (headers) => maskInjectedList(headers, injected),
    text: (text) => maskInjected(text, injected),
  };
}
