import * as vscode from 'vscode';
import { DestinationServiceClient } from '../../core/destinationService/client';
import { BtpError, ErrorCode } from '../../core/errors';
import type { Ctx } from '../context/ctx';
import { openDestinationEditor } from '../editor/openDestinationEditor';
import type { TreeNode } from '../tree/destinationsModel';
import type { FragmentNode } from '../tree/fragmentNodes';
import { pickConnection, pickLevel } from '../context/pickers';

/** Destination fragment commands: open the editor on one or on a new one; delete one. */

async function fragmentFrom(ctx: Ctx, node: TreeNode | undefined, title: string): Promise<FragmentNode | undefined> {
  if (node?.kind === 'fragment') return node;
  const connection = node && node.kind !== 'message' ? node.connection : (await pickConnection(ctx, title))?.connection;
  if (!connection) return undefined;
  const fragments = await ctx.destinations.loadFragments(connection);
  const picked = await vscode.window.showQuickPick(
    fragments.map((fragment) => ({ label: fragment.name, description: fragment.level, fragment })),
    { title },
  );
  return picked?.fragment;
}

export async function editFragment(ctx: Ctx, node?: TreeNode): Promise<void> {
  const fragment = await fragmentFrom(ctx, node, vscode.l10n.t('Edit which fragment?'));
  if (!fragment) return;
  await openDestinationEditor(ctx.registry, { kind: 'existing', connection: fragment.connection, level: fragment.level, name: fragment.name, fragment: true });
}

export async function newFragment(ctx: Ctx, node?: TreeNode): Promise<void> {
  const connection =
    node && node.kind !== 'message' ? node.connection : (await pickConnection(ctx, vscode.l10n.t('Create the fragment in which connection?')))?.connection;
  if (!connection) return;
  let level = node?.kind === 'fragment' ? node.level : undefined;
  level ??= await pickLevel(vscode.l10n.t('New fragment in {0}: at which level?', connection), {
    subaccount: vscode.l10n.t('merged into subaccount destinations'),
    instance: vscode.l10n.t('merged into destinations of this service instance'),
  });
  if (!level) return;
  if (!((await ctx.registry.get(connection)).client instanceof DestinationServiceClient)) {
    throw new BtpError(ErrorCode.Unsupported, "Destinations of this machine have no fragments; fragments live in a subaccount's Destination service.", {
      field: 'connection',
    });
  }
  await openDestinationEditor(ctx.registry, { kind: 'new', connection, level, fragment: true });
}

export async function deleteFragment(ctx: Ctx, node?: TreeNode): Promise<void> {
  const fragment = await fragmentFrom(ctx, node, vscode.l10n.t('Delete which fragment?'));
  if (!fragment) return;
  const forwards = ctx.registry.forwards().filter((entry) => entry.connection === fragment.connection && entry.info.fragment === fragment.name).length;
  const answer = await vscode.window.showWarningMessage(
    vscode.l10n.t(
      'Delete the fragment "{0}" from the {1} level of {2}? Lookups that name it fail unless it is optional.{3}',
      fragment.name,
      fragment.level,
      fragment.connection,
      forwards > 0 ? vscode.l10n.t(' {0} forwards use it; they fail on their next lookup.', forwards) : '',
    ),
    { modal: true },
    vscode.l10n.t('Delete'),
  );
  if (answer !== vscode.l10n.t('Delete')) return;
  const { client } = await ctx.registry.get(fragment.connection);
  if (client instanceof DestinationServiceClient) await client.deleteFragment(fragment.level, fragment.name);
  ctx.destinations.refreshFragments(fragment.connection);
}
