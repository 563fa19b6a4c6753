import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BtpError, ErrorCode } from '../errors';
import { isPlainObject } from './issues';
import { parseJson } from './json';
import { kindFromLabelOrTags, mergeMeta } from './meta';
import { parseCredentials } from './parseCredentials';
import { readTextFile } from './serviceKeyFile';
import type { BindingMeta, ServiceBinding, ServiceKind } from './types';

/**
 * Bindings under SERVICE_BINDING_ROOT (servicebinding.io layout as the SAP BTP service operator writes it):
 * one directory per binding, one file per credential, plus `type`/`label`/`tags`/`plan`/`instance_*` files and
 * an optional `.metadata` JSON telling which files are credentials and which hold JSON. A directory may also
 * hold one JSON file with everything (secretRootKey) or the credentials as one JSON file (secretKey).
 * Hidden entries (Kubernetes' `..data` and `..<timestamp>` directories) are ignored; the visible names are
 * followed, symlinks included. Bindings of other services are skipped.
 */
export async function bindingsFromServiceBindingRoot(root: string): Promise<ServiceBinding[]> {
  const names = (await listDir(root, 'SERVICE_BINDING_ROOT directory')).filter((name) => !name.startsWith('.')).sort();
  const bindings: ServiceBinding[] = [];
  for (const name of names) {
    const dir = join(root, name);
    if (!(await isKind(dir, 'directory'))) continue;
    const binding = await readBindingDir(dir, name);
    if (binding !== undefined) bindings.push(binding);
  }
  return bindings;
}

/** Files that describe the binding rather than hold credentials, when there is no `.metadata`. */
function isMetadataFile(name: string): boolean {
  return ['type', 'label', 'provider', 'tags', 'plan'].includes(name) || name.startsWith('instance_');
}

interface Property {
  readonly name: string;
  readonly format: 'text' | 'json';
  readonly container: boolean;
}

async function readBindingDir(dir: string, name: string): Promise<ServiceBinding | undefined> {
  return bindingFromFiles(await readVisibleFiles(dir), name, { source: `service binding directory "${dir}"`, file: (file) => `File "${join(dir, file)}"` });
}

/** How messages name the binding and one of its files. */
export interface FilesOrigin {
  readonly source: string;
  readonly file: (name: string) => string;
}

/**
 * One binding from its files (name → content), as a binding directory or a Kubernetes Secret's `data` holds
 * them. `source` names where they came from in messages; undefined when the files describe another service.
 */
export function bindingFromFiles(files: Map<string, string>, name: string, origin: FilesOrigin, expected?: ServiceKind): ServiceBinding | undefined {
  const metadataText = files.get('.metadata');
  files.delete('.metadata');
  let credentials: Record<string, unknown> = {};
  let described: Record<string, unknown> = {};
  const metadata = metadataText === undefined ? undefined : parseJson(metadataText, { subject: origin.file('.metadata'), hint: METADATA_HINT });
  if (isPlainObject(metadata) && Array.isArray(metadata.credentialProperties)) {
    credentials = readProperties(origin, files, properties(metadata.credentialProperties));
    described = readProperties(origin, files, properties(metadata.metaDataProperties ?? metadata.metadataProperties));
  } else {
    for (const [file, text] of files) {
      if (isMetadataFile(file)) described[file] = file === 'tags' ? tagsFromText(text) : stripNewline(text);
      else credentials[file] = stripNewline(text);
    }
    const single = singleJsonObject(credentials);
    if (single !== undefined) ({ credentials, described } = splitRootKey(single, described));
  }
  const meta = metaFrom(name, described);
  const type = typeof described.type === 'string' ? described.type : undefined;
  const kind = kindFromLabelOrTags(type, undefined) ?? kindFromLabelOrTags(meta?.label, meta?.tags) ?? expected;
  if (kind === undefined) return undefined;
  return parseCredentials(credentials, { expected: kind, source: origin.source, meta });
}

const METADATA_HINT = 'A .metadata file is JSON like {"credentialProperties": [{"name": "clientid", "format": "text"}]}.';

function properties(value: unknown): Property[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter(isPlainObject)
    .flatMap((item) =>
      typeof item.name === 'string' ? [{ name: item.name, format: item.format === 'json' ? 'json' : 'text', container: item.container === true } as const] : [],
    );
}

