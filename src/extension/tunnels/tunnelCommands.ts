import * as vscode from 'vscode';
import { formatTunnelMode } from '../../core/tunnel/tunnelMode';
import { removeTunnelApp as removeFlow } from '../../core/tunnelSetup/removeTunnel';
import type { SetupContext } from '../../core/tunnelSetup/setupContext';
import { setUpTunnel as setupFlow } from '../../core/tunnelSetup/setUpTunnel';
import { processToolRunner } from '../../core/tunnel/toolRunner';
import { pickConnection } from '../context/pickers';
import type { Ctx } from '../context/ctx';
import type { TreeNode } from '../tree/destinationsModel';
import { vscodeSetupUi } from './setupUi';

/**
 * "Set Up Tunnel…" and "Remove Tunnel App" on a saved connection: the core's setup flow with pickers and a modal
 * confirmation, cf and kubectl run as children of the extension host (cancelled with the notification).
 */

type ConnectionArgument = Pick<Extract<TreeNode, { kind: 'connection' }>, 'kind' | 'connection'> & { readonly connectionKind?: string };

export async function setUpTunnel(ctx: Ctx, node?: ConnectionArgument): Promise<void> {
  const connection = await savedConnection(ctx, node, vscode.l10n.t('Set up a tunnel for which connection?'));
  if (!connection) return;
  const outcome = await withFlow(ctx, vscode.l10n.t('Set Up Tunnel for {0}', connection), connection, (flow) => setupFlow(flow));
  if (outcome.kind === 'declined') {
    void vscode.window.showInformationMessage(vscode.l10n.t('Nothing was created or changed.'));
    return;
  }
  if (outcome.kind !== 'saved') return;
  const restarted = await ctx.registry.reopen(connection);
  const created = outcome.created
    ? vscode.l10n.t(
        ' App "{0}" was created in org "{1}" / space "{2}"; Remove Tunnel App deletes it.',
        outcome.created.app,
        outcome.created.org,
        outcome.created.space,
      )
    : '';
  const overridden = ctx.config.tunnelSetting(connection)
    ? vscode.l10n.t(' Note: the setting btpConnect.tunnels names a tunnel for {0} and overrides this one.', connection)
    : '';
  void vscode.window.showInformationMessage(
    vscode.l10n.t(
      '{0} reaches the connectivity proxy through {1}{2}.{3}{4}',
      connection,
      formatTunnelMode(outcome.mode),
      restarted === 1 ? vscode.l10n.t('; 1 forward restarted through it') : restarted ? vscode.l10n.t('; {0} forwards restarted through it', restarted) : '',
      created,
      overridden,
    ),
  );
}

export async function removeTunnelApp(ctx: Ctx, node?: ConnectionArgument): Promise<void> {
  const connection = await savedConnection(ctx, node, vscode.l10n.t('Remove the tunnel app of which connection?'));
  if (!connection) return;
  const outcome = await withFlow(ctx, vscode.l10n.t('Remove Tunnel App of {0}', connection), connection, (flow) => removeFlow(flow));
  const messages: Partial<Record<typeof outcome.kind, string>> = {
    removed: vscode.l10n.t(
      'Deleted app "{0}" and its service binding; {1} has no tunnel through it any more.',
      'app' in outcome ? outcome.app : '',
      connection,
    ),
    gone: vscode.l10n.t('The tunnel app of {0} does not exist any more; its record is gone too.', connection),
    'not-ours': vscode.l10n.t('The app of that name is not the one BTP Connect created: it was left alone, and the record forgotten.'),
    forgotten: vscode.l10n.t('BTP Connect created nothing for {0}; its saved tunnel is forgotten.', connection),
    nothing: vscode.l10n.t('{0} has no tunnel app created by BTP Connect.', connection),
    declined: vscode.l10n.t('Nothing was removed.'),
  };
  if (outcome.kind === 'removed' || outcome.kind === 'gone' || outcome.kind === 'not-ours' || outcome.kind === 'forgotten')
    await ctx.registry.reopen(connection);
  const message = messages[outcome.kind];
  if (message) void vscode.window.showInformationMessage(message);
}

async function savedConnection(ctx: Ctx, node: ConnectionArgument | undefined, title: string): Promise<string | undefined> {
  if (node?.kind === 'connection' && node.connectionKind !== undefined && node.connectionKind !== 'saved') {
    void vscode.window.showInformationMessage(
      node.connectionKind === 'sandbox'
        ? vscode.l10n.t('{0} is the sandbox: its connectivity proxy runs on this machine and needs no tunnel.', node.connection)
        : vscode.l10n.t("{0} is this machine's destinations and needs no tunnel.", node.connection),
    );
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
