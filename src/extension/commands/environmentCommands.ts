import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import { validateDestination } from '../../core/destinations/validate';
import { BtpError, ErrorCode } from '../../core/errors';
import { AtomicJsonFile } from '../../core/fs/atomicJsonFile';
import { mergeDefaultEnv, readDefaultEnv, withoutMovedSecrets } from '../../core/localEnv/defaultEnv';
import { envDestinations, onePortDestinations, type OnePortForm } from '../../core/localEnv/destinationsVariable';
import type { Ctx } from '../context/ctx';
import { forwardsFor, onePortFor } from '../environment/forwardsFor';
import { saveConnection } from './connectionCommands';

/** Export the forwards as `destinations` for local apps; import a default-env.json, its secrets into the keychain. */

export type ExportFormat = 'default-env' | 'destinations';

export interface ExportOptions {
  readonly format?: ExportFormat;
  /** `connection/destination` references; without them the user picks. */
  readonly destinations?: readonly string[];
  readonly file?: string;
  /**
   * Through the connection's one port instead of a port each: `path` (`http://127.0.0.1:PORT/<name>`) or `proxy`
   * (`http://<name>.dest`; the app then needs `http_proxy` pointing at the port).
   */
  readonly onePort?: OnePortForm;
}

async function pickReferences(ctx: Ctx): Promise<string[] | undefined> {
  const running = new Set(ctx.registry.forwards().map((entry) => `${entry.connection}/${entry.info.destination}`));
  const items: (vscode.QuickPickItem & { reference: string })[] = [];
  for (const connection of await ctx.registry.list()) {
    await ctx.destinations.loadConnection(connection.name);
    for (const node of ctx.destinations.model.allDestinations().filter((candidate) => candidate.connection === connection.name)) {
      const reference = `${node.connection}/${node.name}`;
      if (items.some((item) => item.reference === reference)) continue;
      items.push({
        label: node.name,
        description: `${node.connection} · ${node.level}${running.has(reference) ? ' · forwarded' : ''}`,
        picked: running.has(reference),
        reference,
      });
    }
  }
  const picked = await vscode.window.showQuickPick(items, {
    canPickMany: true,
    title: vscode.l10n.t('Export which destinations? (forwards start for the ones not running)'),
    matchOnDescription: true,
  });
  return picked?.map((item) => item.reference);
}

export async function exportForLocalApps(ctx: Ctx, options: ExportOptions = {}): Promise<string | undefined> {
  const format =
    options.format ??
    (
      await vscode.window.showQuickPick(
        [
          {
            label: vscode.l10n.t('default-env.json'),
            description: vscode.l10n.t('approuter, CAP and SAP Cloud SDK projects read it for local runs'),
            format: 'default-env' as const,
          },
          {
            label: vscode.l10n.t('destinations JSON'),
            description: vscode.l10n.t('the value of the `destinations` variable, as a file'),
            format: 'destinations' as const,
          },
        ],
        { title: vscode.l10n.t('Export destinations for local apps') },
      )
    )?.format;
  if (!format) return undefined;
  const references = options.destinations ?? (await pickReferences(ctx));
  if (!references || references.length === 0) return undefined;
  let entries;
  if (options.onePort) {
    const onePort = await onePortFor(ctx, references);
    entries = onePortDestinations(onePort.names, ctx.registry.urlForApps(onePort.info), options.onePort);
  } else {
    const forwards = await forwardsFor(ctx, references);
    entries = envDestinations(forwards.map((entry) => ({ ...entry.info, localAddress: ctx.registry.urlForApps(entry.info) })));
  }
  if (entries.length === 0) {
    throw new BtpError(
      ErrorCode.InvalidInput,
      'None of the chosen destinations is forwarded over HTTP; TCP forwards have no place in the destinations format.',
      { field: 'destinations' },
    );
  }
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const defaultName = format === 'default-env' ? 'default-env.json' : 'destinations.json';
  const file =
    options.file ??
    (
      await vscode.window.showSaveDialog({
        ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, defaultName) } : {}),
        filters: { JSON: ['json'] },
        title: vscode.l10n.t('Write {0}', defaultName),
      })
    )?.fsPath;
  if (!file) return undefined;
  const target = new AtomicJsonFile(file);
  await target.write(format === 'default-env' ? mergeDefaultEnv(await readJson(target), entries, basename(file)) : entries);
  ctx.logger.info(`exported ${entries.length} destination(s) to ${file}: ${entries.map((entry) => entry.name).join(', ')}`);
  void vscode.window
    .showInformationMessage(
      (entries.length === 1
        ? vscode.l10n.t(
            'Wrote 1 destination to {0}, pointing at a local forward (no credentials in the file). Keep the forward running while the app runs.',
            basename(file),
          )
        : vscode.l10n.t(
            'Wrote {0} destinations to {1}, pointing at local forwards (no credentials in the file). Keep the forwards running while the app runs.',
            entries.length,
            basename(file),
          )) + (options.onePort === 'proxy' ? ` ${vscode.l10n.t('The app needs http_proxy set to the one port.')}` : ''),
      vscode.l10n.t('Open'),
    )
    .then((choice) => (choice ? vscode.window.showTextDocument(vscode.Uri.file(file)) : undefined));
  return file;
}

