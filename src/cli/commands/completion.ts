import { BtpError, ErrorCode } from '../../core/errors';
import type { Command } from '../command';
import { completionScript, completionShells, type CompletionShell } from '../completion';
import { ExitCode } from '../exitCodes';

/** `btp-connect completion <shell>`: the completion script for the commands `list()` returns (the CLI's own table). */
export function completionCommand(list: () => readonly Command[]): Command {
  return {
    name: 'completion',
    summary: 'Print a shell completion script (bash, zsh, fish, powershell) for the commands and options',
    usage: `Usage: btp-connect completion bash|zsh|fish|powershell

Prints a script that completes commands, subcommands and options of btp-connect (option values as file
names). Load it once per shell:
  bash        source <(btp-connect completion bash)              (in ~/.bashrc)
  zsh         source <(btp-connect completion zsh)               (in ~/.zshrc, after compinit)
  fish        btp-connect completion fish > ~/.config/fish/completions/btp-connect.fish
  powershell  btp-connect completion powershell | Out-String | Invoke-Expression   (in $PROFILE)`,
    subcommands: completionShells,
    options: {},
    async run(_values, positionals, io) {
      const [shell, ...extra] = positionals;
      if (!completionShells.includes(shell as CompletionShell) || extra.length > 0) {
        throw new BtpError(
          ErrorCode.InvalidInput,
          `Name one shell: btp-connect completion ${completionShells.join('|')}${shell ? ` (not "${positionals.join(' ')}")` : ''}.`,
          { field: 'shell' },
        );
      }
      io.stdout(completionScript(shell as CompletionShell, list()));
      return ExitCode.Ok;
    },
  };
}
