import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';

/** What a SAP-client child process printed: its one `@@result {json}` line, and every other line as its log. */
export interface ChildRun<T> {
  readonly result: T;
  readonly lines: readonly string[];
  readonly stderr: string;
}

/**
 * Runs a SAP client (Cloud SDK, approuter) unchanged in a child Node process, bounded in time (a hang fails the test
 * instead of blocking the suite), and reads back the result line it prints.
 */
export async function runResultChild<T extends { scenario: string }>(
  what: string,
  scenario: string,
  args: readonly string[],
  options: { env: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number },
): Promise<ChildRun<T>> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
    execFile(
      process.execPath,
      [...args],
      { cwd: options.cwd, env: options.env, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 },
      (error, out, err) => {
        if (error)
          reject(new Error(`${what} child failed (${error.killed ? `killed after ${timeoutMs} ms` : error.message})\nstdout:\n${out}\nstderr:\n${err}`));
        else resolve({ stdout: out, stderr: err });
      },
    );
  });
  const lines = stdout.split('\n').filter((text) => text.length > 0);
  const resultLine = lines.find((text) => text.startsWith('@@result '));
  assert.ok(resultLine, `no result line from the ${what} child\nstdout:\n${stdout}\nstderr:\n${stderr}`);
  const result = JSON.parse(resultLine.slice('@@result '.length)) as T;
  assert.equal(result.scenario, scenario);
  return { result, lines: lines.filter((text) => text !== resultLine), stderr };
}
