import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import { bindingFromKubernetesSecret } from '../../core/bindings/kubernetesSecret';
import { parseServiceKeyText } from '../../core/bindings/serviceKeyText';
import { readServiceKeyFile } from '../../core/bindings/serviceKeyFile';
import type { ConnectivityBinding, DestinationBinding, ServiceBinding, ServiceKind } from '../../core/bindings/types';
import type { ConnectionBindings } from '../../core/connections/connectionStore';
import { BtpError, ErrorCode, isBtpError } from '../../core/errors';
import { redactText } from '../../core/redact';

const run = promisify(execFile);

type Source = 'file' | 'paste' | 'cf' | 'kubectl';

/**
 * "Connect a subaccount…": a destination service key from a file, pasted, read with `cf service-key`, or from a
 * Kyma secret with `kubectl`; optionally a connectivity key for OnPremise destinations; then a name. Resolves to
 * undefined when the user cancels. Broken keys fail with the core's message naming the field.
 */
export async function askForConnection(suggestedName?: string): Promise<{ name: string; bindings: ConnectionBindings } | undefined> {
  const destination = (await askForServiceKey('destination')) as DestinationBinding | undefined;
  if (!destination) return undefined;
  const connectivityChoice = await vscode.window.showQuickPick(
    [
      { label: vscode.l10n.t('No connectivity key'), description: vscode.l10n.t('Internet destinations only'), value: false },
      {
        label: vscode.l10n.t('Add a connectivity service key…'),
        description: vscode.l10n.t('needed for OnPremise destinations (Cloud Connector)'),
        value: true,
      },
    ],
    { title: vscode.l10n.t('Connect a subaccount (2/3): on-premise access'), ignoreFocusOut: true },
  );
  if (!connectivityChoice) return undefined;
  let connectivity: ConnectivityBinding | undefined;
  if (connectivityChoice.value) {
    connectivity = (await askForServiceKey('connectivity')) as ConnectivityBinding | undefined;
    if (!connectivity) return undefined;
  }
  const proposed = suggestedName ?? destination.identityZone ?? destination.meta?.instanceName ?? 'subaccount';
  const name = await vscode.window.showInputBox({
    title: vscode.l10n.t('Connect a subaccount (3/3): name'),
    prompt: vscode.l10n.t('A name for this connection (the CLI uses it too: btp-connect ls --connection <name>)'),
    value: proposed.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 64),
    ignoreFocusOut: true,
    validateInput: (value) => (/^[A-Za-z0-9_.-]{1,64}$/.test(value) ? undefined : vscode.l10n.t('Use 1 to 64 letters, digits, ".", "_" or "-".')),
  });
  if (!name) return undefined;
  return { name, bindings: { destination, ...(connectivity ? { connectivity } : {}) } };
}

/** Titles of the key pickers, by the service the key is for. */
const keyTitles = (): Readonly<Record<ServiceKind, string>> => ({
  destination: vscode.l10n.t('Connect a subaccount (1/3): destination service key'),
  connectivity: vscode.l10n.t('Connectivity service key'),
  xsuaa: vscode.l10n.t('XSUAA service key of your app, for sign-in'),
});

/** A service key of `kind` from a file, pasted, `cf service-key` or a Kyma secret; undefined when cancelled. */
export async function askForServiceKey(kind: ServiceKind): Promise<ServiceBinding | undefined> {
  const [cf, kubectl] = await Promise.all([available('cf'), available('kubectl')]);
  const items: (vscode.QuickPickItem & { source: Source })[] = [
    { label: vscode.l10n.t('$(file) Service key file…'), description: vscode.l10n.t('a JSON file from the BTP cockpit or `cf service-key`'), source: 'file' },
    { label: vscode.l10n.t('$(clippy) Paste a service key…'), description: vscode.l10n.t('JSON or the whole `cf service-key` output'), source: 'paste' },
    ...(cf
      ? [{ label: vscode.l10n.t('$(terminal) From the cf CLI…'), description: vscode.l10n.t('cf service-key <instance> <key>'), source: 'cf' as const }]
      : []),
    ...(kubectl
      ? [{ label: vscode.l10n.t('$(server) From a Kyma secret…'), description: vscode.l10n.t('kubectl get secret <name>'), source: 'kubectl' as const }]
      : []),
  ];
  const title = keyTitles()[kind];
  const choice = await vscode.window.showQuickPick(items, { title, ignoreFocusOut: true });
  if (!choice) return undefined;
  switch (choice.source) {
    case 'file': {
      const [uri] =
        (await vscode.window.showOpenDialog({
          title,
          canSelectMany: false,
          filters: { [vscode.l10n.t('Service key')]: ['json', 'txt'], [vscode.l10n.t('All')]: ['*'] },
        })) ?? [];
      return uri ? readServiceKeyFile(uri.fsPath, { expected: kind }) : undefined;
    }
    case 'paste': {
      const text = await vscode.window.showInputBox({
        title,
        prompt: vscode.l10n.t('Paste the {0} service key (JSON, or the output of cf service-key). It goes to the OS keychain, not to settings.', kind),
        password: true,
        ignoreFocusOut: true,
        validateInput: (value) => validationMessage(() => parseServiceKeyText(normalisePasted(value), { expected: kind })),
      });
      return text ? parseServiceKeyText(normalisePasted(text), { expected: kind }) : undefined;
    }
    case 'cf':
      return fromCf(kind, title);
    case 'kubectl':
      return fromKubectl(kind, title);
  }
}

