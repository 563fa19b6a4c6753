import type { SavedTunnel } from '../connections/savedTunnel';
import { BtpError, ErrorCode } from '../errors';
import { CfCli } from './cfCli';
import { discoverCf, unusableBecause, type BoundApp, type CfDiscovery, type ConnectivityInstance } from './cfDiscovery';
import { createTunnelApp, planTunnelApp, sshDisabled, TUNNEL_APP } from './cfTunnelApp';
import type { SetupContext, SetupOutcome } from './setupContext';
import type { SetupPlan } from './setupPlan';
import type { Choice } from './setupUi';

export interface CfSetupOptions {
  /** Use this app (bound and SSH-enabled), or create it under this name when it does not exist. */
  readonly app?: string;
  /** The Connectivity service instance a new app is bound to. */
  readonly service?: string;
  /** Create a new app even when a usable one exists. */
  readonly create?: boolean;
}

type AppChoice = { readonly kind: 'existing'; readonly app: BoundApp } | { readonly kind: 'create'; readonly name: string };

/**
 * Cloud Foundry: the cf CLI's login and target, the space's Connectivity service instances and the apps bound to
 * them with SSH allowed; the person picks one, or agrees to a tunnel app after seeing the commands and their cost;
 * the result is saved as the connection's tunnel (`cf-ssh:<app>`), with a record of anything created.
 */
export async function setUpCfTunnel(ctx: SetupContext, options: CfSetupOptions = {}): Promise<SetupOutcome> {
  const bindings = await ctx.store.load(ctx.connection);
  if (!bindings.connectivity) {
    throw new BtpError(
      ErrorCode.BindingNotFound,
      `Connection "${ctx.connection}" has no connectivity service key: a tunnel carries requests to the connectivity proxy, and they need its token. Create one (\`cf create-service-key <connectivity instance> btp-connect\`) and connect again with it (\`btp-connect connect ${ctx.connection} --key <destination key> …\`, or "Connect a Subaccount…" in VS Code).`,
      { field: 'connectivity' },
    );
  }
  const saved = await ctx.store.tunnel(ctx.connection);
  const cf = new CfCli(ctx.runner);
  ctx.ui.progress('Checking the cf CLI, its login and target…');
  await cf.checkVersion();
  const target = await cf.target();
  const spaceGuid = await cf.spaceGuid(target.space);
  ctx.ui.progress(`Looking for Connectivity service instances and the apps bound to them in org "${target.org}" / space "${target.space}"…`);
  const discovery = await discoverCf(cf, target, spaceGuid);
  if (!discovery.spaceSsh) throw sshDisabled('', `ssh is disabled for space '${target.space}'`, target.space);
  if (discovery.instances.length === 0) {
    throw new BtpError(
      ErrorCode.BindingNotFound,
      `Space "${target.space}" has no instance of the Connectivity service, and a tunnel app must be bound to one to reach the connectivity proxy. Create one with \`cf create-service connectivity lite connectivity\`, then run the setup again.`,
      { details: { space: target.space } },
    );
  }
  const choice = await chooseApp(ctx, cf, discovery, options);
  if (!choice) return { kind: 'cancelled' };
  if (choice.kind === 'existing') return useExisting(ctx, discovery, choice.app, saved);
  return createNew(ctx, cf, discovery, choice.name, options, saved);
}

async function chooseApp(ctx: SetupContext, cf: CfCli, discovery: CfDiscovery, options: CfSetupOptions): Promise<AppChoice | undefined> {
  const space = discovery.target.space;
  if (options.app) {
    const bound = discovery.apps.find((app) => app.name === options.app);
    if (bound) {
      refuseUnusable(bound, space);
      return { kind: 'existing', app: bound };
    }
    if (await cf.app(options.app, discovery.spaceGuid)) {
      const instance = discovery.instances[0]?.name ?? '<connectivity instance>';
      throw new BtpError(
        ErrorCode.TunnelAppNotBound,
        `App "${options.app}" is not bound to a Connectivity service instance, so its container cannot reach the connectivity proxy. Bind it (\`cf bind-service ${options.app} ${instance}\`, then \`cf restart ${options.app}\`), or leave out --app and let the setup create an app of its own.`,
        { details: { app: options.app } },
      );
    }
    return { kind: 'create', name: options.app };
  }
  if (options.create) return { kind: 'create', name: TUNNEL_APP.defaultName };
  const usable = discovery.apps.filter((app) => !unusableBecause(app));
  const choices: Choice<AppChoice>[] = [
    ...discovery.apps.map((app) => {
      const why = unusableBecause(app);
      return {
        label: app.name,
        description: `bound to ${app.instance}, ${app.state.toLowerCase()}${app.sshEnabled ? ', SSH enabled' : ''}`,
        value: { kind: 'existing' as const, app },
        ...(why ? { unusable: `${why}: ${unusableFix(app)}` } : {}),
        ...(usable.length === 1 && usable[0] === app ? { default: true } : {}),
      };
    }),
    {
      label: `Create a tunnel app "${TUNNEL_APP.defaultName}"…`,
      description: `${TUNNEL_APP.memoryMb} MB, no route; the commands are shown before anything is created`,
      value: { kind: 'create', name: TUNNEL_APP.defaultName },
      ...(usable.length === 0 ? { default: true } : {}),
    },
  ];
  return ctx.ui.ask({ id: 'app', title: `Tunnel through which app of space "${space}"?`, choices, flag: '--app <name> (or --create)' });
}

