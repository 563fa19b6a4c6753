import type { SecretStore } from '../../src/core/secrets/secretStore';
import { MemorySecretStore } from './memorySecretStore';
import type { CliIo } from '../../src/cli/io';
import { run } from '../../src/cli/app/run';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly stdin?: string;
  readonly secrets?: SecretStore;
  /** Resolves the `untilStopped` of long-running commands (the sandbox). */
  readonly stopped?: Promise<void>;
  readonly onStdout?: (text: string) => void;
  /** A person at the terminal answering yes/no questions; absent: nobody can answer (no TTY). */
  readonly confirm?: (question: string) => Promise<boolean>;
}

/** Runs the CLI in-process with captured output, a memory secret store and a private config folder. */
export async function runCli(argv: readonly string[], options: CliOptions): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const secrets = options.secrets ?? new MemorySecretStore();
  const io: CliIo = {
    stdout: (text) => {
      stdout += text;
      options.onStdout?.(text);
    },
    stderr: (text) => (stderr += text),
    env: options.env ?? {},
    cwd: options.cwd,
    readStdin: async () => options.stdin ?? '',
    untilStopped: () => options.stopped ?? Promise.resolve(),
    invocation: 'btp-connect',
    secretStore: () => secrets,
    ...(options.confirm ? { confirm: options.confirm } : {}),
  };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}

/**
 * Runs `btp-connect forward …` until `use` has finished with the addresses it announced, then "presses Ctrl-C".
 * The addresses are those of the announcement lines (`<address>  → <destination> …`), in order.
 */
export async function runForwardUntil(
  args: readonly string[],
  options: Omit<CliOptions, 'stopped' | 'onStdout'> & {
    /** The test expects the forward not to start (it checks the exit code); otherwise that fails the test. */
    readonly mayNotStart?: boolean;
  },
  use: (addresses: string[]) => Promise<void>,
): Promise<CliResult> {
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  let output = '';
  let used: Promise<void> | undefined;
  const finished = await runCli(['forward', ...args], {
    ...options,
    stopped,
    onStdout: (text) => {
      output += text;
      if (!used && output.includes('Press Ctrl-C to stop.')) {
        const addresses = [...output.matchAll(/^(\S+)\s+→/gm)].map((match) => match[1] ?? '');
        used = use(addresses).finally(stop);
      }
    },
  });
  await used;
  // A forward that never announced its ports ran none of `use`'s assertions: never a silent pass.
  if (!used && !options.mayNotStart) throw new Error(`the forward never announced its ports (exit code ${finished.code}): ${finished.stderr.slice(-800)}`);
  return finished;
}
