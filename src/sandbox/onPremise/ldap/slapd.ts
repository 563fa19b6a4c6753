import { spawn } from 'node:child_process';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { Logger } from '../../../core/log';
import { WatchedChild, type ChildExit } from '../../../core/tunnel/watchedChild';
import { slapdConfig } from './slapdConfig';
import { directoryLdif } from './tree';

export interface SlapdOptions {
  /** OpenLDAP's server binary (Debian: /usr/sbin/slapd); also loads the tree, as `slapd -T add`. */
  readonly slapdPath: string;
  /** Folder of this run, wiped and written again: slapd.conf, the database, the `ldapi` socket. */
  readonly folder: string;
  readonly logger: Logger;
  /** How long slapd may take to say it is starting (it takes milliseconds; this catches a hung one). */
  readonly startTimeoutMs?: number;
}

export interface Slapd {
  /** The Unix socket slapd listens on (its only listener). */
  readonly socketPath: string;
  /** slapd's process id (not the watchdog's). */
  readonly pid: number | undefined;
  /** Settles when slapd exits, for whatever reason; `lines` are its last stderr lines. */
  readonly exited: Promise<{ readonly exit: ChildExit; readonly lines: readonly string[] }>;
  stop(): Promise<void>;
}

/** slapd or slapadd failed; `lines` are what it wrote to stderr, the reason in its own words. */
export class SlapdFailure extends Error {
  constructor(
    message: string,
    readonly lines: readonly string[],
  ) {
    super(lines.length > 0 ? `${message}: ${lines.join(' | ')}` : message);
    this.name = 'SlapdFailure';
  }
}

const keptLines = 20;
const graceMs = 3_000;

/**
 * Runs OpenLDAP's slapd for the sandbox: a fresh database loaded with the tree (`tree.ts`) by `slapd -T add`, then
 * slapd in the foreground (`-d none`: no debug output, only its own notices and errors on stderr) listening on a
 * Unix socket in the folder and nowhere else. It runs under the tunnels' watchdog (`WatchedChild`) in a process
 * group of its own, which ends with the sandbox even when the sandbox is killed. Resolves once slapd has said
 * `slapd starting` and its socket accepts: slapd prints the line after binding the socket but before its listener
 * thread calls listen(), so a connection in between is refused.
 */
export async function startSlapd(options: SlapdOptions): Promise<Slapd> {
  const { folder, slapdPath } = options;
  await rm(folder, { recursive: true, force: true });
  await mkdir(join(folder, 'data'), { recursive: true, mode: 0o700 });
  // The socket is reachable by whoever can enter this folder: the sandbox's user alone.
  await chmod(folder, 0o700);
  const configPath = join(folder, 'slapd.conf');
  await writeFile(configPath, slapdConfig(slapdPath, join(folder, 'data')), { mode: 0o600 });
  await loadTree(slapdPath, configPath, folder);

  const socketPath = join(folder, 'ldapi');
  const lines: string[] = [];
  let ready = false;
  let announce: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (announce = resolve));
  const child = new WatchedChild(
    { command: slapdPath, args: ['-f', configPath, '-h', `ldapi://${encodeURIComponent(socketPath)}`, '-d', 'none'], env: process.env, graceMs },
    (_stream, raw) => {
      const line = withoutStamp(raw);
      if (line.trim() === '' || isBanner(line)) return;
      lines.push(line);
      if (lines.length > keptLines) lines.shift();
      if (!ready && /\bslapd starting\b/.test(line)) {
        ready = true;
        announce();
      } else options.logger.debug(`slapd: ${line}`);
    },
  );
  const exited = Promise.all([child.exited, child.outputDone]).then(([exit]) => ({ exit, lines: [...lines] }));
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  const deadline = Date.now() + timeoutMs;
  let gone = false;
  void exited.then(() => (gone = true));
  const outcome = await Promise.race([
    started
      .then(() => untilAccepting(socketPath, deadline, () => gone))
      .then((accepting) => (accepting ? ('ready' as const) : gone ? ('exited' as const) : ('timeout' as const))),
    exited.then(() => 'exited' as const),
    new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs))),
  ]);
  clearTimeout(timer);
  if (outcome !== 'ready') {
    await child.stop();
    const { exit } = await exited;
    const why = outcome === 'timeout' ? `slapd did not start within ${timeoutMs / 1000} s` : `slapd ${describeExit(exit)} before it was ready`;
    throw new SlapdFailure(
      why,
      lines.filter((line) => !/\bslapd (stopped|shutdown)\b|connections_destroy/.test(line)),
    );
  }
  return {
    socketPath,
    get pid() {
      return child.pid;
    },
    exited,
    async stop() {
      await child.stop();
    },
  };
}

/** Connects to the socket until it accepts (a few ms after `slapd starting`), the deadline passes or slapd is gone. */
async function untilAccepting(path: string, deadline: number, gone: () => boolean): Promise<boolean> {
  for (let pause = 2; !gone() && Date.now() < deadline; pause = Math.min(100, pause * 2)) {
    const accepted = await new Promise<boolean>((resolve) => {
      const socket = connect({ path });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (accepted) return true;
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
  return false;
}

/** `slapd -T add` (slapadd) from stdin: no LDIF file with the reader's hash is left behind. */
async function loadTree(slapdPath: string, configPath: string, folder: string): Promise<void> {
  const child = spawn(slapdPath, ['-T', 'add', '-q', '-f', configPath], { cwd: folder, stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-8_000)));
  child.stdin.on('error', () => undefined); // a slapadd that exits early reports through its exit code
  child.stdin.end(directoryLdif());
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  if (exit.error) throw new SlapdFailure(`slapd could not be run to load the directory (${exit.error.message})`, []);
  if (exit.code !== 0) {
    const lines = stderr
      .split('\n')
      .map(withoutStamp)
      .filter((line) => line.trim() !== '' && !isBanner(line) && !line.startsWith('_'));
    throw new SlapdFailure(`loading the directory (slapd -T add) ${describeExit({ code: exit.code, signal: exit.signal })}`, lines.slice(-keptLines));
  }
}

/** slapd starts each line with a hex timestamp and thread id: `6b16a648.3505a029 0x7f4bf2fa7200 slapd starting`. */
function withoutStamp(line: string): string {
  return line.replace(/^[0-9a-f]+\.[0-9a-f]+ 0x[0-9a-f]+ /, '');
}

/** The version banner slapd prints first (`@(#) $OpenLDAP: slapd 2.5.13 …` and the maintainers on the next line). */
function isBanner(line: string): boolean {
  return line.startsWith('@(#)') || /^\s/.test(line);
}

function describeExit(exit: Pick<ChildExit, 'code' | 'signal'> & { spawnError?: ChildExit['spawnError'] }): string {
  if (exit.spawnError) return `could not be started (${exit.spawnError.message})`;
  if (exit.signal) return `was ended by ${exit.signal}`;
  return `exited with code ${exit.code ?? 'unknown'}`;
}
