import { DevServerOrigins } from './forwards/devServerOrigins';
import * as vscode from 'vscode';
import { ConnectionStore } from '../core/connections/connectionStore';
import { createLocalToken } from '../core/forward/localToken';
import { requireLocalToken } from '../core/forward/sharedMachine';
import { HttpAgents } from '../core/http/agents';
import type { OutboundNetwork } from '../core/http/outbound';
import type { Logger } from '../core/log';
import { LocalDestinationStore } from '../core/localDestinations/localDestinationStore';
import { registerCommands } from './registerCommands';
import { ViewId } from './base/commandIds';
import { Config } from './base/config';
import { ConnectionRegistry } from './connections/connectionRegistry';
import type { Ctx } from './context/ctx';
import { InspectorPanels } from './inspector/inspectorPanels';
import { affectsNetwork, extensionNetwork } from './network';
import { SignInPrompt } from './connections/signInPrompt';
import { ForwardsProvider } from './forwards/forwardsProvider';
import { ForwardsStatusBar } from './forwards/statusBar';
import { TunnelOffer } from './tunnels/tunnelOffer';
import { TunnelStatusBar } from './tunnels/tunnelStatusBar';
import { DestinationEditorProvider } from './editor/destinationEditorProvider';
import { registerDebugEnvironment } from './environment/debugEnvironment';
import { TerminalEnvironment } from './environment/terminalEnvironment';
import { outputChannelLogger } from './log';
import { SandboxController } from './connections/sandboxController';
import { chooseSecretStore, DeferredSecretStore } from './secretStores';
import { SecretStoreStatusBar } from './secretStoreStatusBar';
import { DestinationsProvider } from './tree/destinationsProvider';

/** What tests and other extensions get from `activate`: the context, for assertions on real state. */
export interface BtpConnectApi {
  readonly ctx: Ctx;
  /** Milliseconds the extension's own activation work took (the keychain probe is not part of it). */
  readonly activationMs: number;
  /** Where that time went: milliseconds per step of activate(), in order (reported by the VS Code tests). */
  readonly activationSteps: Readonly<Record<string, number>>;
  /** Resolves, once the secret store is chosen after activation, with how long the keychain probe took. */
  readonly secretStoreMs: Promise<number>;
}

/**
 * Composition root: builds the context once and registers views, commands and the status bar, each disposed
 * with the extension. VS Code does not show activation failures itself, so they are shown here.
 */
