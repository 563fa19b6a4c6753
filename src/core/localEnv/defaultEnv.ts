/**
 * `default-env.json`, the file SAP's approuter and CAP/Cloud SDK projects keep next to an app for local runs:
 * `{ "VCAP_SERVICES": {...}, "destinations": [...] }`. Reading one for import (its Destination and
 * connectivity bindings become a connection, its destinations local destinations), writing the `destinations`
 * of an export into one, and taking out the secrets an import moved to the keychain.
 */
import { bindingsFromVcapServices } from '../bindings/vcap';
import { SECRET_CREDENTIAL_FIELDS, type ConnectivityBinding, type DestinationBinding } from '../bindings/types';
import { DESTINATION_NAME_PATTERN } from '../destinations/model';
import type { DestinationRecord } from '../destinationService/types';
import { BtpError, ErrorCode, type ValidationIssue } from '../errors';
import type { EnvDestination } from './destinationsVariable';

export interface ImportedDefaultEnv {
  readonly destinationBinding?: DestinationBinding;
  readonly connectivityBinding?: ConnectivityBinding;
  /** Entries of `destinations`, as destination properties (wire form). */
  readonly destinations: readonly DestinationRecord[];
  /** What was not taken over, per field (an explicit proxy, an unknown key…). */
  readonly notes: readonly ValidationIssue[];
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The `destinations` entry keys of the approuter (its schema) and the SAP Cloud SDK (`Destination`) and the
 * destination property each becomes. Booleans and numbers are written as strings, as destinations store them.
 */
const ENTRY_KEYS: Readonly<Record<string, string>> = {
  name: 'Name',
  url: 'URL',
  type: 'Type',
  proxyType: 'ProxyType',
  authentication: 'Authentication',
  username: 'User',
  password: 'Password',
  sapClient: 'sap-client',
  isTrustingAllCertificates: 'TrustAll',
  forwardAuthToken: 'forwardAuthToken',
  timeout: 'HTML5.Timeout',
  setXForwardedHeaders: 'HTML5.SetXForwardedHeaders',
  forwardAuthCertificates: 'HTML5.ForwardAuthCertificates',
  IASDependencyName: 'HTML5.IASDependencyName',
  cloudConnectorLocationId: 'CloudConnectorLocationId',
  clientId: 'clientId',
  clientSecret: 'clientSecret',
  tokenServiceUrl: 'tokenServiceURL',
  tokenServiceUser: 'tokenServiceUser',
  tokenServicePassword: 'tokenServicePassword',
};

/** One `destinations` entry as destination properties; what cannot be carried over goes to `notes`. */
export function entryToDestination(entry: Record<string, unknown>, index: number, notes: ValidationIssue[]): DestinationRecord | undefined {
  const field = (key: string) => `destinations[${index}].${key}`;
  const properties: DestinationRecord = { Type: 'HTTP', ProxyType: 'Internet' };
  for (const [key, value] of Object.entries(entry)) {
    const property = ENTRY_KEYS[key];
    if (key === 'strictSSL') {
      if (value === false) properties.TrustAll = 'true';
      continue;
    }
    if (key === 'proxyHost' || key === 'proxyPort') {
      notes.push({
        field: field(key),
        problem: 'unsupported',
        severity: 'warning',
        message: `${field(key)} (an explicit proxy) is not taken over; OnPremise destinations go through the connectivity proxy of a connection.`,
      });
      continue;
    }
    if (property === undefined || (typeof value !== 'string' && typeof value !== 'boolean' && typeof value !== 'number')) {
      notes.push({
        field: field(key),
        problem: 'unknown',
        severity: 'warning',
        message: `${field(key)} is not a destination setting BTP Connect knows; it was left out.`,
      });
      continue;
    }
    properties[property] = String(value);
  }
  properties.Authentication ??= properties.User !== undefined ? 'BasicAuthentication' : 'NoAuthentication';
  if (properties.Name === undefined || !DESTINATION_NAME_PATTERN.test(properties.Name) || properties.URL === undefined) {
    notes.push({
      field: field('name'),
      problem: 'invalid',
      severity: 'error',
      message: `${field('name')}: an entry needs a "name" of letters, digits, "_" and "-", and a "url"; it was skipped.`,
    });
    return undefined;
  }
  return properties;
}

export function readDefaultEnv(json: unknown, source: string): ImportedDefaultEnv {
  if (!isObject(json)) {
    throw new BtpError(ErrorCode.InvalidInput, `${source} is not a JSON object like {"VCAP_SERVICES": {...}, "destinations": [...]}; check the file.`, {
      field: source,
    });
  }
  const notes: ValidationIssue[] = [];
  const bindings = json.VCAP_SERVICES === undefined ? [] : bindingsFromVcapServices(json.VCAP_SERVICES as object, { source: `VCAP_SERVICES of ${source}` });
  const destinationBinding = bindings.find((binding): binding is DestinationBinding => binding.kind === 'destination');
  const connectivityBinding = bindings.find((binding): binding is ConnectivityBinding => binding.kind === 'connectivity');
  const entries = json.destinations === undefined ? [] : json.destinations;
  if (!Array.isArray(entries)) {
    throw new BtpError(ErrorCode.InvalidInput, `"destinations" in ${source} must be a list of {"name", "url"} entries; fix the file.`, {
      field: 'destinations',
    });
  }
  const destinations = entries.flatMap((entry: unknown, index) => {
    if (!isObject(entry)) {
      notes.push({
        field: `destinations[${index}]`,
        problem: 'invalid',
        severity: 'error',
        message: `destinations[${index}] is not an object; it was skipped.`,
      });
      return [];
    }
    const properties = entryToDestination(entry, index, notes);
    return properties ? [properties] : [];
  });
  if (!destinationBinding && !connectivityBinding && destinations.length === 0) {
    throw new BtpError(
      ErrorCode.InvalidInput,
      `${source} has neither a destination or connectivity binding in VCAP_SERVICES nor "destinations"; nothing to import.`,
      { field: source },
    );
  }
  return { ...(destinationBinding ? { destinationBinding } : {}), ...(connectivityBinding ? { connectivityBinding } : {}), destinations, notes };
}

/**
 * `json` with the secrets an import moved to the keychain taken out: `clientsecret`/`key` of the destination and
 * connectivity bindings, and the `password` (and other secret keys) of `destinations` entries. Other bindings
 * (xsuaa…) are left as they are: their secrets were not moved.
 */
export function withoutMovedSecrets(
  json: Record<string, unknown>,
  moved: { readonly bindings: readonly ('destination' | 'connectivity')[] },
): Record<string, unknown> {
  const copy = structuredClone(json);
  const vcap = copy.VCAP_SERVICES;
  if (isObject(vcap)) {
    for (const [label, entries] of Object.entries(vcap)) {
      if (!Array.isArray(entries)) continue;
      for (const entry of entries) {
        if (!isObject(entry) || !isObject(entry.credentials)) continue;
        const tags = Array.isArray(entry.tags) ? entry.tags : [];
        const kind = moved.bindings.find((candidate) => label === candidate || entry.label === candidate || tags.includes(candidate));
        if (!kind) continue;
        for (const secret of SECRET_CREDENTIAL_FIELDS) delete entry.credentials[secret];
      }
    }
  }
  if (Array.isArray(copy.destinations)) {
    copy.destinations = copy.destinations.map((entry: unknown) => {
      if (!isObject(entry)) return entry;
      const { password: _password, clientSecret: _secret, tokenServicePassword: _tokenPassword, ...rest } = entry;
      return rest;
    });
  }
  return copy;
}

/**
 * An existing default-env.json (or none) with `entries` as its `destinations`: entries of the same name are
 * replaced, others kept, every other key of the file left as it was.
 */
export function mergeDefaultEnv(existing: unknown, entries: readonly EnvDestination[], source: string): Record<string, unknown> {
  if (existing !== undefined && !isObject(existing)) {
    throw new BtpError(ErrorCode.InvalidInput, `${source} exists but is not a JSON object; fix or move it, then export again.`, { field: source });
  }
  const current = existing?.destinations ?? [];
  if (!Array.isArray(current)) {
    throw new BtpError(ErrorCode.InvalidInput, `"destinations" in ${source} is not a list; fix it, then export again.`, { field: 'destinations' });
  }
  const names = new Set(entries.map((entry) => entry.name));
  const kept = current.filter((entry: unknown) => !(isObject(entry) && names.has(String(entry.name))));
  return { ...existing, destinations: [...kept, ...entries] };
}
