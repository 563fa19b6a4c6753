import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import { DESTINATION_EDITOR } from '../editor/destinationEditorProvider';
import { destinationUri } from '../editor/destinationUri';
import type { DestinationNode, TreeNode } from '../tree/destinationsModel';
import { pickConnection, pickDestination } from './pickers';

/** Destination commands: open the editor on one, on a new one, on a copy; delete one. */

async function destinationFrom(ctx: Ctx, node: TreeNode | undefined, title: string): Promise<DestinationNode | undefined> {
  return node?.kind === 'destination' ? node : pickDestination(ctx, title);
}

export async function editDestination(ctx: Ctx, node?: TreeNode): Promise<void> {
  const destination = await destinationFrom(ctx, node, 'Edit which destination?');
  if (!destination) return;
  const uri = destinationUri({ kind: 'existing', connection: destination.connection, level: destination.level, name: destination.name });
  await vscode.commands.executeCommand('vscode.openWith', uri, DESTINATION_EDITOR);
}

export async function newDestination(ctx: Ctx, node?: TreeNode): Promise<void> {
  const connection = node && node.kind !== 'message' ? node.connection : (await pickConnection(ctx, 'Create the destination in which connection?'))?.connection;
  if (!connection) return;
  let level = node?.kind === 'level' || node?.kind === 'destination' ? node.level : undefined;
  if (!level) {
    const picked = await vscode.window.showQuickPick(
      [
        { label: 'Subaccount', description: 'visible to every application of the subaccount', level: 'subaccount' as const },
        { label: 'Service instance', description: 'visible to applications bound to this Destination service instance', level: 'instance' as const },
      ],
      { title: `New destination in ${connection}: at which level?` },
    );
    level = picked?.level;
  }
  if (!level) return;
  await vscode.commands.executeCommand('vscode.openWith', destinationUri({ kind: 'new', connection, level }), DESTINATION_EDITOR);
}

export async function duplicateDestination(ctx: Ctx, node?: TreeNode): Promise<void> {
  const destination = await destinationFrom(ctx, node, 'Duplicate which destination?');
  if (!destination) return;
  const uri = destinationUri({ kind: 'new', connection: destination.connection, level: destination.level, from: destination.name });
  await vscode.commands.executeCommand('vscode.openWith', uri, DESTINATION_EDITOR);
}

export async function deleteDestination(ctx: Ctx, node?: TreeNode): Promise<void> {
  const destination = await destinationFrom(ctx, node, 'Delete which destination?');
  if (!destination) return;
  const forwarded = ctx.registry.forwardOf(destination.connection, destination.name) !== undefined;
  const answer = await vscode.window.showWarningMessage(
    `Delete the destination "${destination.name}" from the ${destination.level} level of ${destination.connection}? Applications that use it stop working.${forwarded ? ' Its forward keeps its last settings until you stop it.' : ''}`,
    { modal: true },
    'Delete',
  );
  if (answer !== 'Delete') return;
  const connection = await ctx.registry.get(destination.connection);
  await connection.client.delete(destination.level, destination.name);
  ctx.destinations.refreshLevel(destination.connection, destination.level);
}
