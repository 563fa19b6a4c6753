import type { SavedTunnel } from '../connections/savedTunnel';
import { BtpError, ErrorCode } from '../errors';
import { CfCli } from './cfCli';
import { planRemoval } from './cfTunnelApp';
import type { SetupContext } from './setupContext';
import type { SetupPlan } from './setupPlan';

export type RemoveOutcome =
  /** The app BTP Connect created was deleted (with its binding) and the tunnel forgotten. */
  | { readonly kind: 'removed'; readonly app: string; readonly plan: SetupPlan }
  /** Nothing was created; the saved tunnel (an app or cluster chosen, not created) is forgotten. */
  | { readonly kind: 'forgotten' }
  | { readonly kind: 'nothing' }
  /** The app is gone already, or an app of that name is not the one BTP Connect created: only the record goes. */
  | { readonly kind: 'gone' | 'not-ours'; readonly app: string }
  | { readonly kind: 'declined' | 'dry-run'; readonly plan: SetupPlan };

/**
 * "Remove Tunnel App": undoes exactly what a setup created. It deletes the recorded app only in the space it was
 * created in and only while its GUID is the recorded one; deleting the app deletes its service binding too.
 */
export async function removeTunnelApp(ctx: SetupContext): Promise<RemoveOutcome> {
  await ctx.store.load(ctx.connection);
  const saved = await ctx.store.tunnel(ctx.connection);
  const created = saved?.createdApp;
  if (!created) {
    if (!saved?.mode) return { kind: 'nothing' };
    if (!ctx.dryRun) await ctx.store.setTunnel(ctx.connection, undefined);
    return { kind: 'forgotten' };
  }
  const cf = new CfCli(ctx.runner);
  ctx.ui.progress('Checking the cf CLI, its login and target…');
  await cf.checkVersion();
  const target = await cf.target();
  const here = sameApi(target.api, created.api) && target.org === created.org && target.space === created.space;
  if (!here || (await cf.spaceGuid(target.space)) !== created.spaceGuid) {
    throw new BtpError(
      ErrorCode.CfNoTarget,
      `Tunnel app "${created.app}" was created in org "${created.org}" / space "${created.space}" (${created.api}), and cf targets org "${target.org}" / space "${target.space}" (${target.api}). Target it (\`cf login -a ${created.api} --sso\` if needed, then \`cf target -o ${created.org} -s ${created.space}\`) and remove it again.`,
      { details: { app: created.app } },
    );
  }
  const forget = () => ctx.store.setTunnel(ctx.connection, remainder(saved, created.app));
  const app = await cf.app(created.app, created.spaceGuid);
  if (!app || (created.appGuid && app.guid !== created.appGuid)) {
    if (!ctx.dryRun) await forget();
    return { kind: app ? 'not-ours' : 'gone', app: created.app };
  }
  const rest = remainder(saved, created.app);
  const plan: SetupPlan = { ...planRemoval(ctx.connection, created), ...(rest?.mode ? { mode: rest.mode } : {}) };
  if (ctx.dryRun) return { kind: 'dry-run', plan };
  if (!(await ctx.ui.confirm(plan))) return { kind: 'declined', plan };
  ctx.ui.progress(`cf delete ${created.app}…`);
  await cf.run(['delete', created.app, '-f'], { app: created.app });
  await forget();
  return { kind: 'removed', app: created.app, plan };
}

/** What stays saved once the created app is gone: a tunnel mode that does not use it (e.g. a Kyma one chosen later). */
function remainder(saved: SavedTunnel, app: string): SavedTunnel | undefined {
  const mode = saved.mode;
  if (!mode || (mode.kind === 'cf-ssh' && mode.app === app)) return undefined;
  return { mode, savedAt: new Date().toISOString() };
}

function sameApi(a: string, b: string): boolean {
  const normal = (url: string) => url.trim().replace(/\/+$/, '').toLowerCase();
  return normal(a) === normal(b);
}
