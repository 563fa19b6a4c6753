import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CreatedCfApp } from '../connections/savedTunnel';
import { BtpError, ErrorCode, isBtpError } from '../errors';
import type { CfCli } from './cfCli';
import type { CfDiscovery, ConnectivityInstance } from './cfDiscovery';
import type { PlannedCommand, SetupPlan } from './setupPlan';

/** The smallest app Cloud Foundry runs: a process that only stays alive, with no route, so that `cf ssh` has a container. */
export const TUNNEL_APP = { defaultName: 'btp-connect-tunnel', memoryMb: 64, diskMb: 256, buildpack: 'binary_buildpack', command: 'sleep infinity' } as const;

/** Stands for the folder `cf push` uploads, created only when the plan runs. */
const folderPlaceholder = '<folder>';

const pushTimeoutMs = 10 * 60_000;

/**
 * The commands that make a tunnel app: pushed without starting (no manifest of the current folder, no route, the
 * smallest memory, a health check on the process since it listens nowhere), bound to the Connectivity service
 * (its container can then reach the connectivity proxy), SSH enabled, started.
 */
export function planTunnelApp(connection: string, discovery: CfDiscovery, app: string, instance: ConnectivityInstance): SetupPlan {
  const { target } = discovery;
  const commands: PlannedCommand[] = [
    {
      tool: 'cf',
      args: [
        'push',
        app,
        '--no-manifest',
        '--no-route',
        '--no-start',
        '-m',
        `${TUNNEL_APP.memoryMb}M`,
        '-k',
        `${TUNNEL_APP.diskMb}M`,
        '-b',
        TUNNEL_APP.buildpack,
        '-u',
        'process',
        '-c',
        TUNNEL_APP.command,
        '-p',
        folderPlaceholder,
      ],
      why: 'create the app from a folder with one README: no route, not started yet',
    },
    { tool: 'cf', args: ['bind-service', app, instance.name], why: 'bind it to the Connectivity service' },
    { tool: 'cf', args: ['enable-ssh', app], why: 'allow cf ssh into it' },
    { tool: 'cf', args: ['start', app], why: 'stage and start it' },
  ];
  return {
    action: 'create',
    connection,
    where: `org "${target.org}" / space "${target.space}" (${target.api})`,
    commands,
    cost: { memoryMb: TUNNEL_APP.memoryMb, diskMb: TUNNEL_APP.diskMb },
    mode: { kind: 'cf-ssh', app },
  };
}

/**
 * Runs a creation plan. `record` is called as soon as the app exists (and again once its GUID is known), so that a
 * failure in a later step leaves a record that `tunnel remove` can undo; the error then says so.
 */
export async function createTunnelApp(
  cf: CfCli,
  plan: SetupPlan,
  discovery: CfDiscovery,
  instance: ConnectivityInstance,
  record: (created: CreatedCfApp) => Promise<void>,
  progress: (message: string) => void,
): Promise<CreatedCfApp> {
  const app = plan.mode?.kind === 'cf-ssh' ? plan.mode.app : TUNNEL_APP.defaultName;
  const { target, spaceGuid } = discovery;
  let created: CreatedCfApp | undefined;
  const folder = await mkdtemp(join(tmpdir(), 'btp-connect-tunnel-app-'));
  try {
    await writeFile(
      join(folder, 'README.txt'),
      'The tunnel app of BTP Connect: it runs `sleep infinity` so that `cf ssh -L` can reach the connectivity proxy.\n',
    );
    for (const command of plan.commands) {
      const args = command.args.map((arg) => (arg === folderPlaceholder ? folder : arg));
      progress(`cf ${command.args.slice(0, 2).join(' ')}: ${command.why}…`);
      await cf.run(args, { app, timeoutMs: args[0] === 'push' || args[0] === 'start' ? pushTimeoutMs : 60_000 });
      if (args[0] === 'push') {
        created = {
          api: target.api,
          org: target.org,
          space: target.space,
          spaceGuid,
          app,
          serviceInstance: instance.name,
          createdAt: new Date().toISOString(),
        };
        await record(created);
        const guid = (await cf.app(app, spaceGuid))?.guid;
        if (guid) {
          created = { ...created, appGuid: guid };
          await record(created);
        }
      }
    }
    if (!created?.appGuid) throw new BtpError(ErrorCode.ServiceError, `App "${app}" was pushed but Cloud Foundry does not list it in space "${target.space}".`);
    await verifyRunning(cf, app, created.appGuid);
    return created;
  } catch (error) {
    if (!created || !isBtpError(error)) throw error;
    // The app exists: name it and the one command that removes it, whatever went wrong.
    throw new BtpError(
      error.code,
      `${error.message} App "${app}" was created in space "${target.space}" and is left as it is: \`btp-connect tunnel remove --connection ${plan.connection}\` deletes it.`,
      {
        ...(error.details ? { details: error.details } : {}),
        cause: error,
      },
    );
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/** After `cf start`: the app runs and SSH into it is allowed (the global switch may still be off). */
export async function verifyRunning(cf: CfCli, app: string, guid: string): Promise<void> {
  const current = await cf.get<{ state?: string }>(`/v3/apps/${guid}`, app);
  if (current.state !== 'STARTED') {
    throw new BtpError(
      ErrorCode.TunnelAppCrashed,
      `App "${app}" is ${String(current.state ?? 'not started').toLowerCase()}. See why with \`cf logs ${app} --recent\`; start it with \`cf start ${app}\`.`,
    );
  }
  const ssh = await cf.get<{ enabled?: boolean; reason?: string }>(`/v3/apps/${guid}/ssh_enabled`, app);
  if (ssh.enabled !== true) throw sshDisabled(app, ssh.reason ?? '', '');
}

/** SSH is off for the app, its space or the platform (Cloud Controller's `reason`), with the fix for that level. */
export function sshDisabled(app: string, reason: string, space: string): BtpError {
  if (/space/i.test(reason)) {
    return new BtpError(
      ErrorCode.SshDisabledSpace,
      `SSH is disabled for space "${space || reason.replace(/.*'(.*)'.*/, '$1')}" (${reason}), so no app there can carry a tunnel. A space manager enables it with \`cf allow-space-ssh ${space || '<space>'}\`; then run the setup again.`,
      { details: { reason } },
    );
  }
  if (/global/i.test(reason)) {
    return new BtpError(
      ErrorCode.SshDisabledSpace,
      `SSH is disabled for the whole Cloud Foundry installation (${reason}); no app can carry a tunnel. Use the Kyma path (\`btp-connect tunnel setup --kyma\`) or ask the platform operators.`,
      { details: { reason } },
    );
  }
  return new BtpError(
    ErrorCode.SshDisabledApp,
    `SSH is disabled for app "${app}"${reason ? ` (${reason})` : ''}. Enable it with \`cf enable-ssh ${app}\` and \`cf restart ${app}\`, or let the setup create an app of its own.`,
    { details: { reason } },
  );
}

/** The one command that undoes a creation: deleting the app deletes its service binding too; it never had a route. */
export function planRemoval(connection: string, created: CreatedCfApp): SetupPlan {
  return {
    action: 'remove',
    connection,
    where: `org "${created.org}" / space "${created.space}" (${created.api})`,
    commands: [{ tool: 'cf', args: ['delete', created.app, '-f'], why: 'delete the tunnel app and its service binding' }],
  };
}
