import { readFile, readdir, readlink } from 'node:fs/promises';

/**
 * Best effort, Linux only: which process listens on a TCP port, as "pid 123 (kubectl)", for the port-in-use
 * message. Returns undefined elsewhere, or when the owner belongs to another user and cannot be seen.
 */
export async function describePortOwner(port: number): Promise<string | undefined> {
  if (process.platform !== 'linux') return undefined;
  try {
    const inodes = new Set<string>();
    for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
      const text = await readFile(table, 'utf8').catch(() => '');
      for (const line of text.split('\n').slice(1)) {
        const fields = line.trim().split(/\s+/);
        const local = fields[1];
        // State 0A is LISTEN; the port is the hex part after the colon.
        if (local && fields[3] === '0A' && Number.parseInt(local.slice(local.lastIndexOf(':') + 1), 16) === port && fields[9]) {
          inodes.add(`socket:[${fields[9]}]`);
        }
      }
    }
    if (inodes.size === 0) return undefined;
    for (const pid of (await readdir('/proc')).filter((name) => /^\d+$/.test(name))) {
      const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
      for (const fd of fds) {
        const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
        if (inodes.has(link)) {
          // The executable, not /proc/<pid>/comm: that is the main thread's name, which Node 24 sets to "MainThread".
          const name = programName(await readlink(`/proc/${pid}/exe`).catch(() => '')) || (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')).trim();
          return name ? `pid ${pid} (${name})` : `pid ${pid}`;
        }
      }
    }
  } catch {
    // Only a nicer message is lost.
  }
  return undefined;
}

/** The program's file name from the target of /proc/<pid>/exe ("/usr/bin/kubectl" → "kubectl"), '' for none. */
export function programName(exeLink: string): string {
  return (
    exeLink
      .replace(/ \(deleted\)$/, '')
      .split('/')
      .pop() ?? ''
  );
}
