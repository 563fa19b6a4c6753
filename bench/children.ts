import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import * as esbuild from 'esbuild';

// Child processes of the bench: bundled like dist/ (esbuild, CJS, packages from node_modules) and run on plain
// `node`, so that tsx's loader thread adds neither CPU nor RSS to what is measured.

const root = join(__dirname, '..');
const outdir = join(root, '.tmp', 'bench');
export const entries = ['upstream', 'references', 'sandboxHost', 'forwards', 'load', 'treeForward'] as const;
export type Entry = (typeof entries)[number];

export async function bundleChildren(): Promise<void> {
  await esbuild.build({
    entryPoints: entries.map((entry) => join(__dirname, `${entry}.ts`)),
    outdir,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    packages: 'external',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  // esbuild's service process would otherwise live as long as the bench.
  await esbuild.stop();
}

const live = new Set<ChildProcess>();

/** A process that is not a bench child (the iperf3 server) but must not outlive the bench either. */
export function track(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
}

/** Last resort, also on an uncaught error: nothing the bench started outlives it. */
export function killAll(): void {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
}
process.on('exit', killAll);

interface Reply {
  readonly id?: number;
  readonly ok?: boolean;
  readonly value?: unknown;
  readonly error?: string;
  readonly ready?: unknown;
  readonly failed?: string;
}

export class Child<Ready = unknown> {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

  private constructor(
    readonly name: string,
    readonly process: ChildProcess,
    readonly ready: Ready,
  ) {
    process.on('message', (message: Reply) => {
      const waiter = message.id === undefined ? undefined : this.pending.get(message.id);
      if (!waiter || message.id === undefined) return;
      this.pending.delete(message.id);
      if (message.ok) waiter.resolve(message.value);
      else waiter.reject(new Error(`${name}: ${message.error ?? 'failed'}`));
    });
    process.once('exit', (code, signal) => {
      for (const waiter of this.pending.values()) waiter.reject(new Error(`${name} exited (${code ?? signal}) while the bench waited for it`));
      this.pending.clear();
    });
  }

  static async start<Ready>(entry: Entry, args: unknown, execArgv: readonly string[] = []): Promise<Child<Ready>> {
    const child = fork(join(outdir, `${entry}.js`), [], { execArgv: [...execArgv], stdio: ['ignore', 'ignore', 'inherit', 'ipc'], cwd: root });
    live.add(child);
    child.send({ init: args ?? {} });
    child.once('exit', () => live.delete(child));
    const ready = await new Promise<Ready>((resolve, reject) => {
      child.on('message', (message: Reply) => {
        if (message.ready !== undefined) resolve(message.ready as Ready);
        else if (message.failed) reject(new Error(`${entry} failed to start: ${message.failed}`));
      });
      child.once('exit', (code, signal) => reject(new Error(`${entry} exited (${code ?? signal}) before it was ready`)));
    });
    return new Child(entry, child, ready);
  }

  get pid(): number {
    return this.process.pid ?? -1;
  }

  call<T>(op: string, args?: unknown): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.process.send({ id, op, args });
    });
  }

  /** Asks for a clean exit (profiles get written), then kills after a grace period. */
  async stop(graceMs = 5_000): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.process.once('exit', () => resolve()));
    const timer = setTimeout(() => this.process.kill('SIGKILL'), graceMs);
    if (this.process.connected) this.call('shutdown').catch(() => undefined);
    else this.process.kill('SIGKILL');
    await exited;
    clearTimeout(timer);
  }
}
