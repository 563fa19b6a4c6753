import { resolve } from 'node:path';
import { loadBindingsFromEnv } from '../core/bindings/env';
import { selectBinding } from '../core/bindings/select';
import { parseServiceKeyText } from '../core/bindings/serviceKeyText';
import { readServiceKeyFile } from '../core/bindings/serviceKeyFile';
import type { ConnectivityBinding, DestinationBinding, XsuaaBinding } from '../core/bindings/types';
import { defaultConfigDirectory } from '../core/connections/configDirectory';
import { ConnectionStore } from '../core/connections/connectionStore';
import { DestinationServiceClient } from '../core/destinationService/client';
import { BtpError, ErrorCode } from '../core/errors';
import { HttpAgents } from '../core/http/agents';
import { warmConnection } from '../core/http/outbound';
import { keepTokensIn, type TokenKeeping } from '../core/oauth/keptTokens';
import type { SavedTunnelMode } from '../core/connections/savedTunnel';
import { parseSubscriberTenant, type SubscriberTenant } from '../core/connections/subscriberTenant';
import type { CliIo } from './io';
import { connectionChoice } from './connectionChoice';
import { takeEarlyConnection } from './earlyConnection';
import { cliNetwork } from './network';

/** How a command reaches a Destination service: a saved connection, a key file, or the app's own bindings. */
export interface ConnectionArgs {
  readonly connection?: string;
  readonly key?: string;
  readonly vcap?: boolean;
  readonly ca?: string;
  readonly 'no-system-ca'?: boolean;
  /** With --key: the connectivity service key for OnPremise destinations. */
  readonly 'connectivity-key'?: string;
  /** `forward`/`check` --tenant: act for this subscriber tenant instead of the connection's own choice. */
  readonly tenant?: string;
}

export interface OpenClient {
  readonly client: DestinationServiceClient;
  readonly binding: DestinationBinding;
  /** The saved connection in use, if the bindings came from one (its signed-in user goes with it). */
  readonly connection?: string;
  readonly agents: HttpAgents;
  /** The connectivity binding of the connection, when it has one (OnPremise forwards need it). */
  readonly connectivity?: ConnectivityBinding;
  /** The xsuaa binding the connection's user signs in with, when it has one (refreshes the user's token). */
  readonly login?: XsuaaBinding;
  /** Says where the binding came from, for messages: `connection "dev"`, `key .sandbox/...`. */
  readonly source: string;
  /** The tunnel `tunnel setup` saved for the connection; forward and check use it unless --tunnel says otherwise. */
  readonly savedTunnel?: SavedTunnelMode;
  /** The subscriber tenant `client` acts for (--tenant, else the one saved with the connection); none: the provider. */
  readonly tenant?: SubscriberTenant;
  /** Where a saved connection's tokens outlive the command (the client's already do); none for keys and VCAP. */
  readonly keepTokens?: TokenKeeping;
  close(): Promise<void>;
}

interface ResolvedBindings {
  readonly binding: DestinationBinding;
  readonly connection?: string;
  readonly connectivity?: ConnectivityBinding;
  readonly login?: XsuaaBinding;
  readonly source: string;
  readonly savedTunnel?: SavedTunnelMode;
  readonly tenant?: SubscriberTenant;
}

export function connectionStore(io: CliIo): ConnectionStore {
  return new ConnectionStore(io.secretStore(), defaultConfigDirectory(io.env));
}

export async function openClient(args: ConnectionArgs, io: CliIo): Promise<OpenClient> {
  const chosenTenant = args.tenant === undefined ? undefined : parseSubscriberTenant(args.tenant);
  const agents = new HttpAgents({ network: await cliNetwork(args, io) });
  let resolved: ResolvedBindings;
  try {
    resolved = await resolveBindings(args, io, (uri) => {
      const url = new URL(uri);
      warmConnection(agents.default, url, takeEarlyConnection(url));
    });
  } catch (error) {
    await agents.close();
    throw error;
  }
  const { binding, connectivity, login, source, connection, savedTunnel } = resolved;
  // --tenant wins over the tenant saved with the connection, for this command only.
  const tenant = chosenTenant ?? resolved.tenant;
  // A saved connection keeps its tokens beside its secret, so the next command need not fetch one (issue 18).
  const keepTokens = connection ? keepTokensIn(io.secretStore(), connection) : undefined;
  return {
    client: new DestinationServiceClient({
      binding,
      agents,
      ...(tenant ? { tenant } : {}),
      ...(keepTokens ? { keeper: keepTokens.forPart('destination', binding) } : {}),
    }),
    ...(keepTokens ? { keepTokens } : {}),
    ...(tenant ? { tenant } : {}),
    binding,
    ...(connection ? { connection } : {}),
    agents,
    ...(connectivity ? { connectivity } : {}),
    ...(login ? { login } : {}),
    ...(savedTunnel ? { savedTunnel } : {}),
    source,
    // The tokens it kept are written before the command ends.
    close: async () => {
      await agents.close();
      await keepTokens?.written();
    },
  };
}

