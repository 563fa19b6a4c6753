/**
 * Adds BTP Connect's environment to launch configurations of the configured debug types (node, java, python…):
 * `destinations` pointing at local forwards (the ones the configuration names are started first; without
 * names, the running ones) and, when asked, a `VCAP_SERVICES` whose connectivity binding points at the local
 * tunnel. Added when the session starts, never written to launch.json.
 * In Restricted Mode a launch configuration is text from a workspace nobody vouched for: it starts no forward and
 * its app gets no destinations (their forwards hold credentials); one that asks for them is refused, saying why.
 */
import * as vscode from 'vscode';
import { BtpError, ErrorCode } from '../../core/errors';
import { connectivityVcapServices } from '../../core/localEnv/connectivityVcap';
import { envDestinations, mergeDestinationsVariable, onePortDestinations, proxyVariables, type OnePortForm } from '../../core/localEnv/destinationsVariable';
import { Setting } from '../base/config';
import type { Ctx } from '../context/ctx';
import { showError } from '../base/notify';
import { forwardsFor, onePortFor } from './forwardsFor';

/** What a launch configuration may say under `btpConnect`. */
interface LaunchOptions {
  readonly destinations?: readonly string[];
  /** A connection name, or true for the connection of the first destination. */
  readonly vcapServices?: string | boolean;
  /** The app's dev-server origins (`http://localhost:8080`), accepted by every forward from now on. */
  readonly allowedOrigins?: readonly string[];
  /**
   * Reach `destinations` through the connection's one port instead of a port each: `"path"` (URLs
   * `http://127.0.0.1:PORT/<name>`) or `"proxy"` (URLs `http://<name>.dest` plus http_proxy/HTTP_PROXY/no_proxy).
   */
  readonly onePort?: OnePortForm;
}

const invalid = (message: string, field: string): BtpError => new BtpError(ErrorCode.InvalidInput, message, { field });

