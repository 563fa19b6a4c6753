import type { CreatedCfApp } from '../../core/connections/savedTunnel';
import { BtpError, ErrorCode } from '../../core/errors';
import { removeTunnelApp, type RemoveOutcome } from '../../core/tunnelSetup/removeTunnel';
import type { SetupContext, SetupOutcome } from '../../core/tunnelSetup/setupContext';
import { commandLine, describePlan, type SetupPlan } from '../../core/tunnelSetup/setupPlan';
import { setUpTunnel, type Platform } from '../../core/tunnelSetup/setUpTunnel';
import { processToolRunner } from '../../core/tunnel/toolRunner';
import { formatTunnelMode } from '../../core/tunnel/tunnelMode';
import { stringOption, type Command, type OptionValues } from '../command';
import { connectionStore, savedConnectionName } from '../context';
import { ExitCode } from '../exitCodes';
import { line, type CliIo } from '../io';
import { stderrLogger } from '../logger';
import { cliSetupUi } from '../tunnelUi';

export const tunnelCommand: Command = {
  name: 'tunnel',
  summary: 'Set up (or remove) the tunnel to the real connectivity proxy: Cloud Foundry (cf ssh) or Kyma (kubectl)',
  usage: `Usage: btp-connect tunnel setup [--cf [--app <name>] [--create] [--service <instance>] | --kyma [--context <name>]
                              [--namespace <ns>] [--import-credentials]] [--yes | --dry-run] [--connection <name>] [--json]
       btp-connect tunnel remove [--yes | --dry-run] [--connection <name>] [--json]
       btp-connect tunnel show [--connection <name>] [--json]

On real BTP the connectivity proxy answers only inside Cloud Foundry or Kyma. "setup" finds a way in and saves it as
the connection's tunnel; forward and check use it from then on (--tunnel overrides it). Nothing is created or changed
without a yes: the commands and the memory they cost are shown first, --yes answers for scripts, --dry-run prints
the plan and changes nothing.

setup --cf                    cf ssh through an app bound to a Connectivity service instance of the space that
                              cf targets (\`cf login --sso\`, \`cf target -o <org> -s <space>\`); with none, it
                              offers to create a minimal one (64 MB, no route)
  --app <name>                use this app (bound, SSH enabled, started), or create it under this name
  --create                    create a tunnel app even when a usable app exists
  --service <instance>        the Connectivity service instance a new app is bound to
setup --kyma                  kubectl port-forward to the connectivity proxy of a Kyma cluster (or the
                              Connectivity Proxy for Kubernetes)
  --context <name>            the kube context (default: the current one)
  --namespace <ns>            where the connectivity proxy runs (default: kyma-system)
  --import-credentials        store the proxy's own service key (secret connectivity-proxy-service-key) as the
                              connection's connectivity key, even when it has one
remove                        delete the tunnel app a setup created (\`cf delete <app> -f\`; its binding goes with it)
                              and forget the tunnel
show                          print the connection's tunnel
  --yes                       go ahead without asking
  --dry-run                   print the plan; create, change and save nothing
  -c, --connection <name>     a saved connection (default: $BTP_CONNECT_CONNECTION, else the only one)
      --json                  machine-readable output
      --verbose               log every cf and kubectl command to stderr`,
  subcommands: ['setup', 'remove', 'show'],
  options: {
    connection: { type: 'string', short: 'c' },
    json: { type: 'boolean' },
    cf: { type: 'boolean' },
    kyma: { type: 'boolean' },
    app: { type: 'string' },
    create: { type: 'boolean' },
    service: { type: 'string' },
    context: { type: 'string' },
    namespace: { type: 'string' },
    'import-credentials': { type: 'boolean' },
    yes: { type: 'boolean', short: 'y' },
    'dry-run': { type: 'boolean' },
    verbose: { type: 'boolean' },
  },
  async run(values, positionals, io) {
    const [action, ...extra] = positionals;
    if (!action || !['setup', 'remove', 'show'].includes(action) || extra.length > 0) {
      throw new BtpError(ErrorCode.InvalidInput, 'Say what to do: `tunnel setup`, `tunnel remove` or `tunnel show` (see --help).', { field: 'action' });
    }
    if (values.yes && values['dry-run'])
      throw new BtpError(ErrorCode.InvalidInput, '--yes and --dry-run contradict each other: choose one.', { field: 'dry-run' });
    const connection = await savedConnectionName(stringOption(values, 'connection'), io);
    const store = connectionStore(io);
    if (action === 'show') return show(connection, io, values.json === true);
    const ui = cliSetupUi(io, { yes: values.yes === true, json: values.json === true });
    const ctx: SetupContext = {
      connection,
      store,
      runner: processToolRunner({ env: io.env, logger: stderrLogger(io.stderr, values.verbose ? 'debug' : 'warn') }),
      ui,
      dryRun: values['dry-run'] === true,
    };
    const outcome = action === 'setup' ? await setUpTunnel(ctx, setupOptions(values)) : await removeTunnelApp(ctx);
    return report(outcome, connection, io, values.json === true, ui.refusedForLackOfYes);
  },
};

