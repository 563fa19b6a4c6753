import * as vscode from 'vscode';
import type { ForwardEntry } from '../connections/connectionRegistry';
import type { Ctx } from '../ctx';
import type { DestinationNode, TreeNode } from '../tree/destinationsModel';
import { ALL_DESTINATIONS } from '../../core/forward/router';
import { pickConnection, pickDestination, pickForward } from './pickers';

/** Start, stop, restart a forward; copy or open its local address. */

export async function startForward(ctx: Ctx, node?: TreeNode): Promise<void> {
  const destination = node?.kind === 'destination' ? node : await pickDestination(ctx, 'Forward a local port to…');
  if (!destination) return;
  const existing = ctx.registry.forwardOf(destination.connection, destination.name);
  if (existing) {
    void vscode.window.showInformationMessage(`${destination.name} is already forwarded at ${existing.localAddress}.`);
    return;
  }
  const info = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Forwarding ${destination.name}…` },
    async () => {
      const connection = await ctx.registry.get(destination.connection);
      return connection.startForward(ctx.config.forwardSpec(destination.name));
    },
  );
  void vscode.window.showInformationMessage(`Forwarding ${info.localAddress} → ${destination.name}`, 'Copy Address').then((choice) => {
    if (choice) void vscode.env.clipboard.writeText(ctx.registry.urlForApps(info));
  });
}

/** One port for every HTTP destination of a connection: `/<destination>/…` or `X-Destination-Name` picks one. */
export async function forwardAllDestinations(ctx: Ctx, node?: TreeNode): Promise<void> {
  const connection = node?.kind === 'connection' ? node : await pickConnection(ctx, 'Forward all destinations of which connection?');
  if (!connection) return;
  const existing = ctx.registry.forwardOf(connection.connection, ALL_DESTINATIONS);
  const info =
    existing ??
    (await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Forwarding all destinations of ${connection.connection}…` }, async () =>
      (await ctx.registry.get(connection.connection)).startForward(ctx.config.forwardSpec(ALL_DESTINATIONS)),
    ));
  const address = ctx.registry.urlForApps(info);
  void vscode.window.showInformationMessage(`All destinations of ${connection.connection} at ${address}/<destination>/…`, 'Copy Address').then((choice) => {
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
  const entry = await forwardFor(ctx, target, 'Stop which forward?');
  if (!entry) return;
  await (await ctx.registry.get(entry.connection)).forwards.stop(entry.info.id);
}

export async function restartForward(ctx: Ctx, target?: ForwardEntry | DestinationNode): Promise<void> {
  const entry = await forwardFor(ctx, target, 'Restart which forward?');
  if (!entry) return;
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Restarting ${entry.info.destination}…` }, async () => {
    await (await ctx.registry.get(entry.connection)).forwards.restart(entry.info.id);
  });
}

export async function copyForwardUrl(ctx: Ctx, target?: ForwardEntry | DestinationNode): Promise<void> {
  const entry = await forwardFor(ctx, target, 'Copy the address of which forward?');
  if (entry) await vscode.env.clipboard.writeText(ctx.registry.urlForApps(entry.info));
}

export async function openForwardInBrowser(ctx: Ctx, target?: ForwardEntry | DestinationNode): Promise<void> {
  const entry = await forwardFor(ctx, target, 'Open which forward?');
  if (!entry) return;
  if (entry.info.destination === ALL_DESTINATIONS) {
    void vscode.window.showInformationMessage(`${entry.info.localAddress} serves every destination below its name: open ${entry.info.localAddress}/<destination>/….`);
    return;
  }
  if (entry.info.kind !== 'http') {
    void vscode.window.showInformationMessage(`${entry.info.destination} is a TCP forward (${entry.info.localAddress}); there is nothing to open in a browser.`);
    return;
  }
  await vscode.env.openExternal(vscode.Uri.parse(`${ctx.registry.urlForApps(entry.info)}/`));
}

/** The traffic inspector of an HTTP forward: recording starts when it opens and stops when it closes. */
export async function inspectTraffic(ctx: Ctx, target?: ForwardEntry | DestinationNode): Promise<void> {
  const entry = await forwardFor(ctx, target, 'Inspect the traffic of which forward?');
  if (!entry) return;
  if (entry.info.kind !== 'http') {
    void vscode.window.showInformationMessage(`${entry.info.destination} is a TCP forward (${entry.info.localAddress}): there are no HTTP requests to inspect.`);
    return;
  }
  await ctx.inspectors.show(entry);
}
