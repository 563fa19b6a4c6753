import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import { validateDestination } from '../../core/destinations/validate';
import { BtpError, ErrorCode } from '../../core/errors';
import { AtomicJsonFile } from '../../core/fs/atomicJsonFile';
import { mergeDefaultEnv, readDefaultEnv, withoutMovedSecrets } from '../../core/localEnv/defaultEnv';
import { envDestinations, onePortDestinations, type OnePortForm } from '../../core/localEnv/destinationsVariable';
import type { Ctx } from '../ctx';
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
      items.push({ label: node.name, description: `${node.connection} · ${node.level}${running.has(reference) ? ' · forwarded' : ''}`, picked: running.has(reference), reference });
    }
  }
  const picked = await vscode.window.showQuickPick(items, { canPickMany: true, title: 'Export which destinations? (forwards start for the ones not running)', matchOnDescription: true });
  return picked?.map((item) => item.reference);
}

export async function exportForLocalApps(ctx: Ctx, options: ExportOptions = {}): Promise<string | undefined> {
  const format =
    options.format ??
    (
      await vscode.window.showQuickPick(
        [
          { label: 'default-env.json', description: 'approuter, CAP and SAP Cloud SDK projects read it for local runs', format: 'default-env' as const },
          { label: 'destinations JSON', description: 'the value of the `destinations` variable, as a file', format: 'destinations' as const },
        ],
        { title: 'Export destinations for local apps' },
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
    throw new BtpError(ErrorCode.InvalidInput, 'None of the chosen destinations is forwarded over HTTP; TCP forwards have no place in the destinations format.', { field: 'destinations' });
  }
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const defaultName = format === 'default-env' ? 'default-env.json' : 'destinations.json';
  const file =
    options.file ??
    (await vscode.window.showSaveDialog({ ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, defaultName) } : {}), filters: { JSON: ['json'] }, title: `Write ${defaultName}` }))?.fsPath;
  if (!file) return undefined;
  const target = new AtomicJsonFile(file);
  await target.write(format === 'default-env' ? mergeDefaultEnv(await readJson(target), entries, basename(file)) : entries);
  ctx.logger.info(`exported ${entries.length} destination(s) to ${file}: ${entries.map((entry) => entry.name).join(', ')}`);
  void vscode.window
    .showInformationMessage(
      `Wrote ${entries.length} destination${entries.length === 1 ? '' : 's'} to ${basename(file)}, pointing at local forwards (no credentials in the file). Keep the forwards running while the app runs.${options.onePort === 'proxy' ? ' The app needs http_proxy set to the one port.' : ''}`,
      'Open',
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
    (await vscode.window.showOpenDialog({ canSelectMany: false, filters: { JSON: ['json'] }, openLabel: 'Import', title: 'Import a default-env.json', ...(folder ? { defaultUri: folder } : {}) }))?.[0]?.fsPath;
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
    const suggested = basename(dirname(file)).replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 64) || 'imported';
    const name = options.connectionName ?? (await vscode.window.showInputBox({ title: 'A name for the connection in this file', value: suggested, validateInput: (value) => (/^[A-Za-z0-9_.-]{1,64}$/.test(value) ? undefined : 'Use 1 to 64 letters, digits, ".", "_" or "-".') }));
    if (name && (await saveConnection(ctx, name, { destination: imported.destinationBinding, ...(imported.connectivityBinding ? { connectivity: imported.connectivityBinding } : {}) }))) connection = name;
  } else if (imported.connectivityBinding) {
    notes.push({ field: 'VCAP_SERVICES.connectivity', problem: 'unused', severity: 'warning', message: 'The connectivity binding was not imported: a connection needs a Destination service binding too.' });
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
        `The secrets of ${basename(file)} are now in the ${ctx.secretStorage}. Remove them from the file? Launch configurations and terminals get destinations from BTP Connect's forwards instead.`,
        { modal: true },
        'Remove Secrets from the File',
      )) !== undefined;
    if (remove) {
      const kinds = connection ? (['destination', ...(imported.connectivityBinding ? ['connectivity' as const] : [])] as const) : [];
      await new AtomicJsonFile(file).write(withoutMovedSecrets(json as Record<string, unknown>, { bindings: kinds }));
      secretsRemoved = true;
    }
  }
  for (const note of notes) ctx.logger.warn(`import of ${basename(file)}: ${note.message}`);
  const parts = [connection ? `connection "${connection}"` : undefined, valid.length > 0 ? `${valid.length} local destination${valid.length === 1 ? '' : 's'}` : undefined].filter(Boolean);
  void vscode.window.showInformationMessage(`Imported ${parts.join(' and ') || 'nothing'} from ${basename(file)}${notes.length > 0 ? `; ${notes.length} item(s) not taken over (see the log)` : ''}.`);
  return { ...(connection ? { connection } : {}), localDestinations: valid.map((destination) => destination.Name ?? ''), secretsRemoved };
}
