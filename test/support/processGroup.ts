import type { ChildProcess } from 'node:child_process';

/**
 * Signals for a child spawned `detached` (a process group of its own: it and everything it started), and a
 * SIGKILL of that group should this test process exit before `release()` — no server outlives a crashed suite.
 * Windows has no process groups: there the child alone is ended (the servers started this way are one process).
 */
export function processGroup(child: ChildProcess): { kill(signal: NodeJS.Signals): void; release(): void } {
  const kill = (signal: NodeJS.Signals) => {
    try {
      if (process.platform === 'win32') child.kill(signal);
      else if (child.pid) process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  const onExit = () => kill('SIGKILL');
  process.once('exit', onExit);
  return { kill, release: () => process.off('exit', onExit) };
}
