import { homedir } from 'node:os';
import { join } from 'node:path';
import type { CliIo } from './io';

/**
 * The sandbox folder without --dir: $XDG_STATE_HOME/btp-connect/sandbox when set, else the OS's place for an app's
 * local state — ~/.local/state on Linux, %LOCALAPPDATA% on Windows (not roaming: keys and state of this machine),
 * ~/Library/Application Support on macOS.
 */
export function defaultSandboxDirectory(io: Pick<CliIo, 'env'>, platform: NodeJS.Platform = process.platform, home = homedir()): string {
  const base =
    io.env.XDG_STATE_HOME ??
    (platform === 'win32'
      ? (io.env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'))
      : platform === 'darwin'
        ? join(home, 'Library', 'Application Support')
        : join(home, '.local', 'state'));
  return join(base, 'btp-connect', 'sandbox');
}
