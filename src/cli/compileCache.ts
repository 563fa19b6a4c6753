import { enableCompileCache } from 'node:module';
import { homedir, userInfo } from 'node:os';
import { posix, win32 } from 'node:path';

/**
 * Where V8 keeps the CLI's compiled code between runs: the user's own cache folder. Never the shared temp folder
 * (Node's default), where another user of the machine could have put code of theirs first. Undefined without a home.
 */
export function compileCacheDirectory(env: NodeJS.ProcessEnv, platform: NodeJS.Platform, home: string): string | undefined {
  const { isAbsolute, join } = platform === 'win32' ? win32 : posix;
  if (platform === 'win32') return env.LOCALAPPDATA && isAbsolute(env.LOCALAPPDATA) ? join(env.LOCALAPPDATA, 'btp-connect', 'Cache', 'compile') : undefined;
  if (!home || !isAbsolute(home)) return undefined;
  if (platform === 'darwin') return join(home, 'Library', 'Caches', 'btp-connect', 'compile');
  // XDG Base Directory: a relative XDG_CACHE_HOME is invalid and ignored.
  const base = env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : join(home, '.cache');
  return join(base, 'btp-connect', 'compile');
}

/**
 * Compiling the 2 MB bundle is a fifth of a `btp-connect` start; with V8's code cache the next start skips it.
 * Node's own NODE_COMPILE_CACHE wins, NODE_DISABLE_COMPILE_CACHE=1 turns it off, root uses it only in its own home, and a cache
 * that cannot be written only costs the time it would have saved.
 */
export function cacheCompiledCode(env: NodeJS.ProcessEnv): void {
  if (env.NODE_COMPILE_CACHE) return;
  let home: string;
  try {
    home = homedir();
    // Root with another user's HOME (a sudo that keeps it): code from a folder that user can write would run as root.
    if (process.getuid?.() === 0 && home !== userInfo().homedir) return;
  } catch {
    // No HOME and no passwd entry (an arbitrary container user): start without the cache.
    return;
  }
  const directory = compileCacheDirectory(env, process.platform, home);
  if (directory) enableCompileCache(directory);
}
