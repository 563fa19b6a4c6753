import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ExitCode } from '../../src/cli/exitCodes';
import { commands } from '../../src/cli/app/run';
import { runCli } from '../support/cliHarness';

// The CLI's manual pages and shell completion, both from its own command table: every command has a page that
// documents each of its options, and the completion scripts complete what the table says, in real shells.

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'btp-cli-help-'));
  await writeFile(join(dir, 'destination-key.json'), '{}');
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const cli = (...argv: string[]) => runCli(argv, { cwd: dir });
const longOptions = (name: string) =>
  [...Object.keys(commands.find((command) => command.name === name)!.options).map((option) => `--${option}`), '--help'].sort();

async function script(shell: string): Promise<string> {
  const result = await cli('completion', shell);
  assert.equal(result.code, ExitCode.Ok, result.stderr);
  const file = join(dir, `completion.${shell}`);
  await writeFile(file, result.stdout);
  return file;
}

/** Why the POSIX shell `name` cannot run the script here, or false. */
function noShell(name: string): string | false {
  // On Windows `bash` may be WSL's, which cannot read this machine's temp paths; PowerShell is the shell there.
  if (process.platform === 'win32') return `${name} completion is tested on Linux and macOS`;
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0 ? false : `${name} is not installed (apt-get install ${name})`;
}

describe('btp-connect <command> --help', () => {
  for (const command of commands) {
    it(`${command.name}: a manual page (NAME, SYNOPSIS, EXIT STATUS, SEE ALSO) documenting every option`, async () => {
      const page = await cli(command.name, '--help');
      assert.equal(page.code, ExitCode.Ok);
      assert.match(page.stdout, new RegExp(`^NAME\\n {4}btp-connect ${command.name} - \\S`));
      assert.match(page.stdout, new RegExp(`\\nSYNOPSIS\\n {4}btp-connect ${command.name}\\b`));
      assert.match(page.stdout, /\nEXIT STATUS\n {4}0 {2}success\n[\s\S]*\n {4}8 {2}no OS keychain available\n/);
      assert.match(page.stdout, /\nSEE ALSO\n/);
      for (const option of Object.keys(command.options)) assert.match(page.stdout, new RegExp(`--${option}\\b`), `--${option} is documented`);
      assert.equal((await cli('help', command.name)).stdout, page.stdout, '`help <command>` prints the same page');
    });
  }

  it('completion without a shell names the shells; the command list names completion', async () => {
    const bad = await cli('completion', 'tcsh');
    assert.equal(bad.code, ExitCode.InvalidInput);
    assert.match(bad.stderr, /btp-connect completion bash\|zsh\|fish\|powershell \(not "tcsh"\)/);
    assert.match((await cli('--help')).stdout, /\n {2}completion +Print a shell completion script/);
  });
});

describe('btp-connect completion', () => {
  /** What bash's completion function offers for the words typed so far (the last one being completed). */
  function bashComplete(file: string, ...typed: string[]): string[] {
    const words = ['btp-connect', ...typed].map((word) => `'${word}'`).join(' ');
    const out = execFileSync(
      'bash',
      ['-c', `source '${file}'; COMP_WORDS=(${words}); COMP_CWORD=${typed.length}; _btp_connect; printf '%s\\n' "\${COMPREPLY[@]}"`],
      { cwd: dir, encoding: 'utf8' },
    );
    return out
      .split('\n')
      .filter((line) => line !== '')
      .sort();
  }

  it("bash: commands, every command's options, subcommands and file names for option values", { skip: noShell('bash') }, async () => {
    const file = await script('bash');
    assert.deepEqual(bashComplete(file, 'sa'), ['sandbox']);
    assert.deepEqual(bashComplete(file, 'co'), ['completion', 'connect', 'connections']);
    for (const command of commands) {
      const offered = bashComplete(file, command.name, '--');
      assert.deepEqual(offered, longOptions(command.name), command.name);
    }
    assert.deepEqual(bashComplete(file, 'sandbox', 'ex'), ['expose', 'exposed']);
    assert.deepEqual(bashComplete(file, 'tunnel', ''), ['remove', 'setup', 'show']);
    assert.deepEqual(bashComplete(file, 'completion', ''), ['bash', 'fish', 'powershell', 'zsh']);
    assert.deepEqual(bashComplete(file, 'ls', '--key', 'destination-'), ['destination-key.json']);
    assert.deepEqual(bashComplete(file, 'ls', '-k', 'dest'), ['destination-key.json']);
  });

  it('fish: commands with their summaries, options per command and subcommands', { skip: noShell('fish') }, async () => {
    const file = await script('fish');
    const complete = (line: string) =>
      execFileSync('fish', ['--no-config', '-c', `source '${file}'; complete -C '${line}'`], { cwd: dir, encoding: 'utf8' })
        .split('\n')
        .filter((entry) => entry !== '')
        .sort();
    assert.deepEqual(complete('btp-connect sa'), [`sandbox\t${commands.find((command) => command.name === 'sandbox')!.summary}`]);
    for (const command of commands)
      assert.deepEqual(
        complete(`btp-connect ${command.name} --`).map((entry) => entry.split('\t')[0]),
        longOptions(command.name),
        command.name,
      );
    assert.deepEqual(complete('btp-connect tunnel '), ['remove', 'setup', 'show']);
  });

  it('zsh: parses, and registers its function for btp-connect with compinit', { skip: noShell('zsh') }, async () => {
    const file = await script('zsh');
    execFileSync('zsh', ['-n', file]);
    const registered = execFileSync('zsh', ['-f', '-c', `autoload -U compinit && compinit -u -D && source '${file}' && print -r -- $_comps[btp-connect]`], {
      cwd: dir,
      encoding: 'utf8',
    });
    assert.equal(registered.trim(), '_btp_connect');
  });

  it('powershell: one entry per command with all its options and subcommands (no pwsh here to run it)', async () => {
    const text = (await cli('completion', 'powershell')).stdout;
    assert.match(text, /^Register-ArgumentCompleter -Native -CommandName btp-connect /m);
    for (const command of commands) {
      const entry = new RegExp(`^ {4}'${command.name}' = @\\{ Summary = '[^\\n]*'; Options = @\\(([^)]*)\\); Subcommands = @\\(([^)]*)\\) \\}$`, 'm').exec(
        text,
      );
      assert.ok(entry, command.name);
      const options = [...(entry[1] ?? '').matchAll(/'(--[^']+)'/g)].map((match) => match[1]).sort();
      assert.deepEqual(options, longOptions(command.name), command.name);
      assert.deepEqual(
        [...(entry[2] ?? '').matchAll(/'([^']+)'/g)].map((match) => match[1]),
        [...(command.subcommands ?? [])],
        command.name,
      );
    }
  });
});
