import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCredentials } from '../bindings/parseCredentials';
import { SECRET_CREDENTIAL_FIELDS, type ConnectivityBinding, type DestinationBinding, type ServiceKind, type XsuaaBinding } from '../bindings/types';
import { BtpError, ErrorCode } from '../errors';
import { AtomicJsonFile } from '../fs/atomicJsonFile';
import { readListFile } from '../fs/listFile';
import { connectionSecretKey, keptTokensKey, USER_TOKEN_FIELDS, userSecretKey, type ConnectionPart, type SecretKey } from '../secrets/secretKeys';
import type { SecretStore } from '../secrets/secretStore';
import { defaultConfigDirectory } from './configDirectory';
import { readSavedTunnel, type SavedTunnel } from './savedTunnel';
import { readSubscriberTenant, sameTenant, type SubscriberTenant } from './subscriberTenant';

/** The bindings one connection (a subaccount, or the sandbox) is made of. */
export interface ConnectionBindings {
  readonly destination: DestinationBinding;
  readonly connectivity?: ConnectivityBinding;
  /**
   * The xsuaa binding of the user's own application, whose client signs users in through the browser: XSUAA
   * redirects a browser only to the `redirect-uris` of a client, and the Destination service instance's client
   * has none the user could set.
   */
  readonly login?: XsuaaBinding;
}

/** The parts of a connection, each stored with its own secrets. */
const PARTS: readonly ConnectionPart[] = ['destination', 'connectivity', 'login'];
/** The service a part's key is for. */
const PART_KIND: Readonly<Record<ConnectionPart, ServiceKind>> = { destination: 'destination', connectivity: 'connectivity', login: 'xsuaa' };

export interface ConnectionSummary {
  readonly name: string;
  readonly createdAt: string;
  readonly destinationServiceUrl: string;
  readonly subaccount?: string;
  readonly hasConnectivity: boolean;
  /** Whether the connection has an xsuaa key to sign users in with. */
  readonly hasLogin: boolean;
  /** The subscriber tenant the connection acts for; none: its own (provider) subaccount. */
  readonly tenant?: SubscriberTenant;
}

interface StoredConnection {
  name: string;
  createdAt: string;
  bindings: Partial<Record<ConnectionPart, StoredBinding>>;
  /** Written by `tunnel setup`; never holds a secret. */
  tunnel?: SavedTunnel;
  /** The subscriber tenant it acts for (`setTenant`); absent: the provider. */
  tenant?: SubscriberTenant;
}

interface StoredBinding {
  /** Which secret field must exist: `clientsecret` for secret keys, `key` for X.509 keys. */
  auth: 'secret' | 'x509';
  /** Credentials without their secret fields; those are in the secret store under `connectionSecretKey(...)`. */
  credentials: Record<string, unknown>;
  /**
   * The secret fields the secret store holds for it. Each keychain read is a D-Bus call on Linux (~9 ms, one at a
   * time): a command reads only these. Absent in files written before it existed: every secret field is looked for.
   */
  secretFields?: SecretField[];
}

type SecretField = (typeof SECRET_CREDENTIAL_FIELDS)[number];

interface ConnectionsFile {
  version: 1;
  connections: StoredConnection[];
}

const namePattern = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * Saved connections: non-secret binding fields in `connections.json`, secret fields (`clientsecret`, `key`)
 * in the secret store. Adding writes the secrets first and the file last, and undoes the secrets if the file
 * cannot be written; removing deletes the secrets with the entry. Nothing half-written survives a failure.
 */
export class ConnectionStore {
  private readonly file: AtomicJsonFile;

  constructor(
    private readonly secrets: SecretStore,
    readonly directory = defaultConfigDirectory(),
  ) {
    this.file = new AtomicJsonFile(join(directory, 'connections.json'));
  }

  /** Where this store keeps secrets; a connection's signed-in user keeps its tokens there too. */
  get secretStore(): SecretStore {
    return this.secrets;
  }

