import * as vscode from 'vscode';
import type { CheckResult } from '../../core/diagnosis/types';
import { ErrorCode } from '../../core/errors';
import { checkReport, hopLabels } from '../../protocol/checkWords';
import type { Ctx } from '../ctx';
import type { TreeNode } from '../tree/destinationsModel';
import { CommandId } from './commandIds';
import { pickDestination } from './pickers';

/**
 * Check Connection: every hop from the token service to the system behind the Cloud Connector, the first broken
 * one named with its fix. The report goes to the BTP Connect output; a notification says the verdict.
 */
export async function checkConnection(ctx: Ctx, node?: TreeNode, path?: string): Promise<CheckResult | undefined> {
  const destination = node?.kind === 'destination' ? node : await pickDestination(ctx, 'Check the connection to…');
  if (!destination) return undefined;
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Checking ${destination.name}: token service, Destination service, proxy, Cloud Connector, backend…` },
    async () => (await ctx.registry.get(destination.connection)).check(destination.name, path),
  );
  ctx.channel.appendLine(`Check Connection, ${destination.connection}${path ? `, path ${path}` : ''}:`);
  for (const line of checkReport(result)) ctx.channel.appendLine(`  ${line}`);
  const failure = result.firstFailure;
  const show = (choice: string | undefined) => {
    if (choice) ctx.channel.show(true);
  };
  if (failure) {
    // The Cloud Connector may expose only some paths of a system: the destination's own URL need not be one.
    const otherPath = failure.code === ErrorCode.NotExposed ? ['Check Another Path…'] : [];
    // Real BTP without a tunnel: the proxy is out of reach from here, and the setup is one click away.
    const tunnel = failure.code === ErrorCode.ProxyUnreachable ? ['Set Up Tunnel…'] : [];
    void vscode.window
      .showErrorMessage(`${destination.name}: broken at the ${hopLabels[failure.hop]}. ${failure.detail ?? ''} ${failure.fix ?? ''}`.trim(), 'Show All Hops', ...otherPath, ...tunnel)
      .then(async (choice) => {
        if (choice === 'Set Up Tunnel…') return void vscode.commands.executeCommand(CommandId.setUpTunnel, { kind: 'connection', connection: destination.connection });
        if (choice !== 'Check Another Path…') return show(choice);
        const next = await vscode.window.showInputBox({ title: `Check ${destination.name} at a path the Cloud Connector exposes`, prompt: 'A path below the destination URL', value: path ?? '/', validateInput: (text) => (text.startsWith('/') ? undefined : 'Start the path with "/"') });
        if (next) await checkConnection(ctx, destination, next);
      });
  } else {
    const hops = result.hops.filter((hop) => hop.status === 'ok').length;
    void vscode.window.showInformationMessage(`${destination.name}: all ${hops} hops work (${Math.round(result.totalMs)} ms).`, 'Show All Hops').then(show);
  }
  return result;
}
