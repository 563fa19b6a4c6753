import type { Command } from './command';
import { exitCodeHelp } from './exitCodes';

const indent = (text: string, by = 4) =>
  text
    .split('\n')
    .map((line) => (line === '' ? line : `${' '.repeat(by)}${line}`))
    .join('\n');

/**
 * `btp-connect <command> --help` (and `help <command>`) as a manual page: NAME, SYNOPSIS and DESCRIPTION from the
 * command's own usage text, then EXIT STATUS and SEE ALSO, which every command shares.
 */
export function manPage(command: Command): string {
  const [synopsisBlock = '', ...description] = command.usage.split('\n\n');
  // The usage's first block is the synopsis: "Usage: btp-connect x …", further forms aligned under the first.
  const synopsis = synopsisBlock
    .replace(/^Usage: /, '')
    .split('\n')
    .map((line) => line.replace(/^ {7}/, ''))
    .join('\n');
  const exitCodes = exitCodeHelp.replace(/^Exit codes:\n/, '').replace(/^ {2}/gm, '');
  return [
    'NAME',
    indent(`btp-connect ${command.name} - ${command.summary}`),
    '',
    'SYNOPSIS',
    indent(synopsis),
    ...(description.length ? ['', 'DESCRIPTION', indent(description.join('\n\n'), 2)] : []),
    '',
    'EXIT STATUS',
    indent(exitCodes),
    '',
    'SEE ALSO',
    indent('btp-connect --help (all commands), btp-connect completion --help (shell completion)'),
  ].join('\n');
}
