import { relative } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { KeychainSecretStore } from '../../core/secrets/keychainStore';
import type { CliIo } from '../io';
import { run } from './run';
import { tuneForForwarding } from '../runtime';

/** Process glue: real stdio, signals and the OS keychain. Everything else is in `run`. */
function main(): void {
  tuneForForwarding();
  const script = process.argv[1] ?? '';
  const invokedAsNode = /cli\.js$/.test(script) && !/node_modules[\\/]\.bin/.test(script);
  const io: CliIo = {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    untilStopped: () =>
      new Promise((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      }),
    invocation: invokedAsNode ? `node ${relative(process.cwd(), script) || script}` : 'btp-connect',
    secretStore: () => new KeychainSecretStore(),
    // Only a person at a terminal can say yes; without one, commands that change things need --yes.
    ...(process.stdin.isTTY && process.stderr.isTTY ? { confirm: askYesNo } : {}),
  };
  run(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`Unexpected failure: ${String(error)}\n`);
      process.exitCode = 1;
    },
  );
}

async function askYesNo(question: string): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await prompt.question(question)).trim());
  } finally {
    prompt.close();
  }
}

main();