function launchOptions(config: vscode.DebugConfiguration): LaunchOptions {
  const raw: unknown = config.btpConnect;
  if (raw === undefined) return {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw invalid('"btpConnect" in a launch configuration must be an object: { "destinations": ["connection/name"], "vcapServices": true }.', 'btpConnect');
  const { destinations, vcapServices, allowedOrigins, onePort } = raw as Record<string, unknown>;
  if (onePort !== undefined && onePort !== 'path' && onePort !== 'proxy')
    throw invalid(
      '"btpConnect.onePort" must be "path" (http://127.0.0.1:PORT/<destination>) or "proxy" (http://<destination>.dest through HTTP_PROXY).',
      'btpConnect.onePort',
    );
  if (onePort !== undefined && destinations === undefined)
    throw invalid('"btpConnect.onePort" needs "btpConnect.destinations": the names to reach through the one port.', 'btpConnect.onePort');
  if (allowedOrigins !== undefined && (!Array.isArray(allowedOrigins) || !allowedOrigins.every((entry) => typeof entry === 'string'))) {
    throw invalid('"btpConnect.allowedOrigins" must be a list of origins such as "http://localhost:8080".', 'btpConnect.allowedOrigins');
  }
  if (destinations !== undefined && (!Array.isArray(destinations) || !destinations.every((entry) => typeof entry === 'string'))) {
    throw invalid('"btpConnect.destinations" must be a list of "connection/destination" strings.', 'btpConnect.destinations');
  }
  if (vcapServices !== undefined && typeof vcapServices !== 'string' && typeof vcapServices !== 'boolean') {
    throw invalid('"btpConnect.vcapServices" must be true or a connection name.', 'btpConnect.vcapServices');
  }
  return {
    ...(destinations ? { destinations: destinations as string[] } : {}),
    ...(vcapServices === undefined ? {} : { vcapServices }),
    ...(allowedOrigins ? { allowedOrigins: allowedOrigins as string[] } : {}),
    ...(onePort ? { onePort: onePort as OnePortForm } : {}),
  };
}

export class DebugEnvironmentProvider implements vscode.DebugConfigurationProvider {
  constructor(
    private readonly ctx: Ctx,
    /** Whether the workspace is trusted; read at each launch (trust can be granted while VS Code runs). */
    private readonly isTrusted: () => boolean = () => vscode.workspace.isTrusted,
  ) {}

  async resolveDebugConfiguration(
    _folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
  ): Promise<vscode.DebugConfiguration | undefined> {
    try {
      return await this.withEnvironment(config);
    } catch (error) {
      // Not awaited: the notification waits for the user, the launch must not.
      void showError(`Preparing "${config.name}"`, error, this.ctx.logger, this.ctx.channel);
      // Undefined stops the launch: the app would fail anyway without the destinations it asked for.
      return undefined;
    }
  }

  private async withEnvironment(config: vscode.DebugConfiguration): Promise<vscode.DebugConfiguration> {
    if (!this.isTrusted()) {
      if (config.btpConnect === undefined) return config;
      throw new BtpError(
        ErrorCode.WorkspaceUntrusted,
        vscode.l10n.t(
          '"{0}" names BTP destinations ("btpConnect" in its launch configuration), but this workspace is in Restricted Mode, where launch configurations start no forwards. Trust the workspace (Workspaces: Manage Workspace Trust) if you know its origin, then start the session again.',
          String(config.name),
        ),
        { field: 'btpConnect' },
      );
    }
    const options = launchOptions(config);
    if (options.allowedOrigins) this.ctx.origins.addFromLaunch(options.allowedOrigins);
    const onePort = options.onePort && options.destinations ? await onePortFor(this.ctx, options.destinations) : undefined;
    const named =
      options.destinations && !onePort
        ? await forwardsFor(this.ctx, options.destinations)
        : onePort
          ? [{ connection: onePort.connection, info: onePort.info }]
          : undefined;
    const forwards = named ?? this.ctx.registry.forwards();
    const env: Record<string, string | null> = { ...(config.env as Record<string, string | null> | undefined) };
    let entries = envDestinations(forwards.map((entry) => ({ ...entry.info, localAddress: this.ctx.registry.urlForApps(entry.info) })));
    if (onePort && options.onePort) {
      const appAddress = this.ctx.registry.urlForApps(onePort.info);
      entries = onePortDestinations(onePort.names, appAddress, options.onePort);
      if (options.onePort === 'proxy') {
        // The local token, when one is required, rides in the proxy URL instead of the path.
        const prefix = `${onePort.info.localAddress}/~`;
        Object.assign(env, proxyVariables(onePort.info.localAddress, appAddress.startsWith(prefix) ? appAddress.slice(prefix.length) : undefined));
      }
    }
    if (entries.length > 0) env.destinations = mergeDestinationsVariable(env.destinations ?? undefined, entries);
    const vcapConnection = options.vcapServices === true ? named?.[0]?.connection : typeof options.vcapServices === 'string' ? options.vcapServices : undefined;
    if (options.vcapServices && vcapConnection === undefined)
      throw invalid(
        '"btpConnect.vcapServices": true needs at least one destination in "btpConnect.destinations"; or name the connection instead.',
        'btpConnect.vcapServices',
      );
    if (vcapConnection !== undefined) {
      const live = await this.ctx.registry.get(vcapConnection);
      const proxy = await live.localProxy();
      const binding = live.connectivityBinding;
      if (!binding || !proxy)
        throw invalid(
          `"btpConnect.vcapServices": the connection "${vcapConnection}" has no connectivity service key; add one with "Connect a Subaccount…".`,
          'btpConnect.vcapServices',
        );
      env.VCAP_SERVICES = JSON.stringify(connectivityVcapServices(binding, proxy));
    }
    if (entries.length === 0 && vcapConnection === undefined) return config;
    this.ctx.logger.info(
      `debug session "${config.name}": destinations → ${entries.map((entry) => `${entry.name}=${entry.url}`).join(', ') || 'none'}${vcapConnection ? `; VCAP_SERVICES with the connectivity binding of ${vcapConnection}` : ''}`,
    );
    return { ...config, env };
  }
}

/** Registers the provider for each debug type of `btpConnect.debug.types`, again whenever the setting changes. */
export function registerDebugEnvironment(ctx: Ctx): vscode.Disposable {
  const provider = new DebugEnvironmentProvider(ctx);
  const register = (): vscode.Disposable =>
    vscode.Disposable.from(...ctx.config.debugTypes().map((type) => vscode.debug.registerDebugConfigurationProvider(type, provider)));
  let registrations = register();
  const watcher = vscode.workspace.onDidChangeConfiguration((event) => {
    if (!event.affectsConfiguration(Setting.debugTypes)) return;
    registrations.dispose();
    registrations = register();
  });
  return { dispose: () => vscode.Disposable.from(watcher, registrations).dispose() };
}