export async function activate(context: vscode.ExtensionContext): Promise<BtpConnectApi | undefined> {
  const started = performance.now();
  const steps: Record<string, number> = {};
  let stepStart = started;
  const step = (name: string) => {
    const now = performance.now();
    steps[name] = now - stepStart;
    stepStart = now;
  };
  const channel = vscode.window.createOutputChannel('BTP Connect', { log: true });
  context.subscriptions.push(channel);
  const logger = outputChannelLogger(channel);
  try {
    const config = new Config((key) => vscode.workspace.getConfiguration().get(key));
    // The keychain probe runs after activation; every secret operation waits for its choice.
    let probeMs = 0;
    const secrets = new DeferredSecretStore(async () => {
      const probing = performance.now();
      try {
        return await chooseSecretStore(context.secrets, logger);
      } finally {
        probeMs = performance.now() - probing;
      }
    });
    step('output channel, config');
    const network = await buildNetwork(logger);
    step('network (proxy settings, trust)');
    const agents = new HttpAgents({ network });
    const store = new ConnectionStore(secrets);
    const tokenDecision = requireLocalToken(config.localTokenMode(), {
      env: process.env,
      ...(vscode.env.remoteName ? { remoteName: vscode.env.remoteName } : {}),
    });
    if (tokenDecision.required) logger.info(`forwards require a local token: ${tokenDecision.reason}; apps get it in the forward's address (/~<token>)`);
    const origins = new DevServerOrigins(config, logger);
    const registry = new ConnectionRegistry(
      store,
      new LocalDestinationStore(secrets, store.directory),
      config,
      agents,
      logger,
      tokenDecision.required ? createLocalToken() : undefined,
      origins.list,
    );
    const destinations = new DestinationsProvider(registry, logger, secrets);
    const destinationsView = vscode.window.createTreeView(ViewId.destinations, { treeDataProvider: destinations, showCollapseAll: true });
    const forwards = new ForwardsProvider(registry);
    const sandbox = new SandboxController(context.globalStorageUri, registry, config, logger);
    const editors = new DestinationEditorProvider(context.extensionUri, registry, destinations, logger, secrets);
    const inspectors = new InspectorPanels(registry, context.extensionUri, logger, String(context.extension.packageJSON.version));
    // Forwards drain and pools close asynchronously: deactivate() returns this promise so VS Code waits for it.
    let closing: Promise<void> | undefined;
    const closeForwards = () => (closing ??= registry.dispose().then(() => agents.close()));
    teardown = closeForwards;
    const ctx: Ctx = {
      context,
      channel,
      logger,
      config,
      registry,
      destinations,
      destinationsView,
      sandbox,
      editors,
      inspectors,
      origins,
      openExternal: (uri) => vscode.env.openExternal(uri),
      asExternalUri: (uri) => vscode.env.asExternalUri(uri),
      get secretStorage() {
        return secrets.description;
      },
    };
    step('registry, views, editors');
    context.subscriptions.push(
      origins,
      destinations,
      destinationsView,
      vscode.window.registerTreeDataProvider(ViewId.forwards, forwards),
      forwards,
      new ForwardsStatusBar(registry, secrets),
      new SecretStoreStatusBar(secrets.chosen),
      sandbox,
      editors.register(),
      inspectors,
      new SignInPrompt(registry),
      new TunnelOffer(registry),
      new TunnelStatusBar(registry),
      registerDebugEnvironment(ctx),
      new TerminalEnvironment(ctx),
      ...registerCommands(ctx),
      { dispose: () => void closeForwards() },
    );
    step('status bars, commands');
    // The list is read after activation returns: the tree's roots wait for it, later reloads queue behind it.
    void destinations.reloadConnections().then(
      () => vscode.commands.executeCommand('setContext', 'btpConnect.hasConnections', destinations.model.roots().length > 0),
      (error: unknown) => logger.warn('could not read the connection list', error instanceof Error ? error.message : error),
    );
    step('connections list (started)');
    // Rebuilds run one after another: two quick setting changes must not let the older build be applied last.
    let networkRebuilds = Promise.resolve();
    context.subscriptions.push(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (!affectsNetwork((section) => event.affectsConfiguration(section))) return;
        networkRebuilds = networkRebuilds
          .then(async () => {
            const next = await buildNetwork(logger);
            // The services' pools switch now (running forwards keep their upstream pools until restarted); the old
            // pools drain outside the queue, so that a slow request does not hold up the next change.
            agents
              .reconfigure(next)
              .catch((error: unknown) => logger.warn('could not close the pools of the previous network', error instanceof Error ? error.message : error));
          })
          .catch((error: unknown) => logger.warn('could not apply the changed network settings', error instanceof Error ? error.message : error));
      }),
      registry.onDidChangeConnections(async () => {
        await vscode.commands.executeCommand('setContext', 'btpConnect.hasConnections', (await registry.list()).length > 0);
      }),
    );
    void autoStartForwards(ctx);
    step('the rest');
    const activationMs = performance.now() - started;
    logger.info(`BTP Connect ${String(context.extension.packageJSON.version)} activated in ${activationMs.toFixed(1)} ms`);
    const secretStoreMs = secrets.chosen.then(
      (store) => {
        logger.info(`secrets in the ${store.description} (keychain probe: ${probeMs.toFixed(1)} ms, after activation)`);
        // Context keys travel to the renderer; nothing waits for the round trip. Tooltips read the new description.
        void vscode.commands.executeCommand('setContext', 'btpConnect.keychain', store.description === 'OS keychain');
        void destinations.reloadConnections();
        return probeMs;
      },
      (error: unknown) => {
        // What failing activation used to say: secrets cannot be used, and why.
        logger.error('choosing where secrets live failed', error);
        void vscode.window
          .showErrorMessage(
            vscode.l10n.t('BTP Connect could not start: {0}', error instanceof Error ? error.message : String(error)),
            vscode.l10n.t('Show Log'),
          )
          .then((choice) => {
            if (choice) channel.show();
          });
        return probeMs;
      },
    );
    return { ctx, activationMs, activationSteps: steps, secretStoreMs };
  } catch (error) {
    logger.error('activation failed', error);
    void vscode.window
      .showErrorMessage(vscode.l10n.t('BTP Connect could not start: {0}', error instanceof Error ? error.message : String(error)), vscode.l10n.t('Show Log'))
      .then((choice) => {
        if (choice) channel.show();
      });
    return undefined;
  }
}

/** The network from VS Code's proxy settings and btpConnect.http.caFile; a wrong setting is shown and left out. */
async function buildNetwork(logger: Logger): Promise<OutboundNetwork> {
  const network = await extensionNetwork(
    (key) => vscode.workspace.getConfiguration().get(key),
    process.env,
    (problem) => {
      logger.warn(problem);
      void vscode.window.showWarningMessage(vscode.l10n.t('BTP Connect: {0}', problem));
    },
  );
  // Describing the trust reads the OS certificate store (the slowest part of activation): logged a turn later.
  setImmediate(() => logger.info(`network: ${network.describe()}`));
  return network;
}

async function autoStartForwards(ctx: Ctx): Promise<void> {
  for (const { connection, destination } of ctx.config.autoStart()) {
    try {
      await (await ctx.registry.get(connection)).startForward(ctx.config.forwardSpec(destination));
    } catch (error) {
      ctx.logger.warn(`auto-start of ${connection}/${destination} failed`, error instanceof Error ? error.message : error);
    }
  }
}

/** The asynchronous part of shutting down (forwards, pools); the rest is in context.subscriptions. */
let teardown: (() => Promise<void>) | undefined;

/** VS Code awaits this before it disposes context.subscriptions (whose synchronous dispose cannot wait). */
export function deactivate(): Promise<void> | undefined {
  const closing = teardown?.();
  teardown = undefined;
  return closing;
}
