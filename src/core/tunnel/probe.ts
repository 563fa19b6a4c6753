import { connect } from 'node:net';

/** True when something accepts a TCP connection on 127.0.0.1:port within `timeoutMs`. */
export function tcpProbe(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let settled = false;
    const done = (ok: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.removeAllListeners('connect');
      // A polite FIN, not a RST: kubectl logs "an error occurred forwarding" for reset streams, which we would
      // then take for a dead tunnel.
      if (ok) socket.end();
      else socket.destroy();
      socket.on('error', () => undefined);
      socket.setTimeout(1000, () => socket.destroy());
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export type WaitOutcome = 'ready' | 'timeout' | 'aborted';

/** Probes every port until all accept, `timeoutMs` passes or `signal` aborts (the child died, or stop()). */
export async function waitUntilAccepting(ports: readonly number[], timeoutMs: number, signal: AbortSignal): Promise<WaitOutcome> {
  const deadline = Date.now() + timeoutMs;
  let pending = [...ports];
  let pause = 25;
  while (!signal.aborted) {
    const results = await Promise.all(pending.map((port) => tcpProbe(port, Math.max(1, Math.min(1000, deadline - Date.now())))));
    pending = pending.filter((_port, index) => !results[index]);
    if (signal.aborted) return 'aborted';
    if (pending.length === 0) return 'ready';
    if (Date.now() >= deadline) return 'timeout';
    await abortableDelay(Math.min(pause, deadline - Date.now()), signal);
    pause = Math.min(250, pause * 2);
  }
  return 'aborted';
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(finish, Math.max(0, ms));
    function finish() {
      clearTimeout(timer);
      signal.removeEventListener('abort', finish);
      resolve();
    }
    signal.addEventListener('abort', finish, { once: true });
  });
}
