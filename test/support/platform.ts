// Why a test cannot run on this OS, or false. The contributors' CI (.github/workflows/ci.yml) runs the unit,
// integration and security suites on Windows and macOS as well; these name the POSIX assumptions of a harness (never
// of the code under test), so that a test skips there with its reason and still runs everywhere else.

const windows = process.platform === 'win32';

/**
 * The fake cf, kubectl and browser in test/support are `#!/usr/bin/env node` scripts. Windows starts no #! file, and
 * the code starts those tools without a shell (cf.exe and kubectl.exe are programs), so no .cmd could stand in.
 */
export const noScriptTools: string | false = windows && 'Windows starts no #! script: the fake cf, kubectl and browser stand in on Linux and macOS only';

/** A signal to a child on Windows ends it at once: no SIGINT handler runs, so no clean stop can be observed. */
export const noPosixSignals: string | false = windows && 'Windows delivers no SIGINT to a child: its clean stop on Ctrl-C is checked on Linux and macOS';

/** The lines under test are POSIX shell (sh, $(...), quoting). */
export const noPosixShell: string | false = windows && 'the printed lines are POSIX shell lines; Windows has no sh';

/** Owner-only permission bits exist on POSIX; on Windows ACLs guard files and Node reports 0o666 or 0o444. */
export const posixFileModes = !windows;

/**
 * What a child with a hand-made environment needs from ours to run at all: nothing on POSIX; on Windows the system
 * folders (without SystemRoot a Node child cannot even open a socket) and the user's profile folders.
 */
export function osEnv(): Record<string, string> {
  if (!windows) return {};
  const names = [
    'SystemRoot',
    'SYSTEMROOT',
    'windir',
    'SystemDrive',
    'ComSpec',
    'PATHEXT',
    'TEMP',
    'TMP',
    'USERPROFILE',
    'APPDATA',
    'LOCALAPPDATA',
    'ProgramData',
    'ProgramFiles',
  ];
  return Object.fromEntries(names.flatMap((name) => (process.env[name] === undefined ? [] : [[name, process.env[name] as string]])));
}
