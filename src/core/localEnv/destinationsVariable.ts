/**
 * The `destinations` environment variable of SAP's approuter and SAP Cloud SDK, pointing at local forwards:
 * `[{ "name": "erp", "url": "http://127.0.0.1:41234", "forwardAuthToken": false }]`. The forward injects the
 * destination's credentials, so the entries carry none. Only these keys: the approuter's schema for this
 * variable refuses any other (lib/configuration/schemas/environment-destinations-schema.json).
 */
import { BtpError, ErrorCode } from '../errors';

export interface LocalForward {
  readonly destination: string;
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
    if (forward.kind !== 'http' || byName.has(forward.destination)) continue;
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
      throw new BtpError(ErrorCode.InvalidInput, 'The launch configuration sets env.destinations, but not to a JSON array of {"name", "url"} entries; fix it or remove it to use the forwards.', { field: 'env.destinations' });
    }
    own = parsed as { name?: unknown }[];
  }
  const taken = new Set(own.map((entry) => entry.name));
  return JSON.stringify([...own, ...entries.filter((entry) => !taken.has(entry.name))]);
}
