import type { Server, Socket } from 'node:net';

/**
 * How long a closing listener lets the connections it holds finish before it cuts them: `graceMs`, or until
 * `signal` aborts (tests and callers with their own deadline), whichever comes first.
 */
export interface CloseBound {
  readonly graceMs?: number;
  readonly signal?: AbortSignal;
}

/** The deadline of a bound; `defaultMs` when it names none. The timer does not keep the process alive. */
export function deadlineOf(bound: CloseBound, defaultMs: number): AbortSignal {
  const timeout = AbortSignal.timeout(bound.graceMs ?? defaultMs);
  return bound.signal ? AbortSignal.any([bound.signal, timeout]) : timeout;
}

/**
 * Stops accepting at once, waits until the connections still open have closed by themselves or `deadline`
 * aborts, then destroys what is left. Resolves when the server is closed.
 */
export async function drainServer(server: Server, sockets: ReadonlySet<Socket>, deadline: AbortSignal): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  if (sockets.size > 0) await Promise.race([closed, aborted(deadline)]);
  for (const socket of sockets) socket.destroy();
  await closed;
}

function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