async function fromCf(kind: ServiceKind, title: string): Promise<ServiceBinding | undefined> {
  const instance = await vscode.window.showInputBox({
    title,
    prompt: vscode.l10n.t('The {0} service instance (cf services lists them)', kind),
    ignoreFocusOut: true,
  });
  if (!instance) return undefined;
  const key = await vscode.window.showInputBox({
    title,
    prompt: vscode.l10n.t('The service key of "{0}" (cf service-keys {1})', instance, instance),
    ignoreFocusOut: true,
  });
  if (!key) return undefined;
  const output = await runTool('cf', ['service-key', instance, key], 'cf service-key');
  return parseServiceKeyText(output, { expected: kind, source: `cf service-key ${instance} ${key}` });
}

async function fromKubectl(kind: ServiceKind, title: string): Promise<ServiceBinding | undefined> {
  const secret = await vscode.window.showInputBox({
    title,
    prompt: vscode.l10n.t('The Kubernetes secret of the {0} service binding', kind),
    ignoreFocusOut: true,
  });
  if (!secret) return undefined;
  const namespace = await vscode.window.showInputBox({ title, prompt: vscode.l10n.t('Namespace (empty: the current one)'), ignoreFocusOut: true });
  if (namespace === undefined) return undefined;
  const output = await runTool(
    'kubectl',
    ['get', 'secret', secret, ...(namespace ? ['--namespace', namespace] : []), '--output', 'json'],
    'kubectl get secret',
  );
  let parsed: unknown;
  try {
    parsed = JSON.parse(output);
  } catch {
    throw new BtpError(ErrorCode.BindingInvalid, `kubectl did not print the secret as JSON.`);
  }
  return bindingFromKubernetesSecret(parsed, kind);
}

/** No secret on the command line: the tools print the key and we read their stdout. */
async function runTool(tool: string, args: string[], what: string): Promise<string> {
  try {
    return (await run(tool, args, { timeout: 30_000, maxBuffer: 4 * 1024 * 1024 })).stdout;
  } catch (error) {
    const details = error as { stdout?: string; stderr?: string; code?: unknown };
    const text = redactText(`${details.stdout ?? ''} ${details.stderr ?? ''}`)
      .trim()
      .split('\n')
      .slice(-3)
      .join(' ');
    throw new BtpError(ErrorCode.BindingNotFound, `${what} failed${text ? `: ${text}` : ''}. Log in with the tool and check the names.`, { cause: error });
  }
}

async function available(tool: string): Promise<boolean> {
  try {
    await run(tool, ['--version'], { timeout: 5_000 });
    return true;
  } catch {
    return false;
  }
}

/** An input box may flatten pasted `cf service-key` output into one line: put the JSON on its own line again. */
export function normalisePasted(text: string): string {
  const brace = text.indexOf('{');
  return brace > 0 && text.slice(0, brace).trim() !== '' && !text.slice(0, brace).includes('\n') ? `${text.slice(0, brace)}\n${text.slice(brace)}` : text;
}

function validationMessage(parse: () => unknown): string | undefined {
  try {
    parse();
    return undefined;
  } catch (error) {
    return isBtpError(error) ? error.message.split('\n').slice(0, 3).join(' ') : String(error);
  }
}