/** Runs `work` with a client for the command's connection options and closes its connections afterwards. */
export async function withClient<T>(args: ConnectionArgs, io: CliIo, work: (opened: OpenClient) => Promise<T>): Promise<T> {
  const opened = await openClient(args, io);
  try {
    return await work(opened);
  } finally {
    await opened.close();
  }
}

/** Opens a connection to the Destination service at `uri` ahead of the first request (`warmConnection`). */
type Warm = (uri: string) => void;

async function resolveBindings(args: ConnectionArgs, io: CliIo, warm: Warm): Promise<ResolvedBindings> {
  const chosen = [args.connection, args.key, args.vcap ? 'vcap' : undefined].filter((value) => value !== undefined);
  if (chosen.length > 1) {
    throw new BtpError(ErrorCode.InvalidInput, 'Use only one of --connection, --key and --vcap.', { field: 'connection' });
  }
  if (args['connectivity-key'] && !args.key) {
    throw new BtpError(ErrorCode.InvalidInput, '--connectivity-key goes with --key; saved connections and VCAP_SERVICES bring their own.', {
      field: 'connectivity-key',
    });
  }
  const choice = connectionChoice(args, io.env);
  if (choice.from === 'key' && args.key) {
    const binding =
      args.key === '-'
        ? (parseServiceKeyText(await io.readStdin(), { expected: 'destination', source: 'standard input' }) as DestinationBinding)
        : ((await readServiceKeyFile(resolve(io.cwd, args.key), { expected: 'destination' })) as DestinationBinding);
    const connectivityKey = args['connectivity-key'];
    const connectivity = connectivityKey
      ? ((await readServiceKeyFile(resolve(io.cwd, connectivityKey), { expected: 'connectivity' })) as ConnectivityBinding)
      : undefined;
    return { binding, ...(connectivity ? { connectivity } : {}), source: args.key === '-' ? 'standard input' : `key ${args.key}` };
  }
  if (choice.from === 'environment') return fromEnvironment(io);
  if (choice.from === 'saved') return fromConnection(choice.name, io, warm);
  const saved = await connectionStore(io).list();
  if (saved.length === 1 && saved[0]) return fromConnection(saved[0].name, io, warm);
  throw new BtpError(
    ErrorCode.ConnectionNotFound,
    saved.length === 0
      ? `No connection to use. Pass --key <destination service key file>, or save one with \`${io.invocation} connect <name> --key <file>\`.`
      : `Several connections are saved (${saved.map((summary) => summary.name).join(', ')}): choose one with --connection <name> or BTP_CONNECT_CONNECTION.`,
    { field: 'connection' },
  );
}

async function fromConnection(name: string, io: CliIo, warm: Warm): Promise<ResolvedBindings> {
  const store = connectionStore(io);
  // The Destination service's handshake runs while the keychain is read (on Linux a D-Bus call of ~9 ms per secret,
  // one at a time): its URL is in connections.json. Nothing is sent on the connection before a request.
  const uri = (await store.list()).find((summary) => summary.name === name)?.destinationServiceUrl;
  if (uri && URL.canParse(uri)) warm(uri);
  // Keychain and file reads that do not depend on each other.
  const [bindings, tunnel, tenant] = await Promise.all([store.load(name), store.tunnel(name), store.tenant(name)]);
  const savedTunnel = tunnel?.mode;
  return {
    ...(tenant ? { tenant } : {}),
    binding: bindings.destination,
    connection: name,
    ...(bindings.connectivity ? { connectivity: bindings.connectivity } : {}),
    ...(bindings.login ? { login: bindings.login } : {}),
    ...(savedTunnel ? { savedTunnel } : {}),
    source: `connection "${name}"`,
  };
}

/** The saved connection a command works on: --connection, else $BTP_CONNECT_CONNECTION, else the only saved one. */
export async function savedConnectionName(name: string | undefined, io: CliIo): Promise<string> {
  const chosen = name ?? io.env.BTP_CONNECT_CONNECTION;
  if (chosen) return chosen;
  const saved = await connectionStore(io).list();
  if (saved.length === 1 && saved[0]) return saved[0].name;
  throw new BtpError(
    ErrorCode.ConnectionNotFound,
    saved.length === 0
      ? `No saved connection: a tunnel belongs to one. Save one first with \`${io.invocation} connect <name> --key <file>\`.`
      : `Several connections are saved (${saved.map((summary) => summary.name).join(', ')}): choose one with --connection <name> or BTP_CONNECT_CONNECTION.`,
    { field: 'connection' },
  );
}

async function fromEnvironment(io: CliIo): Promise<ResolvedBindings> {
  const bindings = await loadBindingsFromEnv(io.env);
  const where = 'VCAP_SERVICES / SERVICE_BINDING_ROOT';
  const connectivity = bindings.some((binding) => binding.kind === 'connectivity') ? selectBinding(bindings, 'connectivity', undefined, where) : undefined;
  return { binding: selectBinding(bindings, 'destination', undefined, where), ...(connectivity ? { connectivity } : {}), source: 'VCAP_SERVICES' };
}
