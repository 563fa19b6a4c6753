import * as vscode from 'vscode';
import { forwardLabel } from '../../core/forward/forwardFragment';
import type { ForwardEntry } from '../connections/connectionRegistry';
import type { Ctx } from './ctx';
import { targetOf, type ConnectionNode, type DestinationNode, type TreeNode } from '../tree/destinationsModel';

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

export async function pickDestination(ctx: Ctx, title: string, only?: string): Promise<DestinationNode | undefined> {
  const connection = only === undefined ? await pickConnection(ctx, title) : { connection: only };
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
    forwards.map((entry) => ({
      label: forwardLabel(entry.info),
      description: `${entry.info.localAddress} · ${entry.connection} · ${entry.info.state}`,
      entry,
    })),
    { title },
  );
  return picked?.entry;
}

/**
 * A fragment of `connection` (loaded first); `optional`: "No fragment" is offered first and picks `''`. Undefined when
 * the pick is cancelled, or when the connection has no fragments and none is optional (said in a message).
 */
export async function pickFragment(ctx: Ctx, connection: string, title: string, optional: boolean): Promise<string | undefined> {
  const fragments = await ctx.destinations.loadFragments(connection);
  if (fragments.length === 0) {
    if (optional) return '';
    void vscode.window.showInformationMessage(vscode.l10n.t('{0} has no destination fragments; create one under its Fragments node.', connection));
    return undefined;
  }
  const none = { label: vscode.l10n.t('No fragment'), description: vscode.l10n.t('the destination as it is'), name: '' };
  const items = fragments.map((node) => ({
    label: node.name,
    description: `${node.level} · ${Object.keys(node.record)
      .filter((key) => key !== 'FragmentName')
      .join(', ')}`,
    name: node.name,
  }));
  const picked = await vscode.window.showQuickPick(optional ? [none, ...items] : items, { title, matchOnDescription: true });
  return picked?.name;
}

/**
 * The destination and fragment a forward or a check is about: a destination item as it is, a fragment item with a
 * picked destination, the palette with both picked (the fragment only when the connection has any). `fragment`
 * given: that one, no question.
 */
export async function forwardTarget(
  ctx: Ctx,
  node: TreeNode | undefined,
  fragment: string | undefined,
): Promise<{ destination: DestinationNode; fragment?: string } | undefined> {
  const title = vscode.l10n.t('Which destination?');
  if (node?.kind === 'destination') return { destination: node, ...(fragment ? { fragment } : {}) };
  if (node?.kind === 'fragment') {
    const destination = await pickDestination(ctx, vscode.l10n.t('Merge {0} into which destination?', node.name), node.connection);
    return destination ? { destination, fragment: node.name } : undefined;
  }
  const destination = await pickDestination(ctx, title);
  if (!destination) return undefined;
  const picked = fragment ?? (await pickFragment(ctx, destination.connection, vscode.l10n.t('With a fragment merged into {0}?', destination.name), true));
  if (picked === undefined) return undefined;
  return { destination, ...(picked ? { fragment: picked } : {}) };
}

/** Asks at which level something new goes; the descriptions say what that level means for it. */
export async function pickLevel(
  title: string,
  descriptions: { readonly subaccount: string; readonly instance: string },
): Promise<'subaccount' | 'instance' | undefined> {
  const picked = await vscode.window.showQuickPick(
    [
      { label: vscode.l10n.t('Subaccount'), description: descriptions.subaccount, level: 'subaccount' as const },
      { label: vscode.l10n.t('Service instance'), description: descriptions.instance, level: 'instance' as const },
    ],
    { title },
  );
  return picked?.level;
}
