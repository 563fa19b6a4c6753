import * as vscode from 'vscode';
import type { ForwardEntry } from '../connections/connectionRegistry';
import type { Ctx } from './ctx';
import { targetOf, type ConnectionNode, type DestinationNode } from '../tree/destinationsModel';

/** QuickPick fallbacks for commands run from the palette without a selected tree item. */

export async function pickConnection(ctx: Ctx, title: string, savedOnly = false): Promise<ConnectionNode | undefined> {
  await ctx.destinations.reloadConnections();
  const roots = ctx.destinations.model.roots().filter((root) => !savedOnly || root.connectionKind === 'saved');
  if (roots.length === 0) {
    void vscode.window.showInformationMessage(
      savedOnly ? vscode.l10n.t('There is no saved connection.') : vscode.l10n.t('Connect a subaccount or start the sandbox first.'),
    );
    return undefined;
  }
  if (roots.length === 1) return roots[0];
  const picked = await vscode.window.showQuickPick(
    roots.map((root) => ({ label: root.connection, description: root.description, root })),
    { title },
  );
  return picked?.root;
}

export async function pickDestination(ctx: Ctx, title: string): Promise<DestinationNode | undefined> {
  const connection = await pickConnection(ctx, title);
  if (!connection) return undefined;
  const destinations = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Loading destinations of {0}…', connection.connection) },
    async () => {
      await ctx.destinations.loadConnection(connection.connection);
      return ctx.destinations.model.allDestinations().filter((node) => node.connection === connection.connection);
    },
  );
  const picked = await vscode.window.showQuickPick(
    destinations.map((node) => ({ label: node.name, description: `${node.level} · ${targetOf(node.record)}`, node })),
    { title, matchOnDescription: true },
  );
  return picked?.node;
}

export async function pickForward(ctx: Ctx, title: string): Promise<ForwardEntry | undefined> {
  const forwards = ctx.registry.forwards();
  if (forwards.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('No forward is running.'));
    return undefined;
  }
  if (forwards.length === 1) return forwards[0];
  const picked = await vscode.window.showQuickPick(
    forwards.map((entry) => ({ label: entry.info.destination, description: `${entry.info.localAddress} · ${entry.connection} · ${entry.info.state}`, entry })),
    { title },
  );
  return picked?.entry;
}
