import * as vscode from 'vscode';
import type { CheckResult } from '../../core/diagnosis/types';
import { ErrorCode } from '../../core/errors';
import { checkReport, hopLabels } from '../../protocol/checkWords';
import type { Ctx } from '../ctx';
import type { TreeNode } from '../tree/destinationsModel';
import { accessFor } from '../../sandbox/cloudConnector/configClient';
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
    async () => {
      const connection = await ctx.registry.get(destination.connection);
      // On the embedded sandbox the Cloud Connector's access control is known: a refused path lists the exposed ones.
      const sandbox = ctx.sandbox.running;
      const onSandbox = sandbox !== undefined && connection.destinationServiceUrl !== undefined && sameOrigin(connection.destinationServiceUrl, sandbox.endpoints.destinationServiceUrl);
      return connection.check(destination.name, path, onSandbox ? (host, port, location) => accessFor(sandbox.cloudConnectorConfig, host, port, location) : undefined);
    },
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
    void vscode.window
      .showErrorMessage(`${destination.name}: broken at the ${hopLabels[failure.hop]}. ${failure.detail ?? ''} ${failure.fix ?? ''}`.trim(), 'Show All Hops', ...otherPath)
      .then(async (choice) => {
        if (choice !== 'Check Another Path…') return show(choice);
        const next = await vscode.window.showInputBox({ title: `Check ${destination.name} at a path the Cloud Connector exposes`, prompt: 'A path below the destination URL', value: path ?? '/', validateInput: (text) => (text.startsWith('/') ? undefined : 'Start the path with "/"') });
        if (next) await checkConnection(ctx, destination, next);
      });
  } else if (result.warning) {
    const warning = result.warning;
    void vscode.window
      .showWarningMessage(`${destination.name}: the way works; the ${hopLabels[warning.hop]} does not let this path through. ${warning.detail ?? ''}`.trim(), 'Check Another Path…', 'Show All Hops')
      .then(async (choice) => {
        if (choice !== 'Check Another Path…') return show(choice);
        const exposed = warning.exposed?.[0]?.replace(/ and below$/, '');
        const next = await vscode.window.showInputBox({ title: `Check ${destination.name} at a path the Cloud Connector exposes`, prompt: 'A path below the destination URL', value: exposed ?? path ?? '/', validateInput: (text) => (text.startsWith('/') ? undefined : 'Start the path with "/"') });
        if (next) await checkConnection(ctx, destination, next);
      });
  } else {
    const hops = result.hops.filter((hop) => hop.status === 'ok').length;
    void vscode.window.showInformationMessage(`${destination.name}: all ${hops} hops work (${Math.round(result.totalMs)} ms).`, 'Show All Hops').then(show);
  }
  return result;
}

function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}
