import { parseArgs } from 'node:util';
import { isBtpError } from '../../core/errors';
import { redactText } from '../../core/redact';
import type { Command } from '../command';
import { connectCommand, connectionsCommand, disconnectCommand } from '../commands/connections';
import { createCommand, deleteCommand, renameCommand, updateCommand } from '../commands/write';
import { getCommand, lsCommand } from '../commands/read';
import { forwardCommand } from '../commands/forward';
import { certificatesCommand } from '../commands/certificates';
import { checkCommand } from '../commands/check';
import { loginCommand, logoutCommand } from '../commands/login';
import { tenantCommand } from '../commands/tenant';
import { tunnelCommand } from '../commands/tunnel';
import { completionCommand } from '../commands/completion';
import { manPage } from '../help';
import { version } from '../version';
import { sandboxCommand } from '../commands/sandbox';
import { ExitCode, exitCodeFor, exitCodeHelp } from '../exitCodes';
import { line, type CliIo } from '../io';
import { errorHeadings } from '../../words/errorWords';

export const commands: readonly Command[] = [
  sandboxCommand,
  connectCommand,
  connectionsCommand,
  disconnectCommand,
  lsCommand,
  getCommand,
  createCommand,
  updateCommand,
  deleteCommand,
  renameCommand,
  certificatesCommand,
  forwardCommand,
  checkCommand,
  loginCommand,
  logoutCommand,
  tenantCommand,
  tunnelCommand,
  completionCommand(() => commands),
];

function help(io: CliIo): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  return [
    `BTP Connect ${version}: SAP BTP destinations from the terminal, and a local sandbox of the BTP side.`,
    '',
    `Usage: ${io.invocation} <command> [options]      ${io.invocation} <command> --help (or: help <command>)`,
    '',
    'Commands:',
    ...commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    '',
    'Secrets of saved connections live in the OS keychain (service "btp-connect"), never in files.',
    '',
    exitCodeHelp,
  ].join('\n');
}

/** Runs one CLI invocation; resolves to the process exit code. Never throws. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  const manual = name === 'help' && rest.length > 0 ? commands.find((candidate) => candidate.name === rest[0]) : undefined;
  if (manual) {
    line(io, manPage(manual));
    return ExitCode.Ok;
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    line(io, help(io));
    return name === undefined ? ExitCode.Usage : ExitCode.Ok;
  }
  if (name === '--version' || name === '-v') {
    line(io, version);
    return ExitCode.Ok;
  }
  const command = commands.find((candidate) => candidate.name === name);
  if (!command) {
    io.stderr(`Unknown command "${name}". Run \`${io.invocation} --help\` for the list.\n`);
    return ExitCode.Usage;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...rest], options: { ...command.options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (error) {
    io.stderr(`${(error as Error).message}\n\n${command.usage}\n`);
    return ExitCode.Usage;
  }
  if (parsed.values.help) {
    line(io, manPage(command));
    return ExitCode.Ok;
  }
  try {
    return await command.run(parsed.values, parsed.positionals, io);
  } catch (error) {
    return reportError(error, parsed.values.json === true, io);
  }
}

function reportError(error: unknown, json: boolean, io: CliIo): number {
  if (isBtpError(error)) {
    if (json) io.stdout(`${JSON.stringify({ error: error.toJSON() }, null, 2)}\n`);
    io.stderr(`${errorHeadings[error.code]} [${error.code}]: ${redactText(error.message)}\n`);
    // Text meant to be copied (e.g. an RFC destination's node-rfc settings, no secrets in it) goes to stdout.
    const copyText = error.details?.copyText;
    if (!json && typeof copyText === 'string') io.stdout(copyText);
    return exitCodeFor(error.code);
  }
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  io.stderr(`Unexpected failure: ${redactText(message)}\n`);
  return ExitCode.Failure;
}
