import * as vscode from 'vscode';
import { parseSubscriberTenant, sameTenant, tenantText, type SubscriberTenant } from '../../core/connections/subscriberTenant';
import { isBtpError } from '../../core/errors';
import { LOCAL_CONNECTION } from '../connections/connectionRegistry';
import type { Ctx } from '../context/ctx';
import type { TreeNode } from '../tree/destinationsModel';
import { pickConnection } from '../context/pickers';

type Choice = { readonly label: string; readonly description?: string; readonly tenant?: SubscriberTenant; readonly typed?: true };

/**
 * Act for Subscriber Tenant…: the connection's tree, editor, forwards, Check Connection and sign-in then work in
 * that subscriber subaccount, never the provider's. `choice` (tests, other commands): a subdomain or id, or null for
 * the provider; without it the user picks a tenant found for the connection, types one, or picks the provider.
 */
export async function actForTenant(ctx: Ctx, node?: TreeNode, choice?: string | null): Promise<void> {
  const connection =
    node?.kind === 'connection' && node.connectionKind !== 'local'
      ? node
      : await pickConnection(ctx, vscode.l10n.t('Act for a subscriber tenant on which connection?')).then((picked) =>
          picked?.connectionKind === 'local' ? undefined : picked,
        );
  if (!connection || connection.connection === LOCAL_CONNECTION) return;
  const name = connection.connection;
  const current = await ctx.registry.tenantOf(name);
  const tenant = choice === undefined ? await askForTenant(ctx, name, current) : choice === null ? null : parseSubscriberTenant(choice);
  if (tenant === undefined) return;
  const next = tenant ?? undefined;
  if (sameTenant(current, next)) return;
  const forwards = ctx.registry.forwards().filter((entry) => entry.connection === name).length;
  const user = ctx.registry.signedInUser(name);
  if (forwards > 0 || user) {
    const what =
      forwards > 0 && user
        ? vscode.l10n.t('Its {0} forwards stop and {1} is signed out.', forwards, user.userName)
        : forwards > 0
          ? vscode.l10n.t('Its {0} forwards stop.', forwards)
          : vscode.l10n.t('{0} is signed out.', user?.userName ?? '');
    const go = vscode.l10n.t('Switch');
    const answer = choice === undefined ? await vscode.window.showWarningMessage(`${describe(name, next)} ${what}`, { modal: true }, go) : go;
    if (answer !== go) return;
  }
  await ctx.registry.setTenant(name, next);
  await ctx.destinations.reloadConnections();
  // The loaded levels were the other tenant's destinations: fetch them again.
  const root = ctx.destinations.model.roots().find((candidate) => candidate.connection === name);
  if (root) ctx.destinations.refresh(root);
  void vscode.window.showInformationMessage(describe(name, next));
}

function describe(name: string, tenant: SubscriberTenant | undefined): string {
  return tenant
    ? vscode.l10n.t('{0} now acts for the subscriber tenant {1}: its destinations, forwards, checks and sign-in.', name, tenantText(tenant))
    : vscode.l10n.t('{0} now acts for the provider subaccount again.', name);
}

/** Resolves to the tenant chosen, null for the provider, undefined when the user cancelled. */
async function askForTenant(ctx: Ctx, name: string, current: SubscriberTenant | undefined): Promise<SubscriberTenant | null | undefined> {
  const mark = (tenant: SubscriberTenant | undefined) => (sameTenant(current, tenant) ? vscode.l10n.t('current') : undefined);
  const provider: Choice = { label: vscode.l10n.t('Provider'), description: mark(undefined) ?? vscode.l10n.t("the subaccount of the connection's keys") };
  const found: Choice[] = (await ctx.registry.knownTenants(name)).map((tenant) => ({
    label: tenantText(tenant),
    description: mark(tenant) ?? vscode.l10n.t('subscriber tenant'),
    tenant,
  }));
  const typed: Choice = { label: vscode.l10n.t('Other subscriber tenant…'), description: vscode.l10n.t('type its subdomain or tenant id'), typed: true };
  const picked = await vscode.window.showQuickPick<Choice>([provider, ...found, typed], { title: vscode.l10n.t('Act for which tenant on {0}?', name) });
  if (!picked) return undefined;
  if (!picked.typed) return picked.tenant ?? null;
  const text = await vscode.window.showInputBox({
    title: vscode.l10n.t('Subscriber tenant of {0}', name),
    prompt: vscode.l10n.t("The subscriber subaccount's subdomain (e.g. customer-a) or its tenant id (a GUID)"),
    validateInput: (value) => {
      try {
        parseSubscriberTenant(value);
        return undefined;
      } catch (error) {
        return isBtpError(error) ? error.message : String(error);
      }
    },
  });
  return text === undefined ? undefined : parseSubscriberTenant(text);
}