  async list(): Promise<ConnectionSummary[]> {
    const data = await this.read();
    return data.connections.map((connection) => {
      const tenant = readSubscriberTenant(connection.tenant);
      return {
        name: connection.name,
        createdAt: connection.createdAt,
        destinationServiceUrl: String(connection.bindings.destination?.credentials.uri ?? ''),
        ...subaccountOf(connection.bindings.destination?.credentials),
        hasConnectivity: connection.bindings.connectivity !== undefined,
        hasLogin: connection.bindings.login !== undefined,
        ...(tenant ? { tenant } : {}),
      };
    });
  }

  async add(name: string, bindings: ConnectionBindings, options: { replace?: boolean } = {}): Promise<void> {
    if (!namePattern.test(name)) {
      throw new BtpError(ErrorCode.InvalidInput, `Connection name "${name}" is not valid: use 1 to 64 letters, digits, ".", "_" or "-".`, { field: 'name' });
    }
    const data = await this.read();
    const existing = data.connections.find((connection) => connection.name === name);
    if (existing && !options.replace) {
      throw new BtpError(ErrorCode.AlreadyExists, `A connection named "${name}" exists already; remove it first or choose another name.`, { field: 'name' });
    }
    // A connection connected again with new keys keeps its tunnel and tenant: the app, cluster or subscriber did not change.
    const stored: StoredConnection = {
      name,
      createdAt: new Date().toISOString(),
      bindings: {},
      ...(existing?.tunnel ? { tunnel: existing.tunnel } : {}),
      ...(existing?.tenant ? { tenant: existing.tenant } : {}),
    };
    const written: SecretKey[] = [];
    try {
      for (const part of PARTS) {
        const binding = bindings[part];
        if (!binding) continue;
        stored.bindings[part] = await this.storeSecrets(name, part, binding, written);
      }
      const others = data.connections.filter((connection) => connection.name !== name);
      await this.write({ version: 1, connections: [...others, stored].sort((a, b) => a.name.localeCompare(b.name)) });
    } catch (error) {
      // Keep the old connection's secrets when replacing: only roll back keys it did not have.
      if (!existing) await Promise.allSettled(written.map((key) => this.secrets.delete(key)));
      throw error;
    }
    if (existing) {
      for (const part of PARTS) {
        const binding = bindings[part];
        if (existing.bindings[part] && !binding) await this.deleteSecrets(name, part);
        else if (binding) await this.deleteSecretsLacking(name, part, binding);
      }
    }
    // Tokens of earlier keys (replaced, or of a connection of this name removed while a process still wrote): never
    // taken for these keys (see KeptTokens), so not kept either.
    await this.secrets.delete(keptTokensKey(name));
  }

  /**
   * Sets (or, with undefined, removes) the xsuaa binding a saved connection signs users in with; the rest of the
   * connection stays. The secret goes to the secret store first; if the file cannot be written the previous
   * secret is put back. A user signed in with another client is signed out: a refresh token works only with the
   * client it was issued to.
   */
  async setLogin(name: string, login: XsuaaBinding | undefined): Promise<void> {
    const data = await this.read();
    const connection = data.connections.find((candidate) => candidate.name === name);
    if (!connection)
      throw this.notFound(
        name,
        (await this.list()).map((summary) => summary.name),
      );
    const previousClient = connection.bindings.login?.credentials.clientid;
    const signOut = async () => {
      if (previousClient === login?.clientId) return;
      for (const field of USER_TOKEN_FIELDS) await this.secrets.delete(userSecretKey(name, field));
    };
    if (!login) {
      delete connection.bindings.login;
      await this.write(data);
      await this.deleteSecrets(name, 'login');
      await signOut();
      return;
    }
    const previous = new Map<string, string | undefined>();
    for (const field of SECRET_CREDENTIAL_FIELDS) previous.set(field, await this.secrets.get(connectionSecretKey(name, 'login', field)));
    try {
      connection.bindings.login = await this.storeSecrets(name, 'login', login, []);
      await this.deleteSecretsLacking(name, 'login', login);
      await this.write(data);
    } catch (error) {
      for (const [field, value] of previous) {
        const key = connectionSecretKey(name, 'login', field);
        await (value === undefined ? this.secrets.delete(key) : this.secrets.set(key, value)).catch(() => undefined);
      }
      throw error;
    }
    await signOut();
  }

