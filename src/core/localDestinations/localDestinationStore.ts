/**
 * Destinations kept on this machine (imported from a default-env.json): non-secret properties in
 * `local-destinations.json` next to connections.json, secret properties in the secret store (the OS keychain).
 * One level only (`subaccount`). Forwards resolve them here, without a Destination service: credentials of
 * NoAuthentication and BasicAuthentication destinations are built locally; other types are refused in
 * `authTokens` the way the service reports a failed token.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { assertValidDestination } from '../destinations/validate';
import { isSecretProperty } from '../destinations/model';
import type { DestinationLevel, DestinationRecord, FindOptions, FindResult, WithEtag } from '../destinationService/types';
import { BtpError, ErrorCode } from '../errors';
import { AtomicJsonFile } from '../fs/atomicJsonFile';
import { readListFile } from '../fs/listFile';
import { localSecretKey } from '../secrets/secretKeys';
import type { SecretStore } from '../secrets/secretStore';

interface StoredDestination {
  properties: Record<string, string>;
  secretNames: string[];
  revision: number;
}

interface LocalDestinationsFile {
  version: 1;
  destinations: StoredDestination[];
}

export const LOCAL_DESTINATIONS_FILE = 'local-destinations.json';

const etagOf = (stored: StoredDestination): string => `"local-${stored.revision}"`;

export class LocalDestinationStore {
  private readonly file: AtomicJsonFile;
  /** Changes run one after another: each reads the file, so two at once would lose one. */
  private changes: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly secrets: SecretStore,
    private readonly directory: string,
  ) {
    this.file = new AtomicJsonFile(join(directory, LOCAL_DESTINATIONS_FILE));
  }

  /** The file with the non-secret properties. */
  get path(): string {
    return this.file.path;
  }

  async names(): Promise<string[]> {
    return (await this.read()).destinations.map((stored) => stored.properties.Name ?? '');
  }

  async list(level: DestinationLevel): Promise<DestinationRecord[]> {
    if (level !== 'subaccount') return [];
    const data = await this.read();
    return Promise.all(data.destinations.map((stored) => this.withSecrets(stored)));
  }

  async get(level: DestinationLevel, name: string): Promise<WithEtag<DestinationRecord>> {
    const stored = this.stored(await this.read(), level, name);
    return { value: await this.withSecrets(stored), etag: etagOf(stored) };
  }

  create(level: DestinationLevel, destination: unknown): Promise<{ etag?: string }> {
    return this.exclusive(() => this.createNow(level, destination));
  }

  private async createNow(level: DestinationLevel, destination: unknown): Promise<{ etag?: string }> {
    const valid = this.validLevel(level, destination);
    const data = await this.read();
    if (data.destinations.some((stored) => stored.properties.Name === valid.Name)) {
      throw new BtpError(ErrorCode.AlreadyExists, `Local destination "${valid.Name ?? ''}" exists already; update it instead, or pick another name.`, {
        field: 'Name',
      });
    }
    return { etag: etagOf(await this.writeWithSecrets(valid, 1, data.destinations)) };
  }

  update(level: DestinationLevel, destination: unknown, options: { etag?: string | undefined } = {}): Promise<{ etag?: string }> {
    return this.exclusive(async () => {
      const valid = this.validLevel(level, destination);
      return this.replace(level, valid.Name ?? '', valid, options);
    });
  }

  renameAndUpdate(level: DestinationLevel, from: string, destination: unknown, options: { etag?: string | undefined } = {}): Promise<{ etag?: string }> {
    return this.exclusive(() => this.renameAndUpdateNow(level, from, destination, options));
  }

  private async renameAndUpdateNow(
    level: DestinationLevel,
    from: string,
    destination: unknown,
    options: { etag?: string | undefined },
  ): Promise<{ etag?: string }> {
    const valid = this.validLevel(level, destination);
    const data = await this.read();
    if (valid.Name !== from && data.destinations.some((stored) => stored.properties.Name === valid.Name)) {
      throw new BtpError(ErrorCode.AlreadyExists, `Local destination "${valid.Name ?? ''}" exists already; pick another name.`, { field: 'Name' });
    }
    return this.replace(level, from, valid, options);
  }

  delete(level: DestinationLevel, name: string, options: { etag?: string | undefined } = {}): Promise<void> {
    return this.exclusive(() => this.deleteNow(level, name, options));
  }

  private async deleteNow(level: DestinationLevel, name: string, options: { etag?: string | undefined }): Promise<void> {
    const data = await this.read();
    const stored = this.stored(data, level, name);
    this.assertUnchanged(stored, options.etag);
    await this.write({ version: 1, destinations: data.destinations.filter((candidate) => candidate !== stored) });
    await this.secrets.delete(localSecretKey(name));
  }

  async listCertificates(): Promise<{ Name: string; Content: string }[]> {
    return [];
  }

  async createCertificate(): Promise<void> {
    throw new BtpError(
      ErrorCode.Unsupported,
      "Local destinations have no certificate store; upload certificates to a subaccount's Destination service instead.",
    );
  }

  /** A find-destination answer computed here: the configuration, and an Authorization header where possible. */
  async find(name: string, options: Pick<FindOptions, 'fragmentName'> = {}): Promise<FindResult | undefined> {
    // Silently ignoring the fragment would forward (or check) something else than what was asked for.
    if (options.fragmentName) {
      throw new BtpError(ErrorCode.Unsupported, "Local destinations have no fragments; use a subaccount's Destination service for fragments.", {
        field: 'fragment',
      });
    }
    const destination = await this.withSecrets(this.stored(await this.read(), 'subaccount', name));
    const authentication = destination.Authentication ?? 'NoAuthentication';
    const base = { owner: { SubaccountId: null, InstanceId: null }, destinationConfiguration: destination, level: 'subaccount' as const };
    if (authentication === 'NoAuthentication') return base;
    if (authentication === 'BasicAuthentication') {
      const value = Buffer.from(`${destination.User ?? ''}:${destination.Password ?? ''}`).toString('base64');
      return { ...base, authTokens: [{ type: 'Basic', value, http_header: { key: 'Authorization', value: `Basic ${value}` } }] };
    }
    return {
      ...base,
      authTokens: [
        {
          type: '',
          value: '',
          error: `Local destinations support NoAuthentication and BasicAuthentication, not ${authentication}; create "${name}" in a subaccount's Destination service instead.`,
        },
      ],
    };
  }

  private exclusive<T>(change: () => Promise<T>): Promise<T> {
    const result = this.changes.then(change);
    this.changes = result.catch(() => undefined);
    return result;
  }

  private async replace(level: DestinationLevel, from: string, valid: DestinationRecord, options: { etag?: string | undefined }): Promise<{ etag?: string }> {
    const data = await this.read();
    const current = this.stored(data, level, from);
    this.assertUnchanged(current, options.etag);
    const others = data.destinations.filter((candidate) => candidate !== current);
    const stored = await this.writeWithSecrets(valid, current.revision + 1, others);
    if (valid.Name !== from) await this.secrets.delete(localSecretKey(from));
    return { etag: etagOf(stored) };
  }

  private validLevel(level: DestinationLevel, destination: unknown): DestinationRecord {
    if (level !== 'subaccount') {
      throw new BtpError(ErrorCode.Unsupported, 'Local destinations have one level only; save them at the subaccount level.', { field: 'level' });
    }
    return assertValidDestination(destination);
  }

  private stored(data: LocalDestinationsFile, level: DestinationLevel, name: string): StoredDestination {
    const stored = level === 'subaccount' ? data.destinations.find((candidate) => candidate.properties.Name === name) : undefined;
    if (!stored) throw new BtpError(ErrorCode.NotFound, `There is no local destination named "${name}"; import it again or create it.`, { field: 'Name' });
    return stored;
  }

  private assertUnchanged(stored: StoredDestination, etag: string | undefined): void {
    if (etag !== undefined && etag !== etagOf(stored)) {
      throw new BtpError(
        ErrorCode.Conflict,
        `Local destination "${stored.properties.Name ?? ''}" was changed since it was read (by another window or the CLI); reload it and apply your change again.`,
        { status: 412 },
      );
    }
  }

  /**
   * Writes the secret part of `destination` to the secret store (one entry per destination), then the file
   * with `others` and it. When the file cannot be written the secret entry is put back as it was, so nothing
   * half-written stays.
   */
  private async writeWithSecrets(destination: DestinationRecord, revision: number, others: readonly StoredDestination[]): Promise<StoredDestination> {
    const properties: Record<string, string> = {};
    const secrets: Record<string, string> = {};
    for (const [name, value] of Object.entries(destination)) (isSecretProperty(name) ? secrets : properties)[name] = value;
    const secretNames = Object.keys(secrets);
    const key = localSecretKey(destination.Name ?? '');
    const previousSecrets = await this.secrets.get(key);
    if (secretNames.length > 0) await this.secrets.set(key, JSON.stringify(secrets));
    else await this.secrets.delete(key);
    const stored: StoredDestination = { properties, secretNames, revision };
    try {
      await this.write({ version: 1, destinations: [...others, stored].sort((a, b) => (a.properties.Name ?? '').localeCompare(b.properties.Name ?? '')) });
    } catch (error) {
      await (previousSecrets === undefined ? this.secrets.delete(key) : this.secrets.set(key, previousSecrets)).catch(() => undefined);
      throw error;
    }
    return stored;
  }

  private async withSecrets(stored: StoredDestination): Promise<DestinationRecord> {
    if (stored.secretNames.length === 0) return { ...stored.properties };
    const name = stored.properties.Name ?? '';
    const text = await this.secrets.get(localSecretKey(name));
    if (text === undefined) {
      throw new BtpError(
        ErrorCode.KeychainUnavailable,
        `The secrets of local destination "${name}" (${stored.secretNames.join(', ')}) are missing from the ${this.secrets.description}; import it again or enter them in the editor.`,
        { field: stored.secretNames[0] ?? 'Password' },
      );
    }
    return { ...stored.properties, ...(JSON.parse(text) as Record<string, string>) };
  }

  private read(): Promise<LocalDestinationsFile> {
    return readListFile(this.file, 'destinations');
  }

  private async write(data: LocalDestinationsFile): Promise<void> {
    await mkdir(this.directory, { recursive: true, mode: 0o700 });
    await this.file.write(data);
  }
}
