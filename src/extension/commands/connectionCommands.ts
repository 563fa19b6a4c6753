import * as vscode from 'vscode';
import type { ConnectionBindings } from '../../core/connections/connectionStore';
import { DestinationServiceClient } from '../../core/destinationService/client';
import { HttpAgents } from '../../core/http/agents';
import { askForConnection } from '../connections/connectFlows';
import { SANDBOX_CONNECTION } from '../connections/connectionRegistry';
import type { Ctx } from '../context/ctx';
import { connectionId, type TreeNode } from '../tree/destinationsModel';
import { pickConnection } from '../context/pickers';

/** Connect, remove, sandbox, refresh, filter, reveal. */

export async function connect(ctx: Ctx): Promise<void> {
  const answer = await askForConnection();
  if (!answer) return;
  if (await saveConnection(ctx, answer.name, answer.bindings)) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Connected "{0}". Its secret is in the {1}.', answer.name, ctx.secretStorage));
  }
}

/**
 * Checks the credentials (a wrong secret is reported now, not at first use), then stores the connection (asking
 * before replacing one of the same name) and reveals it. False when the user declined.
 */
export async function saveConnection(ctx: Ctx, name: string, bindings: ConnectionBindings): Promise<boolean> {
  const existing = (await ctx.registry.list()).some((entry) => entry.name === name);
  if (existing) {
    const replace = await vscode.window.showWarningMessage(
      vscode.l10n.t('A connection named "{0}" exists. Replace it?', name),
      { modal: true },
      vscode.l10n.t('Replace'),
    );
    if (replace !== vscode.l10n.t('Replace')) return false;
  }
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Connecting {0}…', name) }, async () => {
    const agents = new HttpAgents({ network: ctx.registry.network });
    try {
      await new DestinationServiceClient({ binding: bindings.destination, agents }).tokens.clientCredentials();
    } finally {
      await agents.close();
    }
    await ctx.registry.add(name, bindings, existing);
  });
  await ctx.destinations.reloadConnections();
  const root = ctx.destinations.model.roots().find((candidate) => candidate.id === connectionId(name));
  if (root) await ctx.destinationsView.reveal(root, { expand: true, select: true });
  return true;
}

export async function removeConnection(ctx: Ctx, node?: TreeNode): Promise<void> {
  const connection = node?.kind === 'connection' ? node : await pickConnection(ctx, vscode.l10n.t('Remove which connection?'), true);
  if (!connection) return;
  if (connection.connection === SANDBOX_CONNECTION && connection.connectionKind === 'sandbox') {
    await ctx.sandbox.stop();
    return;
  }
  // What Set Up Tunnel… created stays in Cloud Foundry: say so before the record of it goes with the connection.
  const created = (await ctx.registry.store.tunnel(connection.connection))?.createdApp;
  const app = created
    ? vscode.l10n.t(' Its tunnel app "{0}" stays in org "{1}" / space "{2}" (Remove Tunnel App deletes it first).', created.app, created.org, created.space)
    : '';
  const answer = await vscode.window.showWarningMessage(
    vscode.l10n.t('Remove the connection "{0}"? Its forwards stop and its secrets are deleted from the {1}.{2}', connection.connection, ctx.secretStorage, app),
    { modal: true },
    vscode.l10n.t('Remove'),
  );
  if (answer !== vscode.l10n.t('Remove')) return;
  await ctx.registry.remove(connection.connection);
}

export async function startSandbox(ctx: Ctx): Promise<void> {
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Starting the BTP sandbox…') }, () =>
    ctx.sandbox.start(),
  );
  await ctx.destinations.reloadConnections();
  const root = ctx.destinations.model.roots().find((candidate) => candidate.id === connectionId(SANDBOX_CONNECTION));
  if (root) await ctx.destinationsView.reveal(root, { expand: true });
}

export async function stopSandbox(ctx: Ctx): Promise<void> {
  await ctx.sandbox.stop();
}

export function refresh(ctx: Ctx, node?: TreeNode): void {
  ctx.destinations.refresh(node);
}

export async function filter(ctx: Ctx): Promise<void> {
  const text = await vscode.window.showInputBox({
    title: vscode.l10n.t('Filter destinations'),
    prompt: vscode.l10n.t('Show destinations whose name, URL or description contains this text (empty: all)'),
    value: ctx.destinations.model.filter,
  });
  if (text !== undefined) ctx.destinations.setFilter(text);
}

export function clearFilter(ctx: Ctx): void {
  ctx.destinations.setFilter('');
}

export async function revealDestination(ctx: Ctx, connectionName?: string, destinationName?: string): Promise<void> {
  let node = connectionName && destinationName ? await findLoaded(ctx, connectionName, destinationName) : undefined;
  if (!node) {
    const roots = ctx.destinations.model.roots();
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Loading destinations…') }, async () => {
      for (const root of roots) await ctx.destinations.loadConnection(root.connection);
    });
    const picked = await vscode.window.showQuickPick(
      ctx.destinations.model
        .allDestinations()
        .map((candidate) => ({ label: candidate.name, description: `${candidate.connection} · ${candidate.level}`, node: candidate })),
      { title: vscode.l10n.t('Reveal destination'), matchOnDescription: true },
    );
    node = picked?.node;
  }
  if (node) await ctx.destinationsView.reveal(node, { select: true, focus: true, expand: true });
}

async function findLoaded(ctx: Ctx, connection: string, name: string) {
  await ctx.destinations.reloadConnections();
  await ctx.destinations.loadConnection(connection);
  return ctx.destinations.findDestination(connection, name);
}

export async function copyDestinationName(_ctx: Ctx, node?: TreeNode): Promise<void> {
  if (node?.kind === 'destination') await vscode.env.clipboard.writeText(node.name);
}
