import type { AuthenticationMode, BackendProtocol, MappedResource, SystemMapping } from './types';

/**
 * `cloud-connector.json` in the sandbox folder: the access control of the sandbox's Cloud Connectors, one entry per
 * location ID, in the field names of the real Cloud Connector's configuration REST API (as `SystemMapping`). The one
 * difference: a built-in sample system is named `"localHost": "builtin:erp"` (or `builtin:line`, `builtin:ldap`, `builtin:mail`) without a
 * `localPort`, because its real port is ephemeral and changes with every start.
 */
export interface CloudConnectorFile {
  readonly connectors: readonly ConnectorEntry[];
}

export interface ConnectorEntry {
  /** `""` is the connector without a location ID; destinations pick one by `CloudConnectorLocationId`. */
  readonly locationId: string;
  readonly mappings: readonly MappingEntry[];
}

/** A `SystemMapping` whose `localHost` may be `builtin:<system>`, with `localPort` then left out. */
export interface MappingEntry extends Omit<SystemMapping, 'localPort'> {
  readonly localPort?: number;
}

/** The sample systems a file can name as `builtin:<name>`. */
export const BUILTIN_SYSTEMS = ['erp', 'line', 'ldap', 'mail'] as const;
export type BuiltinSystem = (typeof BUILTIN_SYSTEMS)[number];
export type BuiltinPorts = Readonly<Record<BuiltinSystem, number>>;

export const CONFIG_FILE_NAME = 'cloud-connector.json';

const protocols: readonly BackendProtocol[] = ['HTTP', 'HTTPS', 'TCP', 'TCPS', 'LDAP', 'LDAPS', 'RFC', 'RFCS'];
const authenticationModes: readonly AuthenticationMode[] = ['NONE', 'NONE_RESTRICTED', 'X509_GENERAL', 'X509_RESTRICTED', 'KERBEROS'];
const mappingFields = new Set([
  'virtualHost',
  'virtualPort',
  'localHost',
  'localPort',
  'protocol',
  'hostInHeader',
  'authenticationMode',
  'resources',
  'description',
]);
const resourceFields = new Set(['id', 'enabled', 'exactMatchOnly', 'websocketUpgradeAllowed', 'description']);

/** A problem in the file, named by its field path (`connectors[0].mappings[2].virtualPort`). */
export class ConfigError extends Error {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`${field} ${problem}`);
    this.name = 'ConfigError';
  }
}

/** Parses and validates the file's text; throws a `ConfigError` naming the first bad field. */
export function parseCloudConnectorFile(text: string): CloudConnectorFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(CONFIG_FILE_NAME, `is not valid JSON: ${(error as Error).message}`);
  }
  return validateCloudConnectorFile(value);
}

export function validateCloudConnectorFile(value: unknown): CloudConnectorFile {
  const root = object(value, '(file)');
  const connectors = array(root.connectors, 'connectors');
  const locations = new Set<string>();
  return {
    connectors: connectors.map((item, index) => {
      const at = `connectors[${index}]`;
      const entry = object(item, at);
      const locationId = entry.locationId === undefined ? '' : string(entry.locationId, `${at}.locationId`);
      if (locations.has(locationId)) throw new ConfigError(`${at}.locationId`, `repeats location ID "${locationId}"`);
      locations.add(locationId);
      const seen = new Set<string>();
      const mappings = array(entry.mappings, `${at}.mappings`).map((mapping, mappingIndex) => {
        const parsed = validateMapping(mapping, `${at}.mappings[${mappingIndex}]`);
        const key = `${parsed.virtualHost.toLowerCase()}:${parsed.virtualPort}`;
        if (seen.has(key)) throw new ConfigError(`${at}.mappings[${mappingIndex}]`, `repeats virtual host ${parsed.virtualHost}:${parsed.virtualPort}`);
        seen.add(key);
        return parsed;
      });
      return { locationId, mappings };
    }),
  };
}

