import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { DestinationLevel, DestinationRecord } from '../../core/destinationService/types';
import { isSecretProperty } from '../../core/destinations/model';
import { validateDestination } from '../../core/destinations/validate';
import { BtpError, ErrorCode, validationError, type ValidationIssue } from '../../core/errors';
import { connectionOptions, connectionUsage, stringOption, type Command } from '../command';
import { withClient } from '../context';
import { ExitCode } from '../exitCodes';
import { line, type CliIo } from '../io';
import { locate, parseLevel, singleName } from '../destinationArgs';

async function readDestinations(argument: string | undefined, io: CliIo): Promise<unknown[]> {
  if (!argument) throw new BtpError(ErrorCode.InvalidInput, 'Name a JSON file with the destination(s), or - for standard input.', { field: 'file' });
  let text: string;
  try {
    text = argument === '-' ? await io.readStdin() : await readFile(resolve(io.cwd, argument), 'utf8');
  } catch (error) {
    throw new BtpError(ErrorCode.NotFound, `Cannot read ${argument}: ${(error as NodeJS.ErrnoException).code ?? 'read error'}.`, { field: 'file' });
  }
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new BtpError(ErrorCode.InvalidInput, `${inputName(argument)} is not valid JSON (${(error as Error).message.split('\n')[0]}).`, { field: 'file' });
  }
  const items = Array.isArray(value) ? value : [value];
  if (items.length === 0) throw new BtpError(ErrorCode.InvalidInput, `${inputName(argument)} holds an empty array.`, { field: 'file' });
  return items;
}

/** Validates every item before anything is changed: one bad item must not leave the others half-applied. */
function validateAll(items: readonly unknown[], label: string, io: CliIo): void {
  const issues: ValidationIssue[] = items.flatMap((item, index) =>
    validateDestination(item).map((issue) =>
      items.length > 1 ? { ...issue, field: `[${index}].${issue.field}`, message: `[${index}] ${issue.message}` } : issue,
    ),
  );
  const errors = issues.filter((issue) => issue.severity !== 'warning');
  if (errors.length > 0) throw validationError(label, errors);
  for (const warning of issues.filter((issue) => issue.severity === 'warning')) io.stderr(`warning: ${warning.message}\n`);
}

function inputName(argument: string): string {
  return argument === '-' ? 'The input' : argument;
}

const writeOptions = { ...connectionOptions, level: { type: 'string' as const } };

export const createCommand: Command = {
  name: 'create',
  summary: 'Create destination(s) from a JSON file (object or array)',
  usage: `Usage: btp-connect create <file|-> [--level subaccount|instance] [connection options]

All destinations are validated first; nothing is created when one is invalid.

${connectionUsage}`,
  options: writeOptions,
  async run(values, positionals, io) {
    const destinations = await readDestinations(positionals[0], io);
    validateAll(destinations, inputName(positionals[0] ?? ''), io);
    const level = parseLevel(values) ?? 'subaccount';
    return withClient(values, io, async (opened) => {
      if (destinations.length === 1) {
        await opened.client.create(level, destinations[0]);
        line(io, `Created ${nameOf(destinations[0])} at ${level} level.`);
        return ExitCode.Ok;
      }
      const results = await opened.client.bulk('POST', level, destinations);
      for (const result of results)
        line(io, `${result.name}: ${Number(result.status) < 300 ? 'created' : `failed (${result.status}${result.cause ? `: ${result.cause}` : ''})`}`);
      return results.every((result) => Number(result.status) < 300) ? ExitCode.Ok : ExitCode.Conflict;
    });
  },
};

export const updateCommand: Command = {
  name: 'update',
  summary: 'Replace a destination with the JSON in a file; stored secrets the file omits are kept',
  usage: `Usage: btp-connect update <file|-> [--level subaccount|instance] [--etag <etag>] [--clear-secret <property>]... [connection options]

  --etag <etag>              fail with exit code 6 if the destination changed since you read this ETag (get --json shows it)
  --clear-secret <property>  remove a stored secret property (secrets missing from the file are otherwise kept)

${connectionUsage}`,
  options: { ...writeOptions, etag: { type: 'string' }, 'clear-secret': { type: 'string', multiple: true } },
  async run(values, positionals, io) {
    const destinations = await readDestinations(positionals[0], io);
    if (destinations.length !== 1) throw new BtpError(ErrorCode.InvalidInput, 'update takes one destination object.', { field: 'file' });
    const incoming = destinations[0] as DestinationRecord;
    const name = incoming.Name ?? '';
    const cleared = new Set((values['clear-secret'] as string[] | undefined) ?? []);
    return withClient(values, io, async (opened) => {
      const level = parseLevel(values) ?? (await locate(opened.client, name));
      const stored = await opened.client.get(level, name);
      const merged: DestinationRecord = { ...incoming };
      for (const [property, value] of Object.entries(stored.value)) {
        if (isSecretProperty(property) && !(property in merged) && !cleared.has(property)) merged[property] = value;
      }
      validateAll([merged], inputName(positionals[0] ?? ''), io);
      const etag = stringOption(values, 'etag');
      await opened.client.update(level, merged, etag ? { etag } : stored.etag ? { etag: stored.etag } : {});
      line(io, `Updated ${name} at ${level} level.`);
      return ExitCode.Ok;
    });
  },
};

export const deleteCommand: Command = {
  name: 'delete',
  summary: 'Delete destinations by name',
  usage: `Usage: btp-connect delete <name>... [--level subaccount|instance] [--etag <etag>] [connection options]

Without --level each name is deleted where find-destination resolves it (instance level first).

${connectionUsage}`,
  options: { ...writeOptions, etag: { type: 'string' } },
  async run(values, positionals, io) {
    if (positionals.length === 0) throw new BtpError(ErrorCode.InvalidInput, 'Name at least one destination to delete.', { field: 'name' });
    const etag = stringOption(values, 'etag');
    if (etag && positionals.length > 1) throw new BtpError(ErrorCode.InvalidInput, '--etag applies to one destination; name only one.', { field: 'etag' });
    return withClient(values, io, async (opened) => {
      for (const name of positionals) {
        const level: DestinationLevel = parseLevel(values) ?? (await locate(opened.client, name));
        await opened.client.delete(level, name, etag ? { etag } : {});
        line(io, `Deleted ${name} at ${level} level.`);
      }
      return ExitCode.Ok;
    });
  },
};

export const renameCommand: Command = {
  name: 'rename',
  summary: 'Rename a destination (created under the new name, then the old one deleted)',
  usage: `Usage: btp-connect rename <old> <new> [--level subaccount|instance] [--etag <etag>] [connection options]

${connectionUsage}`,
  options: { ...writeOptions, etag: { type: 'string' } },
  async run(values, positionals, io) {
    const [from, to] = positionals;
    if (!from || !to || positionals.length !== 2) throw new BtpError(ErrorCode.InvalidInput, 'rename takes the old and the new name.', { field: 'name' });
    singleName([to], 'rename');
    const etag = stringOption(values, 'etag');
    return withClient(values, io, async (opened) => {
      const level = parseLevel(values) ?? (await locate(opened.client, from));
      await opened.client.rename(level, from, to, etag ? { etag } : {});
      line(io, `Renamed ${from} to ${to} at ${level} level.`);
      return ExitCode.Ok;
    });
  },
};

function nameOf(destination: unknown): string {
  return String((destination as DestinationRecord).Name ?? '');
}
