import * as vscode from 'vscode';
import type { Ctx } from '../context/ctx';
import { openDestinationEditor } from '../editor/openDestinationEditor';
import type { DestinationNode, TreeNode } from '../tree/destinationsModel';
import { pickConnection, pickDestination, pickLevel } from '../context/pickers';

/** Destination commands: open the editor on one, on a new one, on a copy; delete one. */

async function destinationFrom(ctx: Ctx, node: TreeNode | undefined, title: string): Promise<DestinationNode | undefined> {
  return node?.kind === 'destination' ? node : pickDestination(ctx, title);
}

export async function editDestination(ctx: Ctx, node?: TreeNode): Promise<void> {
  const destination = await destinationFrom(ctx, node, vscode.l10n.t('Edit which destination?'));
  if (!destination) return;
  await openDestinationEditor(ctx.registry, { kind: 'existing', connection: destination.connection, level: destination.level, name: destination.name });
}

export async function newDestination(ctx: Ctx, node?: TreeNode): Promise<void> {
  const connection =
    node && node.kind !== 'message' ? node.connection : (await pickConnection(ctx, vscode.l10n.t('Create the destination in which connection?')))?.connection;
  if (!connection) return;
  let level = node?.kind === 'level' || node?.kind === 'destination' ? node.level : undefined;
  level ??= await pickLevel(vscode.l10n.t('New destination in {0}: at which level?', connection), {
    subaccount: vscode.l10n.t('visible to every application of the subaccount'),
    instance: vscode.l10n.t('visible to applications bound to this Destination service instance'),
  });
  if (!level) return;
  await openDestinationEditor(ctx.registry, { kind: 'new', connection, level });
}

export async function duplicateDestination(ctx: Ctx, node?: TreeNode): Promise<void> {
  const destination = await destinationFrom(ctx, node, vscode.l10n.t('Duplicate which destination?'));
  if (!destination) return;
  await openDestinationEditor(ctx.registry, { kind: 'new', connection: destination.connection, level: destination.level, from: destination.name });
}

export async function deleteDestination(ctx: Ctx, node?: TreeNode): Promise<void> {
  const destination = await destinationFrom(ctx, node, vscode.l10n.t('Delete which destination?'));
  if (!destination) return;
  const forwarded = ctx.registry.forwardOf(destination.connection, destination.name) !== undefined;
  const answer = await vscode.window.showWarningMessage(
    vscode.l10n.t(
      'Delete the destination "{0}" from the {1} level of {2}? Applications that use it stop working.{3}',
      destination.name,
      destination.level,
      destination.connection,
      forwarded ? vscode.l10n.t(' Its forward keeps its last settings until you stop it.') : '',
    ),
    { modal: true },
    vscode.l10n.t('Delete'),
  );
  if (answer !== vscode.l10n.t('Delete')) return;
  const connection = await ctx.registry.get(destination.connection);
  await connection.client.delete(destination.level, destination.name);
  ctx.destinations.refreshLevel(destination.connection, destination.level);
}
