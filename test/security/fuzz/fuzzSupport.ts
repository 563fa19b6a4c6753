import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';

/**
 * Shared pieces of the parser fuzz suites (Hardening: "parser fuzzing with property-based tests, ≥ 10 000 cases
 * each"; acceptance checks AC-13 and AC-21 of docs/security.md).
 */

/** Cases per property. FUZZ_RUNS may raise it (a longer soak), never lower it below the acceptance floor. */
export const FUZZ_RUNS = Math.max(10_000, Number(process.env.FUZZ_RUNS ?? 0) || 0);

/**
 * The seed of every property in this process: FUZZ_SEED=<n> replays a run, otherwise a fresh random one. Each
 * property prints it (see `fuzzParameters`), so a failure on any machine can be replayed with the same cases.
 */
export const FUZZ_SEED = fuzzSeed(process.env.FUZZ_SEED);

function fuzzSeed(text: string | undefined): number {
  if (text === undefined || text === '') return Math.floor(Math.random() * 0x1_0000_0000) | 0;
  const seed = Number(text);
  if (!Number.isSafeInteger(seed)) throw new Error(`FUZZ_SEED must be an integer, not ${JSON.stringify(text)}`);
  return seed | 0;
}

/**
 * The fast-check parameters of one property (`fc.assert(property, fuzzParameters(t))`): FUZZ_RUNS cases (or
 * `numRuns`) from FUZZ_SEED, which it prints as the test's diagnostic: `fuzz seed <n> (replay: FUZZ_SEED=<n>)`.
 */
export function fuzzParameters(t: { diagnostic(message: string): void }, numRuns: number = FUZZ_RUNS): { readonly numRuns: number; readonly seed: number } {
  t.diagnostic(`fuzz seed ${FUZZ_SEED} (replay: FUZZ_SEED=${FUZZ_SEED})`);
  return { numRuns, seed: FUZZ_SEED };
}

/**
 * Records every unhandled rejection and uncaught exception while the fuzz suite runs. A listener keeps the
 * process alive, so the suite can name the first failure instead of dying on it; `assertNone` fails the test.
 */
export class ProcessFailures {
  readonly seen: unknown[] = [];
  private readonly onRejection = (reason: unknown) => this.seen.push(reason);
  private readonly onException = (error: unknown) => this.seen.push(error);

  constructor() {
    process.on('unhandledRejection', this.onRejection);
    process.on('uncaughtException', this.onException);
  }

  assertNone(): void {
    const first = this.seen[0];
    assert.equal(
      this.seen.length,
      0,
      `unhandled rejections / uncaught exceptions: ${this.seen.length}; first: ${first instanceof Error ? first.stack : String(first)}`,
    );
  }

  dispose(): void {
    process.off('unhandledRejection', this.onRejection);
    process.off('uncaughtException', this.onException);
  }
}

/** Counts cases per parser and reports them with the wall time of the property. */
export class CaseCounter {
  private readonly counts = new Map<string, number>();

  hit(label: string): void {
    this.counts.set(label, (this.counts.get(label) ?? 0) + 1);
  }

  summary(): string {
    return [...this.counts.entries()].map(([label, count]) => `${label}=${count}`).join(', ');
  }
}

/** Runs `body` and returns its wall time in milliseconds. */
export async function timed(body: () => Promise<void> | void): Promise<number> {
  const started = performance.now();
  await body();
  return Math.round(performance.now() - started);
}

/** What a raw client saw: every byte the peer sent, and how the connection ended. */
export interface RawExchange {
  readonly bytes: Buffer;
  /** `end`: the peer sent FIN; `reset`: ECONNRESET/EPIPE; `close`: closed without either (we destroyed it). */
  readonly ending: 'end' | 'reset' | 'close';
}

/**
 * A raw loopback client for one fuzz case: connects, writes `chunks` one after another (each waits for the
 * previous write to be flushed to the kernel, so they leave as separate segments), optionally half-closes, and
 * collects everything until the peer closes. `done(bytes)` may end the exchange early (a complete answer).
 */
