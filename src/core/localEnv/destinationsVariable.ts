/**
 * The `destinations` environment variable of SAP's approuter and SAP Cloud SDK, pointing at local forwards:
 * `[{ "name": "erp", "url": "http://127.0.0.1:41234", "forwardAuthToken": false }]`. The forward injects the
 * destination's credentials, so the entries carry none. Only these keys: the approuter's schema for this
 * variable refuses any other (lib/configuration/schemas/environment-destinations-schema.json).
 */
import { BtpError, ErrorCode } from '../errors';

export interface LocalForward {
  readonly destination: string;
  /** A forward with a fragment is a variant of its destination: it gets no entry, so it never shadows the plain one. */
  readonly fragment?: string;
  readonly kind: 'http' | 'tcp';
  /** `http://127.0.0.1:PORT` (HTTP) or `127.0.0.1:PORT` (TCP). */
  readonly localAddress: string;
}

export interface EnvDestination {
  readonly name: string;
  readonly url: string;
  readonly forwardAuthToken: false;
}

/** One entry per HTTP forward, sorted by name; TCP forwards have no place in this format and are left out. */
export function envDestinations(forwards: readonly LocalForward[]): EnvDestination[] {
  const byName = new Map<string, EnvDestination>();
  for (const forward of forwards) {
    // A one-port forward (`*`) has no name of its own: see `onePortDestinations`.
    if (forward.kind !== 'http' || forward.destination === '*' || forward.fragment !== undefined || byName.has(forward.destination)) continue;
    byName.set(forward.destination, { name: forward.destination, url: forward.localAddress, forwardAuthToken: false });
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * `entries` merged into an existing `destinations` value (the user's own entries win by name); throws a coded
 * error naming the variable when the existing value is not a JSON array.
 */
export function mergeDestinationsVariable(existing: string | undefined, entries: readonly EnvDestination[]): string {
  let own: { name?: unknown }[] = [];
  if (existing !== undefined && existing.trim() !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(existing);
    } catch {
      parsed = undefined;
    }
    if (!Array.isArray(parsed)) {
      throw new BtpError(
        ErrorCode.InvalidInput,
        'The launch configuration sets env.destinations, but not to a JSON array of {"name", "url"} entries; fix it or remove it to use the forwards.',
        { field: 'env.destinations' },
      );
    }
    own = parsed as { name?: unknown }[];
  }
  const taken = new Set(own.map((entry) => entry.name));
  return JSON.stringify([...own, ...entries.filter((entry) => !taken.has(entry.name))]);
}

/** How apps reach destinations through one port: `/<name>` below its address, or `http://<name>.dest` as an HTTP proxy. */
export type OnePortForm = 'path' | 'proxy';

/**
 * `destinations` entries for `names` served by one port (`forward --all`): in path form each URL is the port's
 * address (with the local token, when required) plus `/<name>`; in proxy form it is `http://<name>.dest`, and the
 * app needs `proxyVariables` too. Absolute links of a backend survive only the proxy form.
 */
export function onePortDestinations(names: readonly string[], appAddress: string, form: OnePortForm): EnvDestination[] {
  const unique = [...new Set(names)].sort((a, b) => a.localeCompare(b));
  return unique.map((name) => ({ name, url: form === 'proxy' ? `http://${name}.dest` : `${appAddress}/${name}`, forwardAuthToken: false }));
}

/** Hosts that must never go through the forward's proxy mode (they would be refused there). */
const noProxy = 'localhost,127.0.0.1,::1';

/**
 * The variables that make HTTP clients use a one-port forward as their proxy for `http://<name>.dest`: both
 * spellings, since curl reads only `http_proxy` and others only `HTTP_PROXY`. With a local token it rides in the
 * proxy URL as Basic credentials (`btp:<token>`), which curl, Python, undici and the SAP Cloud SDK all send. Only
 * plain-HTTP traffic goes through it: HTTPS_PROXY stays untouched.
 */
export function proxyVariables(localAddress: string, token?: string): Record<string, string> {
  const url = new URL(localAddress);
  if (token !== undefined) {
    url.username = 'btp';
    url.password = token;
  }
  const proxy = url.href.replace(/\/$/, '');
  return { http_proxy: proxy, HTTP_PROXY: proxy, no_proxy: noProxy, NO_PROXY: noProxy };
}
