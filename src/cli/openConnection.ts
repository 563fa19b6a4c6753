import { defaultConfigDirectory } from '../core/connections/configDirectory';
import type { OriginAllowList } from '../core/forward/allowedOrigins';
import { LocalTokenFile } from '../core/forward/localTokenFile';
import { RecentPathsRecorder } from '../core/forward/recentPaths';
import { requireLocalToken, type LocalTokenMode } from '../core/forward/sharedMachine';
import { tenantClients } from '../core/forward/tenantClients';
import type { Logger } from '../core/log';
import { ConnectionRuntime } from '../core/session/connectionRuntime';
import type { TunnelMode } from '../core/tunnel/types';
import { withClient, type ConnectionArgs, type OpenClient } from './context';
import type { CliIo } from './io';
import { stderrLogger } from './logger';

export interface ConnectionSetup {
  /** --tunnel; undefined: the tunnel `tunnel setup` saved for the connection, else direct. */
  readonly tunnel?: TunnelMode;
  /** Whether HTTP forwards require a local token (forward only; none by default). */
  readonly tokenMode?: LocalTokenMode;
  readonly allowedOrigins?: OriginAllowList;
  readonly verbose?: boolean;
}

export interface OpenConnection {
  readonly runtime: ConnectionRuntime;
  readonly opened: OpenClient;
  readonly logger: Logger;
  /** The local token's file and why it is required, when it is. */
  readonly token?: { readonly file: LocalTokenFile; readonly reason: string };
}

/**
 * Runs `work` on the connection runtime of the command's connection options (its saved user, its saved tunnel
 * unless --tunnel names another, the config folder's recent paths) and closes it all afterwards, in the runtime's
 * order; the local token's file goes with the forwards.
 */
export function withConnection<T>(args: ConnectionArgs, io: CliIo, setup: ConnectionSetup, work: (connection: OpenConnection) => Promise<T>): Promise<T> {
  return withClient(args, io, async (opened) => {
    const logger = stderrLogger(io.stderr, setup.verbose ? 'debug' : 'warn');
    // Only with --verbose: describing the trust reads the OS certificate store, which the forward may never need.
    if (setup.verbose) logger.debug(`network: ${opened.agents.network.describe()}`);
    const directory = defaultConfigDirectory(io.env);
    const decision = setup.tokenMode ? requireLocalToken(setup.tokenMode, { env: io.env }) : undefined;
    const file = decision?.required ? await LocalTokenFile.create(directory) : undefined;
    const recentPaths = new RecentPathsRecorder(directory, { logger });
    const options = {
      agents: opened.agents,
      tunnelMode: setup.tunnel ?? opened.savedTunnel ?? { kind: 'direct' as const },
      logger,
      env: io.env,
      // The signed-in user belongs to a saved connection; a key file or VCAP_SERVICES has none.
      ...(opened.connection ? { userSecrets: io.secretStore() } : {}),
      ...(opened.keepTokens ? { keepTokens: opened.keepTokens } : {}),
      ...(file ? { localToken: file.value } : {}),
      ...(setup.allowedOrigins ? { allowedOrigins: setup.allowedOrigins } : {}),
      recentPaths,
      clientForTenant: tenantClients(opened.binding, opened.agents),
      ...(opened.tenant ? { tenant: opened.tenant } : {}),
    };
    const bindings = {
      destination: opened.binding,
      ...(opened.connectivity ? { connectivity: opened.connectivity } : {}),
      ...(opened.login ? { login: opened.login } : {}),
    };
    let runtime: ConnectionRuntime;
    try {
      runtime = new ConnectionRuntime(ConnectionRuntime.parts(opened.connection ?? opened.source, bindings, options, opened.client), options);
    } catch (error) {
      await file?.remove();
      throw error;
    }
    runtime.adopt(() => recentPaths.dispose());
    runtime.adopt(() => file?.remove());
    try {
      return await work({ runtime, opened, logger, ...(file && decision ? { token: { file, reason: decision.reason } } : {}) });
    } finally {
      await runtime.close();
    }
  });
}
