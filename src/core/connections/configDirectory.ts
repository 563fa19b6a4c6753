import { homedir } from 'node:os';
import { join } from 'node:path';

/** Default config folder, shared by the CLI and the extension: `$XDG_CONFIG_HOME/btp-connect` and platform peers. */
export function defaultConfigDirectory(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BTP_CONNECT_CONFIG_DIR) return env.BTP_CONNECT_CONFIG_DIR;
  if (process.platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'btp-connect');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'btp-connect');
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'btp-connect');
}
