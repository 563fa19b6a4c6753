import * as vscode from 'vscode';
import type { CheckResult } from '../../core/diagnosis/types';
import { ErrorCode } from '../../core/errors';
import { checkReport, hopLabels } from '../../words/checkWords';
import type { Ctx } from '../context/ctx';
import type { TreeNode } from '../tree/destinationsModel';
import { accessFor } from '../../sandbox/cloudConnector/configClient';
import { CommandId } from '../base/commandIds';
import type { ExposeArgs } from './exposeCommands';
import { forwardLabel } from '../../core/forward/forwardFragment';
import { forwardTarget } from '../context/pickers';

/**
 * Check Connection: every hop from the token service to the system behind the Cloud Connector, the first broken
 * one named with its fix. The report goes to the BTP Connect output; a notification says the verdict.
 */
export async function checkConnection(ctx: Ctx, node?: TreeNode, path?: string, fragment?: string): Promise<CheckResult | undefined> {
  // A fragment item checks a picked destination with it merged in; the palette offers the connection's fragments.
  const target = await forwardTarget(ctx, node, fragment);
  if (!target) return undefined;
  const destination = target.destination;
  const merged = target.fragment;
  let onSandbox = false;
  const result = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: vscode.l10n.t(
        'Checking {0}: token service, Destination service, proxy, Cloud Connector, backend…',
        forwardLabel({ destination: destination.name, ...(merged ? { fragment: merged } : {}) }),
      ),
    },
    async () => {
      const connection = await ctx.registry.get(destination.connection);
      // On the embedded sandbox the Cloud Connector's access control is known: a refused path lists the exposed ones.
      const sandbox = ctx.sandbox.running;
      onSandbox =
        sandbox !== undefined &&
        connection.destinationServiceUrl !== undefined &&
        sameOrigin(connection.destinationServiceUrl, sandbox.endpoints.destinationServiceUrl);
      return connection.check(
        destination.name,
        path,
        onSandbox && sandbox ? (host, port, location) => accessFor(sandbox.cloudConnectorConfig, host, port, location) : undefined,
        merged,
      );
    },
  );
  ctx.channel.appendLine(`Check Connection, ${destination.connection}${merged ? `, fragment ${merged}` : ''}${path ? `, path ${path}` : ''}:`);
  for (const line of checkReport(result)) ctx.channel.appendLine(`  ${line}`);
  const failure = result.firstFailure;
  const show = (choice: string | undefined) => {
    if (choice) ctx.channel.show(true);
  };
  if (failure) {
    // The Cloud Connector may expose only some paths of a system: the destination's own URL need not be one.
    const otherPath = failure.code === ErrorCode.NotExposed && result.kind === 'http' ? [vscode.l10n.t('Check Another Path…')] : [];
    // On the embedded sandbox a missing mapping is fixed here: expose the system, with the check's values filled in.
    const missing = failure.code === ErrorCode.NotExposed && onSandbox ? missingMapping(result, path) : undefined;
    const fixButton = missing ? [exposeButton()] : [];
    // Real BTP without a tunnel: the proxy is out of reach from here, and the setup is one click away.
    const tunnel = failure.code === ErrorCode.ProxyUnreachable ? [vscode.l10n.t('Set Up Tunnel…')] : [];
    void vscode.window
      .showErrorMessage(
        vscode.l10n.t('{0}: broken at the {1}. {2} {3}', destination.name, hopLabels[failure.hop], failure.detail ?? '', failure.fix ?? '').trim(),
        ...fixButton,
        vscode.l10n.t('Show All Hops'),
        ...otherPath,
        ...tunnel,
      )
      .then(async (choice) => {
        if (choice === exposeButton() && missing) {
          const exposed = await vscode.commands.executeCommand<{ applied: boolean } | undefined>(CommandId.exposeLocalSystem, missing);
          if (exposed?.applied) await checkConnection(ctx, destination, path, merged);
          return;
        }
        if (choice === vscode.l10n.t('Set Up Tunnel…'))
          return void vscode.commands.executeCommand(CommandId.setUpTunnel, { kind: 'connection', connection: destination.connection });
        if (choice !== vscode.l10n.t('Check Another Path…')) return show(choice);
        const next = await vscode.window.showInputBox({
          title: vscode.l10n.t('Check {0} at a path the Cloud Connector exposes', destination.name),
          prompt: vscode.l10n.t('A path below the destination URL'),
          value: path ?? '/',
          validateInput: (text) => (text.startsWith('/') ? undefined : vscode.l10n.t('Start the path with "/"')),
        });
        if (next) await checkConnection(ctx, destination, next, merged);
      });
  } else if (result.warning) {
    const warning = result.warning;
    void vscode.window
      .showWarningMessage(
        vscode.l10n.t('{0}: the way works; the {1} does not let this path through. {2}', destination.name, hopLabels[warning.hop], warning.detail ?? '').trim(),
        vscode.l10n.t('Check Another Path…'),
        vscode.l10n.t('Show All Hops'),
      )
      .then(async (choice) => {
        if (choice !== vscode.l10n.t('Check Another Path…')) return show(choice);
        // A path that worked through a forward lately is below the destination's URL already; an exposed resource is not.
        const exposed = warning.recentPaths?.[0] ?? warning.exposed?.[0]?.replace(/ and below$/, '');
        const next = await vscode.window.showInputBox({
          title: vscode.l10n.t('Check {0} at a path the Cloud Connector exposes', destination.name),
          prompt: vscode.l10n.t('A path below the destination URL'),
          value: exposed ?? path ?? '/',
          validateInput: (text) => (text.startsWith('/') ? undefined : vscode.l10n.t('Start the path with "/"')),
        });
        if (next) await checkConnection(ctx, destination, next, merged);
      });
  } else {
    const hops = result.hops.filter((hop) => hop.status === 'ok').length;
    void vscode.window
      .showInformationMessage(
        vscode.l10n.t('{0}: all {1} hops work ({2} ms).', destination.name, hops, Math.round(result.totalMs)),
        vscode.l10n.t('Show All Hops'),
      )
      .then(show);
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

const exposeButton = (): string => vscode.l10n.t('Expose in the Sandbox…');

/** The virtual host, port, protocol and path a check was refused for, from its target (`GET http://h:p/x` or `h:p`). */
export function missingMapping(result: CheckResult, path: string | undefined): ExposeArgs | undefined {
  const target = result.target ?? '';
  if (result.kind === 'http') {
    const url = /^\S+ (\S+)$/.exec(target)?.[1];
    if (!url) return undefined;
    try {
      const parsed = new URL(url);
      const port = parsed.port ? Number(parsed.port) : parsed.protocol === 'https:' ? 443 : 80;
      return { virtualHost: parsed.hostname, virtualPort: port, protocol: 'HTTP', path: path ?? (parsed.pathname || '/') };
    } catch {
      return undefined;
    }
  }
  const match = /^(.+):(\d+)$/.exec(target);
  return match ? { virtualHost: match[1] as string, virtualPort: Number(match[2]), protocol: 'TCP' } : undefined;
}