function setupOptions(values: OptionValues): Parameters<typeof setUpTunnel>[1] {
  if (values.cf && values.kyma)
    throw new BtpError(ErrorCode.InvalidInput, '--cf and --kyma exclude each other: the proxy runs in one of them.', { field: 'kyma' });
  const platform: Platform | undefined = values.cf ? 'cf' : values.kyma ? 'kyma' : undefined;
  const app = stringOption(values, 'app');
  const service = stringOption(values, 'service');
  const context = stringOption(values, 'context');
  const namespace = stringOption(values, 'namespace');
  return {
    ...(platform ? { platform } : {}),
    cf: { ...(app ? { app } : {}), ...(service ? { service } : {}), ...(values.create ? { create: true } : {}) },
    kyma: { ...(context ? { context } : {}), ...(namespace ? { namespace } : {}), ...(values['import-credentials'] ? { importCredentials: true } : {}) },
  };
}

async function show(connection: string, io: CliIo, json: boolean): Promise<number> {
  const saved = await connectionStore(io).tunnel(connection);
  if (json) {
    line(
      io,
      JSON.stringify(
        { connection, tunnel: saved?.mode ? formatTunnelMode(saved.mode) : null, mode: saved?.mode ?? null, createdApp: saved?.createdApp ?? null },
        null,
        2,
      ),
    );
    return ExitCode.Ok;
  }
  line(
    io,
    saved?.mode
      ? `Tunnel of connection "${connection}": ${formatTunnelMode(saved.mode)} (saved ${saved.savedAt}).`
      : `Connection "${connection}" has no tunnel: the connectivity proxy is used as its key names it.`,
  );
  if (saved?.createdApp) line(io, created(saved.createdApp, connection));
  return ExitCode.Ok;
}

function created(app: CreatedCfApp, connection: string): string {
  return `BTP Connect created app "${app.app}" in org "${app.org}" / space "${app.space}" for it; \`btp-connect tunnel remove --connection ${connection}\` deletes it.`;
}

function report(outcome: SetupOutcome | RemoveOutcome, connection: string, io: CliIo, json: boolean, lackedYes: boolean): number {
  const plan = 'plan' in outcome ? outcome.plan : undefined;
  if (json) {
    line(
      io,
      JSON.stringify(
        {
          connection,
          outcome: outcome.kind,
          ...('mode' in outcome ? { tunnel: formatTunnelMode(outcome.mode), mode: outcome.mode } : {}),
          ...('created' in outcome && outcome.created ? { createdApp: outcome.created } : {}),
          ...('app' in outcome ? { app: outcome.app } : {}),
          ...(plan ? { plan: planJson(plan) } : {}),
        },
        null,
        2,
      ),
    );
  }
  switch (outcome.kind) {
    case 'saved':
      if (!json) {
        line(
          io,
          `Tunnel of connection "${connection}": ${formatTunnelMode(outcome.mode)}.${outcome.importedCredentials ? " Its connectivity key is now the connectivity proxy's own, from the cluster." : ''}`,
        );
        if (outcome.created) line(io, created(outcome.created, connection));
        line(io, `Forwards and checks of "${connection}" go through it: btp-connect forward <destination> --connection ${connection}`);
      }
      return ExitCode.Ok;
    case 'dry-run':
      if (!json) {
        for (const text of describePlan(outcome.plan)) line(io, text);
        line(io, 'Dry run: nothing was created, changed or saved.');
      }
      return ExitCode.Ok;
    case 'declined':
      if (lackedYes) {
        io.stderr('Nothing was changed: nobody can answer here, so run it again with --yes to go ahead (or --dry-run to only print the plan).\n');
        return ExitCode.Usage;
      }
      if (!json) line(io, 'Nothing was changed.');
      return ExitCode.Ok;
    case 'cancelled':
      if (!json) line(io, 'Cancelled: nothing was changed.');
      return ExitCode.Ok;
    case 'removed':
      if (!json)
        line(
          io,
          `Deleted app "${outcome.app}" and its service binding; connection "${connection}" ${outcome.plan.mode ? `keeps tunnel ${formatTunnelMode(outcome.plan.mode)}` : 'has no tunnel any more'}.`,
        );
      return ExitCode.Ok;
    case 'gone':
      if (!json) line(io, `App "${outcome.app}" does not exist any more; the record of it is gone too.`);
      return ExitCode.Ok;
    case 'not-ours':
      if (!json)
        line(
          io,
          `The app named "${outcome.app}" in the space is not the one BTP Connect created (another GUID): it was left alone, and the record of the created one forgotten.`,
        );
      return ExitCode.Ok;
    case 'forgotten':
      if (!json) line(io, `BTP Connect created nothing for connection "${connection}"; its saved tunnel is forgotten.`);
      return ExitCode.Ok;
    case 'nothing':
      if (!json) line(io, `Connection "${connection}" has no tunnel and nothing created for one.`);
      return ExitCode.Ok;
  }
}

function planJson(plan: SetupPlan): Record<string, unknown> {
  return {
    action: plan.action,
    where: plan.where,
    commands: plan.commands.map(commandLine),
    ...(plan.cost ? { cost: plan.cost } : {}),
    ...(plan.imports ? { imports: plan.imports } : {}),
    ...(plan.mode ? { tunnel: formatTunnelMode(plan.mode) } : {}),
  };
}