  async load(name: string): Promise<ConnectionBindings> {
    const connection = (await this.read()).connections.find((candidate) => candidate.name === name);
    if (!connection)
      throw this.notFound(
        name,
        (await this.list()).map((summary) => summary.name),
      );
    // The keychain reads of the parts do not depend on each other (each is a D-Bus or OS call): all at once, and the
    // first failure in part order is the one reported, as when they ran one after another.
    const parts = await Promise.allSettled([
      this.rehydrate(connection, 'destination'),
      connection.bindings.connectivity ? this.rehydrate(connection, 'connectivity') : undefined,
      connection.bindings.login ? this.rehydrate(connection, 'login') : undefined,
    ]);
    const failed = parts.find((part) => part.status === 'rejected');
    if (failed) throw failed.reason;
    const [destination, connectivity, login] = parts.map((part) => (part.status === 'fulfilled' ? part.value : undefined));
    return {
      destination: destination as DestinationBinding,
      ...(connectivity ? { connectivity: connectivity as ConnectivityBinding } : {}),
      ...(login ? { login: login as XsuaaBinding } : {}),
    };
  }

  /** The tunnel `tunnel setup` saved for the connection, if any. */
  async tunnel(name: string): Promise<SavedTunnel | undefined> {
    const connection = (await this.read()).connections.find((candidate) => candidate.name === name);
    return readSavedTunnel(connection?.tunnel);
  }

  /** Saves (or, with undefined, forgets) the connection's tunnel; the connection must exist. */
  async setTunnel(name: string, tunnel: SavedTunnel | undefined): Promise<void> {
    const data = await this.read();
    const connection = data.connections.find((candidate) => candidate.name === name);
    if (!connection) {
      throw new BtpError(
        ErrorCode.ConnectionNotFound,
        `There is no connection named "${name}" to save a tunnel for. Add one with \`btp-connect connect ${name} --key <file>\`.`,
        { field: 'connection' },
      );
    }
    const { tunnel: _previous, ...rest } = connection;
    const updated: StoredConnection = tunnel ? { ...rest, tunnel } : rest;
    await this.write({ version: 1, connections: data.connections.map((candidate) => (candidate === connection ? updated : candidate)) });
  }

  /** The subscriber tenant the connection acts for; undefined: the provider (its own subaccount). */
  async tenant(name: string): Promise<SubscriberTenant | undefined> {
    const connection = (await this.read()).connections.find((candidate) => candidate.name === name);
    return readSubscriberTenant(connection?.tenant);
  }

  /**
   * Makes the connection act for a subscriber tenant (or, with undefined, for the provider again). A user signed in
   * is signed out when the tenant changes: their tokens belong to the other tenant's zone.
   */
  async setTenant(name: string, tenant: SubscriberTenant | undefined): Promise<void> {
    const data = await this.read();
    const connection = data.connections.find((candidate) => candidate.name === name);
    if (!connection)
      throw this.notFound(
        name,
        data.connections.map((candidate) => candidate.name),
      );
    const previous = readSubscriberTenant(connection.tenant);
    if (tenant) connection.tenant = tenant.subdomain !== undefined ? { subdomain: tenant.subdomain } : { zid: tenant.zid };
    else delete connection.tenant;
    await this.write(data);
    if (!sameTenant(previous, tenant)) for (const field of USER_TOKEN_FIELDS) await this.secrets.delete(userSecretKey(name, field));
  }

  async remove(name: string): Promise<boolean> {
    const data = await this.read();
    const connection = data.connections.find((candidate) => candidate.name === name);
    if (!connection) return false;
    // Secrets go first: a connection entry without secrets is reported clearly, a secret without an entry is
    // an invisible leftover.
    for (const part of PARTS) await this.deleteSecrets(name, part);
    for (const field of USER_TOKEN_FIELDS) await this.secrets.delete(userSecretKey(name, field));
    await this.secrets.delete(keptTokensKey(name));
    await this.write({ version: 1, connections: data.connections.filter((candidate) => candidate.name !== name) });
    return true;
  }

