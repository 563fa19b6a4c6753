import type { SecretStore } from '../core/secrets/secretStore';

/** Everything a command touches of the outside world, so tests can run the CLI in-process. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Reads all of standard input (for `-` arguments). */
  readonly readStdin: () => Promise<string>;
  /** Resolves when the user asks to stop (SIGINT/SIGTERM); long-running commands await it. */
  readonly untilStopped: () => Promise<void>;
  /** How to invoke this CLI in printed hints: `btp-connect` or `node dist/cli.js`. */
  readonly invocation: string;
  /** The secret store for saved connections: the OS keychain, unless a test passes another. */
  readonly secretStore: () => SecretStore;
  /** Asks a yes/no question on the terminal; absent when nobody can answer (no TTY): scripts pass --yes instead. */
  readonly confirm?: (question: string) => Promise<boolean>;
}

export function line(io: CliIo, text = ''): void {
  io.stdout(`${text}\n`);
}