function validateMapping(value: unknown, at: string): MappingEntry {
  const entry = object(value, at);
  for (const key of Object.keys(entry))
    if (!mappingFields.has(key)) throw new ConfigError(`${at}.${key}`, `is not a mapping field (known: ${[...mappingFields].join(', ')})`);
  const virtualHost = hostName(entry.virtualHost, `${at}.virtualHost`);
  const virtualPort = port(entry.virtualPort, `${at}.virtualPort`);
  const localHost = string(entry.localHost, `${at}.localHost`);
  if (localHost === '') throw new ConfigError(`${at}.localHost`, 'must not be empty');
  const builtin = builtinName(localHost);
  if (localHost.startsWith('builtin:') && !builtin)
    throw new ConfigError(`${at}.localHost`, `names no built-in system (known: ${BUILTIN_SYSTEMS.map((name) => `builtin:${name}`).join(', ')})`);
  let localPort: number | undefined;
  if (builtin) {
    if (entry.localPort !== undefined) throw new ConfigError(`${at}.localPort`, `must be left out for ${localHost} (its port changes with every start)`);
  } else localPort = port(entry.localPort, `${at}.localPort`);
  const protocol = oneOf(entry.protocol, protocols, `${at}.protocol`);
  const hostInHeader = entry.hostInHeader === undefined ? undefined : oneOf(entry.hostInHeader, ['virtual', 'internal'] as const, `${at}.hostInHeader`);
  const authenticationMode =
    entry.authenticationMode === undefined ? undefined : oneOf(entry.authenticationMode, authenticationModes, `${at}.authenticationMode`);
  const description = entry.description === undefined ? undefined : string(entry.description, `${at}.description`);
  let resources: MappedResource[] | undefined;
  if (entry.resources !== undefined) {
    if (protocol !== 'HTTP' && protocol !== 'HTTPS') throw new ConfigError(`${at}.resources`, `apply to HTTP and HTTPS mappings only, not ${protocol}`);
    resources = array(entry.resources, `${at}.resources`).map((resource, index) => validateResource(resource, `${at}.resources[${index}]`));
  }
  return {
    virtualHost,
    virtualPort,
    localHost,
    ...(localPort !== undefined ? { localPort } : {}),
    protocol,
    ...(hostInHeader ? { hostInHeader } : {}),
    ...(authenticationMode ? { authenticationMode } : {}),
    ...(resources ? { resources } : {}),
    ...(description !== undefined ? { description } : {}),
  };
}

function validateResource(value: unknown, at: string): MappedResource {
  const entry = object(value, at);
  for (const key of Object.keys(entry))
    if (!resourceFields.has(key)) throw new ConfigError(`${at}.${key}`, `is not a resource field (known: ${[...resourceFields].join(', ')})`);
  const id = string(entry.id, `${at}.id`);
  if (!id.startsWith('/')) throw new ConfigError(`${at}.id`, `must be a URL path starting with "/", not "${id}"`);
  const flag = (name: string) => (entry[name] === undefined ? undefined : boolean(entry[name], `${at}.${name}`));
  const enabled = flag('enabled');
  const exactMatchOnly = flag('exactMatchOnly');
  const websocketUpgradeAllowed = flag('websocketUpgradeAllowed');
  const description = entry.description === undefined ? undefined : string(entry.description, `${at}.description`);
  return {
    id,
    ...(enabled !== undefined ? { enabled } : {}),
    ...(exactMatchOnly !== undefined ? { exactMatchOnly } : {}),
    ...(websocketUpgradeAllowed !== undefined ? { websocketUpgradeAllowed } : {}),
    ...(description !== undefined ? { description } : {}),
  };
}

/** `builtin:erp` → `erp`; anything else → undefined. */
export function builtinName(localHost: string): BuiltinSystem | undefined {
  const name = localHost.startsWith('builtin:') ? localHost.slice('builtin:'.length) : undefined;
  return (BUILTIN_SYSTEMS as readonly string[]).includes(name ?? '') ? (name as BuiltinSystem) : undefined;
}

/** The mappings a connector enforces: built-in names resolved to this start's loopback ports. */
export function resolveMappings(entries: readonly MappingEntry[], ports: BuiltinPorts): SystemMapping[] {
  return entries.map((entry) => {
    const builtin = builtinName(entry.localHost);
    if (builtin) return { ...entry, localHost: '127.0.0.1', localPort: ports[builtin] };
    return { ...entry, localPort: entry.localPort ?? 0 };
  });
}

/** The file's text: two-space JSON and a final newline, as users edit it. */
export function formatCloudConnectorFile(file: CloudConnectorFile): string {
  return `${JSON.stringify(file, null, 2)}\n`;
}

function object(value: unknown, at: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(at, 'must be an object');
  return value as Record<string, unknown>;
}

function array(value: unknown, at: string): unknown[] {
  if (!Array.isArray(value)) throw new ConfigError(at, 'must be an array');
  return value;
}

function string(value: unknown, at: string): string {
  if (typeof value !== 'string') throw new ConfigError(at, 'must be a string');
  return value;
}

function boolean(value: unknown, at: string): boolean {
  if (typeof value !== 'boolean') throw new ConfigError(at, 'must be true or false');
  return value;
}

function port(value: unknown, at: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65_535) throw new ConfigError(at, 'must be 1–65535');
  return value;
}

function hostName(value: unknown, at: string): string {
  const host = string(value, at);
  if (!/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(host))
    throw new ConfigError(at, `must be a host name (letters, digits, "-" and "."), not "${host}"`);
  return host;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], at: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) throw new ConfigError(at, `must be one of ${allowed.join(', ')}`);
  return value as T;
}