function refuseUnusable(app: BoundApp, space: string): void {
  if (!app.sshEnabled) throw sshDisabled(app.name, app.sshReason, space);
  if (app.state !== 'STARTED') {
    throw new BtpError(
      ErrorCode.TunnelAppCrashed,
      `App "${app.name}" is ${app.state.toLowerCase()}: \`cf ssh\` needs a running instance. Start it with \`cf start ${app.name}\` (\`cf logs ${app.name} --recent\` says why it stopped).`,
      { details: { app: app.name } },
    );
  }
}

function unusableFix(app: BoundApp): string {
  if (!app.sshEnabled)
    return /space/i.test(app.sshReason)
      ? 'a space manager runs `cf allow-space-ssh <space>`'
      : `\`cf enable-ssh ${app.name}\`, then \`cf restart ${app.name}\``;
  return `\`cf start ${app.name}\``;
}

async function useExisting(ctx: SetupContext, discovery: CfDiscovery, app: BoundApp, saved: SavedTunnel | undefined): Promise<SetupOutcome> {
  const { target } = discovery;
  const mode = { kind: 'cf-ssh' as const, app: app.name };
  const plan: SetupPlan = {
    action: 'use',
    connection: ctx.connection,
    where: `app "${app.name}" (bound to ${app.instance}) in org "${target.org}" / space "${target.space}"`,
    commands: [],
    mode,
  };
  if (ctx.dryRun) return { kind: 'dry-run', plan };
  await ctx.store.setTunnel(ctx.connection, { mode, ...(saved?.createdApp ? { createdApp: saved.createdApp } : {}), savedAt: new Date().toISOString() });
  return { kind: 'saved', mode, plan };
}

async function createNew(
  ctx: SetupContext,
  cf: CfCli,
  discovery: CfDiscovery,
  name: string,
  options: CfSetupOptions,
  saved: SavedTunnel | undefined,
): Promise<SetupOutcome> {
  if (saved?.createdApp) {
    const created = saved.createdApp;
    throw new BtpError(
      ErrorCode.Conflict,
      `Connection "${ctx.connection}" already has tunnel app "${created.app}", created by BTP Connect in org "${created.org}" / space "${created.space}". Use it (\`--app ${created.app}\`), or remove it first (\`btp-connect tunnel remove --connection ${ctx.connection}\`).`,
      { details: { app: created.app } },
    );
  }
  if (await cf.app(name, discovery.spaceGuid)) {
    throw new BtpError(
      ErrorCode.AlreadyExists,
      `Space "${discovery.target.space}" has an app "${name}" already, not bound to a Connectivity service instance. Name another one with --app <name>.`,
      { field: 'app' },
    );
  }
  const instance = await chooseInstance(ctx, discovery.instances, options.service);
  if (!instance) return { kind: 'cancelled' };
  const plan = planTunnelApp(ctx.connection, discovery, name, instance);
  if (ctx.dryRun) return { kind: 'dry-run', plan };
  if (!(await ctx.ui.confirm(plan))) return { kind: 'declined', plan };
  const record = (createdApp: NonNullable<SavedTunnel['createdApp']>) =>
    ctx.store.setTunnel(ctx.connection, { ...(saved?.mode ? { mode: saved.mode } : {}), createdApp, savedAt: new Date().toISOString() });
  const created = await createTunnelApp(cf, plan, discovery, instance, record, (message) => ctx.ui.progress(message));
  const mode = { kind: 'cf-ssh' as const, app: name };
  await ctx.store.setTunnel(ctx.connection, { mode, createdApp: created, savedAt: new Date().toISOString() });
  return { kind: 'saved', mode, plan, created };
}

async function chooseInstance(
  ctx: SetupContext,
  instances: readonly ConnectivityInstance[],
  wanted: string | undefined,
): Promise<ConnectivityInstance | undefined> {
  if (wanted) {
    const found = instances.find((instance) => instance.name === wanted);
    if (!found)
      throw new BtpError(
        ErrorCode.NotFound,
        `There is no Connectivity service instance "${wanted}" in the space (there are: ${instances.map((instance) => instance.name).join(', ')}).`,
        { field: 'service' },
      );
    return found;
  }
  return ctx.ui.ask({
    id: 'service',
    title: 'Bind the tunnel app to which Connectivity service instance?',
    choices: instances.map((instance) => ({
      label: instance.name,
      description: `plan ${instance.plan}`,
      value: instance,
      ...(instances.length === 1 ? { default: true } : {}),
    })),
    flag: '--service <instance>',
  });
}