export async function rawExchange(
  port: number,
  chunks: readonly Uint8Array[],
  options: { readonly halfClose?: boolean; readonly done?: (bytes: Buffer) => boolean } = {},
): Promise<RawExchange> {
  const socket = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
  socket.setNoDelay(true);
  const received: Buffer[] = [];
  let total = 0;
  let ending: RawExchange['ending'] = 'close';
  const finished = new Promise<void>((resolve) => {
    socket.on('data', (chunk: Buffer) => {
      received.push(chunk);
      total += chunk.length;
      if (options.done?.(Buffer.concat(received, total))) {
        socket.destroy();
        resolve();
      }
    });
    socket.on('end', () => {
      ending = 'end';
      socket.destroy();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (ending === 'close') ending = error.code === 'ECONNRESET' || error.code === 'EPIPE' ? 'reset' : 'close';
    });
    socket.on('close', () => resolve());
  });
  await Promise.race([once(socket, 'connect'), finished]);
  for (const chunk of chunks) {
    if (socket.destroyed || socket.writableEnded) break;
    // The callback also runs (with an error) when the peer's close destroys the socket first.
    await Promise.race([new Promise<void>((resolve) => socket.write(chunk, () => resolve())), finished]);
  }
  if (options.halfClose !== false && !socket.destroyed && !socket.writableEnded) socket.end();
  await finished;
  return { bytes: Buffer.concat(received, total), ending };
}

/** Splits `bytes` at the given cut points (taken modulo its length, sorted, deduplicated). */
export function splitAt(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  if (bytes.length <= 1 || cuts.length === 0) return [bytes];
  const points = [...new Set(cuts.map((cut) => 1 + (cut % (bytes.length - 1))))].sort((a, b) => a - b);
  const parts: Uint8Array[] = [];
  let start = 0;
  for (const point of points) {
    parts.push(bytes.subarray(start, point));
    start = point;
  }
  parts.push(bytes.subarray(start));
  return parts;
}

export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/**
 * A watchdog, not a synchronisation: `promise` settles the case; if it has not after `ms`, the case fails with
 * `what` instead of hanging the suite.
 */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing happened within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP/1.1 answers read off raw bytes.

export interface HttpResponse {
  readonly status: number;
  readonly head: string;
  readonly body: Buffer;
}

/** The first final response in `bytes` once it is complete (a 101 counts as final), or undefined. */
export function finalResponse(bytes: Buffer, method: string, atClose: boolean): HttpResponse | undefined {
  let offset = 0;
  for (;;) {
    const end = bytes.indexOf('\r\n\r\n', offset);
    if (end < 0) return undefined;
    const head = bytes.subarray(offset, end).toString('latin1');
    const status = Number(/^HTTP\/1\.[01] (\d{3}) /.exec(head)?.[1] ?? Number.NaN);
    const start = end + 4;
    if (status >= 100 && status < 200 && status !== 101) {
      offset = start;
      continue;
    }
    const header = (name: string) => new RegExp(`\\r\\n${name}:\\s*([^\\r]*)`, 'i').exec(head)?.[1];
    if (status === 101 || status === 204 || status === 304 || method === 'HEAD') return { status, head, body: Buffer.alloc(0) };
    const length = header('content-length');
    if (length !== undefined) {
      const total = start + Number(length);
      return bytes.length >= total ? { status, head, body: bytes.subarray(start, total) } : undefined;
    }
    if (/chunked/i.test(header('transfer-encoding') ?? '')) {
      const body = dechunk(bytes.subarray(start));
      return body ? { status, head, body } : undefined;
    }
    return atClose ? { status, head, body: bytes.subarray(start) } : undefined;
  }
}

export function dechunk(bytes: Buffer): Buffer | undefined {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = bytes.indexOf('\r\n', offset);
    if (lineEnd < 0) return undefined;
    const size = Number.parseInt(bytes.subarray(offset, lineEnd).toString('latin1'), 16);
    if (size === 0)
      return bytes.indexOf('\r\n\r\n', lineEnd) >= 0 || bytes.subarray(lineEnd).toString('latin1') === '\r\n\r\n' ? Buffer.concat(parts) : undefined;
    if (bytes.length < lineEnd + 2 + size + 2) return undefined;
    parts.push(bytes.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
}

/** A Node stack frame (`    at fn (file:1:2)`): never part of an answer. */
export const stackTrace = /\n\s+at .+:\d+:\d+/;
