import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * A throwaway PostgreSQL of Debian's `postgresql` package on 127.0.0.1: `initdb` into a temp folder, `postgres` on a
 * free port, trust authentication for user `postgres`. PostgreSQL refuses to run as root, so as root (CI) both run
 * as `nobody` (setpriv), owning the folder.
 */
export interface Postgres {
  readonly port: number;
  /** Runs `psql` against `host:port` (the server itself, or a forward to it); resolves to its stdout. */
  psql(host: string, port: number, sql: string): Promise<string>;
  stop(): Promise<void>;
}

/** The bin folder of the newest installed PostgreSQL, or undefined when the package is missing. */
export function postgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((name) => existsSync(join(root, name, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : undefined;
}

export async function startPostgres(bin: string): Promise<Postgres> {
  const directory = await mkdtemp(join(tmpdir(), 'btp-pg-'));
  const asRoot = process.getuid?.() === 0;
  // nobody/nogroup: Debian's ids 65534.
  if (asRoot) await chown(directory, 65_534, 65_534);
  const command = (program: string, args: string[]): [string, string[]] =>
    asRoot ? ['setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', join(bin, program), ...args]] : [join(bin, program), args];
  const data = join(directory, 'data');
  await promisify(execFile)(...command('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '--no-instructions']), { cwd: directory });
  const port = await freePort();
  const [program, args] = command('postgres', [
    '-D',
    data,
    '-p',
    String(port),
    '-h',
    '127.0.0.1',
    '-k',
    directory,
    '-c',
    'fsync=off',
    '-c',
    'logging_collector=off',
  ]);
  const child: ChildProcess = spawn(program, args, { cwd: directory, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('database system is ready to accept connections')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`postgres exited with ${code}: ${log}`)));
  });
  return {
    port,
    async psql(host, psqlPort, sql) {
      const { stdout } = await promisify(execFile)(
        'psql',
        ['-h', host, '-p', String(psqlPort), '-U', 'postgres', '-d', 'postgres', '-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-c', sql],
        {
          env: { ...process.env, PGCONNECT_TIMEOUT: '10', PGSSLMODE: 'disable' },
        },
      );
      return stdout;
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGINT'); // fast shutdown
        await exited;
      }
      await rm(directory, { recursive: true, force: true });
    },
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  server.close();
  await once(server, 'close');
  return port;
}