/** Values of the listed files; a `container` JSON file contributes its properties instead of itself. */
function readProperties(origin: FilesOrigin, files: ReadonlyMap<string, string>, props: readonly Property[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const prop of props) {
    const text = files.get(prop.name);
    if (text === undefined) continue;
    // With .metadata the operator wrote the exact value: text is kept byte for byte.
    const value = prop.format === 'json' ? parseJson(text, { subject: origin.file(prop.name), hint: 'Its .metadata says it holds JSON.' }) : text;
    if (prop.container && isPlainObject(value)) Object.assign(out, value);
    else out[prop.name] = value;
  }
  return out;
}

/** When the only credential file holds a JSON object (secretRootKey / secretKey style), that object. */
function singleJsonObject(credentials: Record<string, unknown>): Record<string, unknown> | undefined {
  const values = Object.values(credentials);
  if (values.length !== 1 || typeof values[0] !== 'string' || !values[0].trimStart().startsWith('{')) return undefined;
  try {
    const parsed: unknown = JSON.parse(values[0]);
    return isPlainObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Splits a secretRootKey object into credentials and metadata; unwraps a nested `{"credentials": "{...}"}`. */
function splitRootKey(
  all: Record<string, unknown>,
  described: Record<string, unknown>,
): {
  credentials: Record<string, unknown>;
  described: Record<string, unknown>;
} {
  const credentials: Record<string, unknown> = {};
  const meta: Record<string, unknown> = { ...described };
  for (const [name, value] of Object.entries(all)) {
    if (isMetadataFile(name)) meta[name] = name === 'tags' && typeof value === 'string' ? tagsFromText(value) : value;
    else credentials[name] = value;
  }
  const nested = credentials.clientid === undefined ? (singleJsonObject(credentials) ?? onlyObject(credentials)) : undefined;
  return { credentials: nested ?? credentials, described: meta };
}

function onlyObject(record: Record<string, unknown>): Record<string, unknown> | undefined {
  const values = Object.values(record);
  return values.length === 1 && isPlainObject(values[0]) ? values[0] : undefined;
}

function metaFrom(name: string, described: Record<string, unknown>): BindingMeta | undefined {
  const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
  const tags = Array.isArray(described.tags)
    ? described.tags.filter((tag): tag is string => typeof tag === 'string')
    : typeof described.tags === 'string'
      ? tagsFromText(described.tags)
      : undefined;
  return mergeMeta({
    name,
    instanceName: text(described.instance_name),
    label: text(described.label) ?? text(described.type),
    plan: text(described.plan),
    tags,
  });
}

/** `["a","b"]` (operator) or `a,b` (hand-made). */
function tagsFromText(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (Array.isArray(parsed)) return parsed.filter((tag): tag is string => typeof tag === 'string');
    } catch {
      // fall through to the comma list
    }
  }
  return trimmed
    .split(',')
    .map((tag) => tag.trim())
    .filter((tag) => tag !== '');
}

/** Kubernetes writes each secret value as the whole file; a hand-made file often ends in one newline. */
function stripNewline(text: string): string {
  return text.replace(/\r?\n$/, '');
}

async function readVisibleFiles(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const names = (await listDir(dir, 'Service binding directory')).sort();
  for (const name of names) {
    if (name.startsWith('.') && name !== '.metadata') continue;
    const path = join(dir, name);
    if (await isKind(path, 'file')) files.set(name, await readTextFile(path, 'Service binding file'));
  }
  return files;
}

async function listDir(dir: string, what: string): Promise<string[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'ENOENT') {
      throw new BtpError(ErrorCode.BindingNotFound, `${what} "${dir}" does not exist. Check the path.`, { details: { path: dir } });
    }
    const reason = code === 'ENOTDIR' ? 'is not a directory' : `cannot be read (${code ?? String(error)})`;
    throw new BtpError(ErrorCode.BindingInvalid, `${what} "${dir}" ${reason}.`, { cause: error, details: { path: dir } });
  }
  return entries.map((entry) => entry.name);
}

/** Follows symlinks; a dangling link counts as neither. */
async function isKind(path: string, kind: 'file' | 'directory'): Promise<boolean> {
  try {
    const info = await stat(path);
    return kind === 'file' ? info.isFile() : info.isDirectory();
  } catch {
    return false;
  }
}
