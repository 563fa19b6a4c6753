import * as vscode from 'vscode';
import { formatTunnelMode } from '../../core/tunnel/tunnelMode';
import { removeTunnelApp as removeFlow } from '../../core/tunnelSetup/removeTunnel';
import type { SetupContext } from '../../core/tunnelSetup/setupContext';
import { setUpTunnel as setupFlow } from '../../core/tunnelSetup/setUpTunnel';
import { processToolRunner } from '../../core/tunnel/toolRunner';
import { pickConnection } from '../commands/pickers';
import type { Ctx } from '../ctx';
import type { TreeNode } from '../tree/destinationsModel';
import { vscodeSetupUi } from './setupUi';

/**
 * "Set Up Tunnel…" and "Remove Tunnel App" on a saved connection: the core's setup flow with pickers and a modal
 * confirmation, cf and kubectl run as children of the extension host (cancelled with the notification).
 */

type ConnectionArgument = Pick<Extract<TreeNode, { kind: 'connection' }>, 'kind' | 'connection'> & { readonly connectionKind?: string };

export async function setUpTunnel(ctx: Ctx, node?: ConnectionArgument): Promise<void> {
  const connection = await savedConnection(ctx, node, 'Set up a tunnel for which connection?');
  if (!connection) return;
  const outcome = await withFlow(ctx, `Set Up Tunnel for ${connection}`, connection, (flow) => setupFlow(flow));
  if (outcome.kind === 'declined') {
    void vscode.window.showInformationMessage('Nothing was created or changed.');
    return;
  }
  if (outcome.kind !== 'saved') return;
  const restarted = await ctx.registry.reopen(connection);
  const created = outcome.created ? ` App "${outcome.created.app}" was created in org "${outcome.created.org}" / space "${outcome.created.space}"; Remove Tunnel App deletes it.` : '';
  const overridden = ctx.config.tunnelSetting(connection) ? ` Note: the setting btpConnect.tunnels names a tunnel for ${connection} and overrides this one.` : '';
  void vscode.window.showInformationMessage(`${connection} reaches the connectivity proxy through ${formatTunnelMode(outcome.mode)}${restarted ? `; ${restarted} forward${restarted === 1 ? '' : 's'} restarted through it` : ''}.${created}${overridden}`);
}

export async function removeTunnelApp(ctx: Ctx, node?: ConnectionArgument): Promise<void> {
  const connection = await savedConnection(ctx, node, 'Remove the tunnel app of which connection?');
  if (!connection) return;
  const outcome = await withFlow(ctx, `Remove Tunnel App of ${connection}`, connection, (flow) => removeFlow(flow));
  const messages: Partial<Record<typeof outcome.kind, string>> = {
    removed: `Deleted app "${'app' in outcome ? outcome.app : ''}" and its service binding; ${connection} has no tunnel through it any more.`,
    gone: `The tunnel app of ${connection} does not exist any more; its record is gone too.`,
    'not-ours': `The app of that name is not the one BTP Connect created: it was left alone, and the record forgotten.`,
    forgotten: `BTP Connect created nothing for ${connection}; its saved tunnel is forgotten.`,
    nothing: `${connection} has no tunnel app created by BTP Connect.`,
    declined: 'Nothing was removed.',
  };
  if (outcome.kind === 'removed' || outcome.kind === 'gone' || outcome.kind === 'not-ours' || outcome.kind === 'forgotten') await ctx.registry.reopen(connection);
  const message = messages[outcome.kind];
  if (message) void vscode.window.showInformationMessage(message);
}

async function savedConnection(ctx: Ctx, node: ConnectionArgument | undefined, title: string): Promise<string | undefined> {
  if (node?.kind === 'connection' && node.connectionKind !== undefined && node.connectionKind !== 'saved') {
    void vscode.window.showInformationMessage(`${node.connection} is ${node.connectionKind === 'sandbox' ? 'the sandbox: its connectivity proxy runs on this machine' : 'this machine\'s destinations'} and needs no tunnel.`);
    return undefined;
  }
  if (node?.kind === 'connection') return node.connection;
  return (await pickConnection(ctx, title, true))?.connection;
}

/** Runs a flow under a cancellable notification; its progress and plan also go to the BTP Connect output. */
function withFlow<T>(ctx: Ctx, title: string, connection: string, run: (flow: SetupContext) => Promise<T>): Thenable<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, cancellation) => {
    const abort = new AbortController();
    cancellation.onCancellationRequested(() => abort.abort());
    const logger = ctx.logger.child('tunnel-setup');
    return run({
      connection,
      store: ctx.registry.store,
      runner: processToolRunner({ env: process.env, logger, signal: abort.signal }),
      ui: vscodeSetupUi(progress, (line) => logger.info(line)),
    });
  });
}