  /** Writes the binding's secret fields to the secret store (recording their keys) and returns the rest. */
  private async storeSecrets(
    name: string,
    part: ConnectionPart,
    binding: NonNullable<ConnectionBindings[ConnectionPart]>,
    written: SecretKey[],
  ): Promise<StoredBinding> {
    const publicPart: Record<string, unknown> = { ...binding.credentials };
    const secretFields: SecretField[] = [];
    for (const field of SECRET_CREDENTIAL_FIELDS) {
      const value = binding.credentials[field];
      if (typeof value !== 'string') continue;
      const key = connectionSecretKey(name, part, field);
      await this.secrets.set(key, value);
      written.push(key);
      secretFields.push(field);
      delete publicPart[field];
    }
    return { auth: binding.auth.kind, credentials: publicPart, secretFields };
  }

  private async rehydrate(connection: StoredConnection, part: ConnectionPart) {
    const stored = connection.bindings[part];
    const credentials: Record<string, unknown> = { ...stored?.credentials };
    const authKind = stored?.auth === 'x509' ? 'key' : 'clientsecret';
    const recorded = Array.isArray(stored?.secretFields) ? SECRET_CREDENTIAL_FIELDS.filter((field) => stored.secretFields?.includes(field)) : undefined;
    // The auth kind's field is always read: a record without it cannot be right, and its absence must be reported.
    const fields = recorded ? [...new Set([authKind, ...recorded])] : SECRET_CREDENTIAL_FIELDS;
    const values = await Promise.all(fields.map((field) => this.secrets.get(connectionSecretKey(connection.name, part, field))));
    for (const [index, field] of fields.entries()) {
      const value = values[index];
      if (value !== undefined) credentials[field] = value;
      else if (field === authKind) {
        const what = part === 'login' ? 'xsuaa (sign-in)' : part;
        const fix =
          part === 'login' ? `add the key again with \`btp-connect login ${connection.name} --login-key <file>\`` : 'connect it again with its service key';
        throw new BtpError(
          ErrorCode.ConnectionNotFound,
          `The ${what} secret of connection "${connection.name}" is missing from the ${this.secrets.description}; ${fix}.`,
          { field },
        );
      }
    }
    return parseCredentials(credentials, { expected: PART_KIND[part], source: `connection "${connection.name}"` });
  }

  /** A secret field the new key lacks (a secret key after an X.509 one, or the reverse) must not linger. */
  private async deleteSecretsLacking(name: string, part: ConnectionPart, binding: NonNullable<ConnectionBindings[ConnectionPart]>): Promise<void> {
    for (const field of SECRET_CREDENTIAL_FIELDS)
      if (typeof binding.credentials[field] !== 'string') await this.secrets.delete(connectionSecretKey(name, part, field));
  }

  private async deleteSecrets(name: string, part: ConnectionPart): Promise<void> {
    for (const field of SECRET_CREDENTIAL_FIELDS) await this.secrets.delete(connectionSecretKey(name, part, field));
  }

  private notFound(name: string, names: readonly string[]): BtpError {
    return new BtpError(
      ErrorCode.ConnectionNotFound,
      `There is no connection named "${name}"${names.length ? ` (known: ${names.join(', ')})` : ''}. Add one with \`btp-connect connect ${name} --key <file>\`.`,
      { field: 'connection' },
    );
  }

  private read(): Promise<ConnectionsFile> {
    return readListFile(this.file, 'connections');
  }

  private async write(data: ConnectionsFile): Promise<void> {
    await mkdir(this.directory, { recursive: true, mode: 0o700 });
    await this.file.write(data);
  }
}

function subaccountOf(credentials: Record<string, unknown> | undefined): { subaccount?: string } {
  const id = credentials?.subaccountid ?? credentials?.tenantid;
  return typeof id === 'string' ? { subaccount: id } : {};
}
