import { watch } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CONFIG_FILE_NAME, ConfigError, formatCloudConnectorFile, parseCloudConnectorFile, type CloudConnectorFile, type MappingEntry } from './configFile';
import { CONFIG_STATE_FILE_NAME, sha256Of, type ConfigState } from './configWatcher';
import { defaultCloudConnectorFile } from './sandboxMappings';

/**
 * The other side of `CloudConnectorConfigWatcher`: what `sandbox expose`, `unexpose` and `exposed` use to change a
 * sandbox folder's `cloud-connector.json` and learn whether a running sandbox took the change. No connection to
 * the sandbox is needed: the file is the interface, and the sandbox's state file the acknowledgement.
 */

/** The folder's configuration: the file's, or the built-in one when there is no file yet (a sandbox never started). */
export async function readConfigFile(directory: string): Promise<{ file: CloudConnectorFile; exists: boolean }> {
  let text: string;
  try {
    text = await readFile(join(directory, CONFIG_FILE_NAME), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { file: defaultCloudConnectorFile(), exists: false };
    throw error;
  }
  return { file: parseCloudConnectorFile(text), exists: true };
}

/** Replaces the file atomically (a rename, so the sandbox never reads half of it); returns the hash of its bytes. */
export async function writeConfigFile(directory: string, file: CloudConnectorFile): Promise<string> {
  const text = formatCloudConnectorFile(file);
  const path = join(directory, CONFIG_FILE_NAME);
  await mkdir(directory, { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, text, { mode: 0o600 });
  await rename(temporary, path);
  return sha256Of(text);
}

/** The running sandbox's last word on the file, or undefined when no sandbox runs on this folder. */
export async function readConfigState(directory: string): Promise<ConfigState | undefined> {
  let state: ConfigState;
  try {
    state = JSON.parse(await readFile(join(directory, CONFIG_STATE_FILE_NAME), 'utf8')) as ConfigState;
  } catch {
    return undefined;
  }
  return processAlive(state.pid) ? state : undefined;
}

export type Acknowledgement =
  | { readonly kind: 'applied'; readonly state: ConfigState }
  | { readonly kind: 'rejected'; readonly state: ConfigState }
  | { readonly kind: 'not-running' }
  | { readonly kind: 'no-answer' };

/**
 * Waits until a running sandbox has read the file version with hash `sha256`: `applied` or `rejected`.
 * `not-running` when no live sandbox owns the folder (the change applies at its next start); `no-answer` when one
 * runs but did not read it within `timeoutMs` (it may follow no changes, e.g. a file system without events).
 */
export async function waitForAcknowledgement(directory: string, sha256: string, timeoutMs = 10_000): Promise<Acknowledgement> {
  const first = await readConfigState(directory);
  if (!first) return { kind: 'not-running' };
  if (first.sha256 === sha256) return { kind: first.status, state: first };
  return new Promise<Acknowledgement>((resolve) => {
    let done = false;
    const finish = (result: Acknowledgement) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      watcher.close();
      resolve(result);
    };
    const look = async () => {
      const state = await readConfigState(directory);
      if (!state) finish({ kind: 'not-running' });
      else if (state.sha256 === sha256) finish({ kind: state.status, state });
    };
    const watcher = watch(directory, (_event, name) => {
      if (name === null || name === CONFIG_STATE_FILE_NAME) void look();
    });
    const timer = setTimeout(() => finish({ kind: 'no-answer' }), timeoutMs);
    // The state may have changed between the first reading and the watch.
    void look();
  });
}

function processAlive(pid: unknown): boolean {
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Parses `host:port` (a virtual or internal address) for the commands; `what` names the argument in errors. */
export function parseHostPort(text: string, what: string): { host: string; port: number } {
  const match = /^(.+):(\d+)$/.exec(text.trim());
  const port = match ? Number(match[2]) : Number.NaN;
  if (!match || !Number.isInteger(port) || port < 1 || port > 65_535) throw new ConfigError(what, `must be <host>:<port> with a port 1–65535, not "${text}"`);
  return { host: (match[1] as string).replace(/^\[(.*)\]$/, '$1'), port };
}

/** What a check can know of a sandbox's access control for one virtual host and port (see `CheckOptions.accessControl`). */
export type KnownAccess = { readonly mapped: false } | { readonly mapped: true; readonly exposed: readonly string[] };

/**
 * The access control of the sandbox running on `directory` if `destinationServiceUri` is its Destination service
 * (the state file names it), else undefined: a check of a sandbox destination can then list the exposed paths.
 */
export async function sandboxAccessControl(
  directory: string,
  destinationServiceUri: string,
): Promise<((virtualHost: string, virtualPort: number, locationId: string | undefined) => KnownAccess) | undefined> {
  const state = await readConfigState(directory);
  if (!state?.destinationServiceUrl || originOf(state.destinationServiceUrl) !== originOf(destinationServiceUri)) return undefined;
  return (virtualHost, virtualPort, locationId) => accessFor(state.config, virtualHost, virtualPort, locationId);
}

export function accessFor(config: CloudConnectorFile, virtualHost: string, virtualPort: number, locationId: string | undefined): KnownAccess {
  const entry = config.connectors.find((item) => item.locationId === (locationId ?? ''));
  const mapping = entry?.mappings.find((item) => item.virtualHost.toLowerCase() === virtualHost.toLowerCase() && item.virtualPort === virtualPort);
  if (!mapping || (mapping.protocol !== 'HTTP' && mapping.protocol !== 'HTTPS')) return { mapped: false };
  return {
    mapped: true,
    exposed: (mapping.resources ?? [])
      .filter((resource) => resource.enabled === true)
      .map((resource) => (resource.exactMatchOnly === true ? resource.id : `${resource.id} and below`)),
  };
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

/** Adds or replaces (same virtual host and port) the mapping at the location; a new location gets a connector. */
export function withMapping(file: CloudConnectorFile, locationId: string, mapping: MappingEntry): CloudConnectorFile {
  const key = `${mapping.virtualHost.toLowerCase()}:${mapping.virtualPort}`;
  const replace = (mappings: readonly MappingEntry[]) => {
    const index = mappings.findIndex((item) => `${item.virtualHost.toLowerCase()}:${item.virtualPort}` === key);
    return index < 0 ? [...mappings, mapping] : mappings.map((item, at) => (at === index ? mapping : item));
  };
  if (!file.connectors.some((entry) => entry.locationId === locationId)) return { connectors: [...file.connectors, { locationId, mappings: [mapping] }] };
  return { connectors: file.connectors.map((entry) => (entry.locationId === locationId ? { ...entry, mappings: replace(entry.mappings) } : entry)) };
}