async function readJson(file: AtomicJsonFile): Promise<unknown> {
  try {
    return await file.read();
  } catch (error) {
    throw new BtpError(ErrorCode.InvalidInput, `${file.path} is not valid JSON; fix it or choose another file.`, { field: 'file', cause: error });
  }
}

export interface ImportOptions {
  readonly file?: string;
  /** Name for the connection made of the file's Destination service binding. */
  readonly connectionName?: string;
  /** Take the moved secrets out of the file afterwards; asked when absent. */
  readonly removeSecrets?: boolean;
}

export interface ImportSummary {
  readonly connection?: string;
  readonly localDestinations: readonly string[];
  readonly secretsRemoved: boolean;
}

export async function importDefaultEnv(ctx: Ctx, options: ImportOptions = {}): Promise<ImportSummary | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const file =
    options.file ??
    (
      await vscode.window.showOpenDialog({
        canSelectMany: false,
        filters: { JSON: ['json'] },
        openLabel: vscode.l10n.t('Import'),
        title: vscode.l10n.t('Import a default-env.json'),
        ...(folder ? { defaultUri: folder } : {}),
      })
    )?.[0]?.fsPath;
  if (!file) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new BtpError(ErrorCode.InvalidInput, `${basename(file)} could not be read as JSON; check the file.`, { field: 'file', cause: error });
  }
  const imported = readDefaultEnv(json, basename(file));
  const notes = [...imported.notes];
  const valid = imported.destinations.filter((destination) => {
    const errors = validateDestination(destination).filter((issue) => issue.severity !== 'warning');
    notes.push(...errors.map((issue) => ({ ...issue, message: `${destination.Name ?? '?'}: ${issue.message}` })));
    return errors.length === 0;
  });

  let connection: string | undefined;
  if (imported.destinationBinding) {
    const suggested =
      basename(dirname(file))
        .replace(/[^A-Za-z0-9_.-]/g, '-')
        .slice(0, 64) || 'imported';
    const name =
      options.connectionName ??
      (await vscode.window.showInputBox({
        title: vscode.l10n.t('A name for the connection in this file'),
        value: suggested,
        validateInput: (value) => (/^[A-Za-z0-9_.-]{1,64}$/.test(value) ? undefined : vscode.l10n.t('Use 1 to 64 letters, digits, ".", "_" or "-".')),
      }));
    if (
      name &&
      (await saveConnection(ctx, name, {
        destination: imported.destinationBinding,
        ...(imported.connectivityBinding ? { connectivity: imported.connectivityBinding } : {}),
      }))
    )
      connection = name;
  } else if (imported.connectivityBinding) {
    notes.push({
      field: 'VCAP_SERVICES.connectivity',
      problem: 'unused',
      severity: 'warning',
      message: 'The connectivity binding was not imported: a connection needs a Destination service binding too.',
    });
  }
  if (valid.length > 0) {
    await ctx.registry.addLocalDestinations(valid);
    await ctx.destinations.reloadConnections();
  }

  const moved = connection !== undefined || valid.some((destination) => destination.Password !== undefined);
  let secretsRemoved = false;
  if (moved) {
    const remove =
      options.removeSecrets ??
      (await vscode.window.showWarningMessage(
        vscode.l10n.t(
          "The secrets of {0} are now in the {1}. Remove them from the file? Launch configurations and terminals get destinations from BTP Connect's forwards instead.",
          basename(file),
          ctx.secretStorage,
        ),
        { modal: true },
        vscode.l10n.t('Remove Secrets from the File'),
      )) !== undefined;
    if (remove) {
      const kinds = connection ? (['destination', ...(imported.connectivityBinding ? ['connectivity' as const] : [])] as const) : [];
      await new AtomicJsonFile(file).write(withoutMovedSecrets(json as Record<string, unknown>, { bindings: kinds }));
      secretsRemoved = true;
    }
  }
  for (const note of notes) ctx.logger.warn(`import of ${basename(file)}: ${note.message}`);
  const parts = [
    connection ? vscode.l10n.t('connection "{0}"', connection) : undefined,
    valid.length === 1 ? vscode.l10n.t('1 local destination') : valid.length > 0 ? vscode.l10n.t('{0} local destinations', valid.length) : undefined,
  ].filter(Boolean);
  void vscode.window.showInformationMessage(
    vscode.l10n.t(
      'Imported {0} from {1}{2}.',
      parts.join(vscode.l10n.t(' and ')) || vscode.l10n.t('nothing'),
      basename(file),
      notes.length > 0 ? vscode.l10n.t('; {0} item(s) not taken over (see the log)', notes.length) : '',
    ),
  );
  return { ...(connection ? { connection } : {}), localDestinations: valid.map((destination) => destination.Name ?? ''), secretsRemoved };
}
