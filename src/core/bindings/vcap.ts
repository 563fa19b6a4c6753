import { BtpError, ErrorCode } from '../errors';
import { capitalise, isPlainObject } from './issues';
import { parseJson } from './json';
import { kindFromLabelOrTags, metaFromVcapEntry } from './meta';
import { parseCredentials } from './parseCredentials';
import type { ServiceBinding } from './types';

/**
 * Bindings from VCAP_SERVICES: `{ "<label>": [ { name, label, plan, tags, instance_name, credentials } ] }`.
 * The kind comes from the label, else from the tags; entries of other services are skipped, not errors.
 * A destination, connectivity or xsuaa entry with bad credentials is an error naming the entry.
 */

const VCAP_HINT = 'VCAP_SERVICES must be a JSON object like {"destination": [{"name": "...", "credentials": {...}}]}.';

export interface VcapOptions {
  /** Where the JSON came from, for messages; default `VCAP_SERVICES`. */
  readonly source?: string;
}

export function bindingsFromVcapServices(vcap: string | object, options: VcapOptions = {}): ServiceBinding[] {
  const source = options.source ?? 'VCAP_SERVICES';
  let value: unknown = vcap;
  if (typeof vcap === 'string') {
    if (vcap.trim() === '') return [];
    value = parseJson(vcap.replace(/^\uFEFF/, ''), { subject: capitalise(source), hint: VCAP_HINT });
  }
  if (!isPlainObject(value)) {
    const message = `${capitalise(source)} is not a JSON object. ${VCAP_HINT}`;
    throw new BtpError(ErrorCode.BindingInvalid, message, {
      issues: [{ field: 'VCAP_SERVICES', problem: 'invalid_type', message }],
    });
  }
  const bindings: ServiceBinding[] = [];
  for (const [label, entries] of Object.entries(value)) {
    if (!Array.isArray(entries)) continue;
    entries.forEach((entry: unknown, index) => {
      if (!isPlainObject(entry)) return;
      const meta = metaFromVcapEntry(entry, label);
      const kind = kindFromLabelOrTags(meta?.label, meta?.tags);
      if (kind === undefined) return;
      const entryName = meta?.name ?? meta?.instanceName ?? `${label}[${index}]`;
      bindings.push(parseCredentials(entry.credentials, { expected: kind, source: `binding "${entryName}" in ${source}`, meta }));
    });
  }
  return bindings;
}

/** True for an object whose values are all arrays, some holding `{ credentials: {...} }` entries. */
export function isVcapShape(value: Record<string, unknown>): boolean {
  const lists = Object.values(value);
  return (
    lists.length > 0 &&
    lists.every((list) => Array.isArray(list)) &&
    lists.some((list) => (list as unknown[]).some((entry) => isPlainObject(entry) && isPlainObject(entry.credentials)))
  );
}
