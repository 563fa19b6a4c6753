import * as vscode from 'vscode';
import type { ForwardEntry } from '../connections/connectionRegistry';
import type { Ctx } from '../context/ctx';
import type { DestinationNode, TreeNode } from '../tree/destinationsModel';
import { ALL_DESTINATIONS } from '../../core/forward/router';
import { forwardLabel } from '../../core/forward/forwardFragment';
import { forwardTarget, pickConnection, pickDestination, pickForward, pickFragment } from '../context/pickers';

/** Start, stop, restart a forward; copy or open its local address. */

/**
 * Forward a destination: from its tree item as it is; from a fragment's item with a picked destination; from the
 * palette with a picked destination and, when the connection has fragments, a picked fragment (or none).
 * `fragment` names one directly (API, tests).
 */
export async function startForward(ctx: Ctx, node?: TreeNode, fragment?: string): Promise<void> {
  const target = await forwardTarget(ctx, node, fragment);
  if (!target) return;
  const { destination } = target;
  const label = forwardLabel({ destination: destination.name, ...(target.fragment ? { fragment: target.fragment } : {}) });
  const existing = ctx.registry.forwardOf(destination.connection, destination.name, target.fragment);
  if (existing) {
    void vscode.window.showInformationMessage(vscode.l10n.t('{0} is already forwarded at {1}.', label, existing.localAddress));
    return;
  }
  const info = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Forwarding {0}…', label) },
    async () => {
      const connection = await ctx.registry.get(destination.connection);
      // A fragment's forward takes a free port: a port set for the destination belongs to its plain forward.
      const spec = ctx.config.forwardSpec(destination.name);
      return connection.startForward(target.fragment ? { ...spec, fragment: target.fragment, port: 0 } : spec);
    },
  );
  void vscode.window.showInformationMessage(vscode.l10n.t('Forwarding {0} → {1}', info.localAddress, label), vscode.l10n.t('Copy Address')).then((choice) => {
    if (choice) void vscode.env.clipboard.writeText(ctx.registry.urlForApps(info));
  });
}

/** "Forward with Fragment…" on a destination: the same forward, with a fragment picked from its connection's. */
export async function startForwardWithFragment(ctx: Ctx, node?: TreeNode): Promise<void> {
  const destination = node?.kind === 'destination' ? node : await pickDestination(ctx, vscode.l10n.t('Forward a local port to…'));
  if (!destination) return;
  const fragment = await pickFragment(ctx, destination.connection, vscode.l10n.t('Merge which fragment into {0}?', destination.name), false);
  if (fragment) await startForward(ctx, destination, fragment);
}

/** One port for every HTTP destination of a connection: `/<destination>/…` or `X-Destination-Name` picks one. */
export async function forwardAllDestinations(ctx: Ctx, node?: TreeNode): Promise<void> {
  const connection = node?.kind === 'connection' ? node : await pickConnection(ctx, vscode.l10n.t('Forward all destinations of which connection?'));
  if (!connection) return;
  const existing = ctx.registry.forwardOf(connection.connection, ALL_DESTINATIONS);
  const info =
    existing ??
    (await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Forwarding all destinations of {0}…', connection.connection) },
      async () => (await ctx.registry.get(connection.connection)).startForward(ctx.config.forwardSpec(ALL_DESTINATIONS)),
    ));
  const address = ctx.registry.urlForApps(info);
  void vscode.window
    .showInformationMessage(vscode.l10n.t('All destinations of {0} at {1}/<destination>/…', connection.connection, address), vscode.l10n.t('Copy Address'))
    .then((choice) => {
      if (choice) void vscode.env.clipboard.writeText(address);
    });
}

/** The forward a command is about: a Forwards view item, a forwarded destination, or one picked from the list. */
export async function forwardFor(ctx: Ctx, target: ForwardEntry | TreeNode | undefined, title: string): Promise<ForwardEntry | undefined> {
  if (target && 'info' in target) return target;
  if (target?.kind === 'destination') {
    const info = ctx.registry.forwardOf(target.connection, target.name);
    return info ? { connection: target.connection, info } : undefined;
  }
  return pickForward(ctx, title);
}

export async function stopForward(ctx: Ctx, target?: ForwardEntry | DestinationNode): Promise<void> {
  const entry = await forwardFor(ctx, target, vscode.l10n.t('Stop which forward?'));
  if (!entry) return;
  await (await ctx.registry.get(entry.connection)).forwards.stop(entry.info.id);
}

export async function restartForward(ctx: Ctx, target?: ForwardEntry | DestinationNode): Promise<void> {
  const entry = await forwardFor(ctx, target, vscode.l10n.t('Restart which forward?'));
  if (!entry) return;
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Restarting {0}…', entry.info.destination) }, async () => {
    await (await ctx.registry.get(entry.connection)).forwards.restart(entry.info.id);
  });
}

export async function copyForwardUrl(ctx: Ctx, target?: ForwardEntry | DestinationNode): Promise<void> {
  const entry = await forwardFor(ctx, target, vscode.l10n.t('Copy the address of which forward?'));
  if (entry) await vscode.env.clipboard.writeText(ctx.registry.urlForApps(entry.info));
}

export async function openForwardInBrowser(ctx: Ctx, target?: ForwardEntry | DestinationNode): Promise<void> {
  const entry = await forwardFor(ctx, target, vscode.l10n.t('Open which forward?'));
  if (!entry) return;
  if (entry.info.destination === ALL_DESTINATIONS) {
    void vscode.window.showInformationMessage(
      vscode.l10n.t('{0} serves every destination below its name: open {1}/<destination>/….', entry.info.localAddress, entry.info.localAddress),
    );
    return;
  }
  if (entry.info.kind !== 'http') {
    void vscode.window.showInformationMessage(
      vscode.l10n.t('{0} is a TCP forward ({1}); there is nothing to open in a browser.', entry.info.destination, entry.info.localAddress),
    );
    return;
  }
  await vscode.env.openExternal(vscode.Uri.parse(`${ctx.registry.urlForApps(entry.info)}/`));
}

/** The traffic inspector of an HTTP forward: recording starts when it opens and stops when it closes. */
export async function inspectTraffic(ctx: Ctx, target?: ForwardEntry | DestinationNode): Promise<void> {
  const entry = await forwardFor(ctx, target, vscode.l10n.t('Inspect the traffic of which forward?'));
  if (!entry) return;
  if (entry.info.kind !== 'http') {
    void vscode.window.showInformationMessage(
      vscode.l10n.t('{0} is a TCP forward ({1}): there are no HTTP requests to inspect.', entry.info.destination, entry.info.localAddress),
    );
    return;
  }
  await ctx.inspectors.show(entry);
}
