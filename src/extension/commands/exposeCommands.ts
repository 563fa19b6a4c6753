import * as vscode from 'vscode';
import { parseHostPort, readConfigFile, waitForAcknowledgement, withMapping, writeConfigFile } from '../../sandbox/cloudConnector/configClient';
import { ConfigError, validateCloudConnectorFile, type MappingEntry } from '../../sandbox/cloudConnector/configFile';
import type { BackendProtocol } from '../../sandbox/cloudConnector/types';
import type { Ctx } from '../context/ctx';

/** What a fix button already knows: the virtual host and port a check was refused for, its protocol and path. */
export interface ExposeArgs {
  readonly virtualHost?: string;
  readonly virtualPort?: number;
  readonly protocol?: 'HTTP' | 'TCP';
  readonly path?: string;
  readonly locationId?: string;
}

export interface ExposeResult {
  readonly mapping: MappingEntry;
  readonly applied: boolean;
}

/**
 * Expose a Local System through the Sandbox: a system mapping in the embedded sandbox's `cloud-connector.json`
 * (what `btp-connect sandbox expose` writes), applied by the running sandbox. Asks for what `args` does not say.
 */
export async function exposeLocalSystem(ctx: Ctx, args: ExposeArgs = {}): Promise<ExposeResult | undefined> {
  const sandbox =
    ctx.sandbox.running ??
    (await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Starting the BTP sandbox…') }, () =>
      ctx.sandbox.start(),
    ));
  const hostPort = (text: string) => {
    try {
      parseHostPort(text, 'the address');
      return undefined;
    } catch (error) {
      return error instanceof ConfigError ? 'Enter <host>:<port>, e.g. pg.virtual:5432' : String(error);
    }
  };
  const virtual = await vscode.window.showInputBox({
    title: vscode.l10n.t('Expose a local system: virtual host'),
    prompt: vscode.l10n.t('The virtual host and port destinations use (their URL or Address)'),
    value: args.virtualHost && args.virtualPort ? `${args.virtualHost}:${args.virtualPort}` : 'pg.virtual:5432',
    validateInput: hostPort,
  });
  if (!virtual) return undefined;
  const to = await vscode.window.showInputBox({
    title: vscode.l10n.t('Expose a local system: where {0} really is', virtual),
    prompt: vscode.l10n.t('The internal host and port on this machine (e.g. 127.0.0.1:5432, localhost:3000)'),
    value: '127.0.0.1:',
    validateInput: (text) => (text.startsWith('builtin:') ? undefined : hostPort(text)),
  });
  if (!to) return undefined;
  const protocols: BackendProtocol[] = ['HTTP', 'HTTPS', 'TCP', 'LDAP'];
  const picked = args.protocol
    ? args.protocol
    : (
        await vscode.window.showQuickPick(
          protocols.map((label) => ({
            label,
            description:
              label === 'TCP'
                ? vscode.l10n.t('databases, TCP/LDAP/MAIL destinations (SOCKS5)')
                : label.startsWith('HTTP')
                  ? vscode.l10n.t('HTTP destinations')
                  : '',
          })),
          { title: vscode.l10n.t('Expose {0}: protocol towards the system', virtual) },
        )
      )?.label;
  if (!picked) return undefined;
  const protocol = picked as BackendProtocol;
  const http = protocol === 'HTTP' || protocol === 'HTTPS';
  let path: string | undefined;
  if (http) {
    path = await vscode.window.showInputBox({
      title: vscode.l10n.t('Expose {0}: path', virtual),
      prompt: vscode.l10n.t('The path to expose, with everything below it'),
      value: args.path ?? '/',
      validateInput: (text) => (text.startsWith('/') ? undefined : vscode.l10n.t('Start the path with "/"')),
    });
    if (!path) return undefined;
  }
  const target = parseHostPort(virtual, 'the virtual host');
  const internal = to.startsWith('builtin:')
    ? { localHost: to }
    : (({ host, port }) => ({ localHost: host, localPort: port }))(parseHostPort(to, 'the internal host'));
  const mapping: MappingEntry = {
    virtualHost: target.host,
    virtualPort: target.port,
    ...internal,
    protocol,
    authenticationMode: 'NONE',
    ...(http ? { hostInHeader: 'virtual' as const, resources: [{ id: path ?? '/', enabled: true, exactMatchOnly: false }] } : {}),
  };
  const directory = ctx.sandbox.directory;
  const { file } = await readConfigFile(directory);
  const next = withMapping(file, args.locationId ?? '', mapping);
  try {
    validateCloudConnectorFile(next);
  } catch (error) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Cannot expose {0}: {1}', virtual, (error as Error).message));
    return undefined;
  }
  const ack = await waitForAcknowledgement(directory, await writeConfigFile(directory, next));
  const applied = ack.kind === 'applied' && sandbox === ctx.sandbox.running;
  const what = `${virtual} → ${to} (${protocol}${path ? `, ${path} and below` : ''})`;
  ctx.channel.appendLine(`Exposed ${what} through the sandbox's Cloud Connector: ${ack.kind}.`);
  if (applied) void vscode.window.showInformationMessage(vscode.l10n.t("Exposed {0} through the sandbox's Cloud Connector.", what));
  else
    void vscode.window.showWarningMessage(
      vscode.l10n.t(
        '{0} is in cloud-connector.json, but the sandbox did not confirm it ({1}{2}).',
        what,
        ack.kind,
        ack.kind === 'rejected' ? `: ${ack.state.error ?? ''}` : '',
      ),
    );
  return { mapping, applied };
}
