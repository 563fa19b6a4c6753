/**
 * The child side of the bench's IPC: a process gets its arguments as the first message `{ init }` (not on the
 * command line, where `ps` would show the sandbox's keys), reports `{ ready }` once, answers `{ id, op, args }`
 * with `{ id, ok, value | error }`, and dies with its parent (the IPC channel closes even on SIGKILL).
 */

type Handler = (args: unknown) => unknown;
type Start<Args> = (args: Args) => Promise<{ ready: unknown; handlers: Record<string, Handler>; close?: () => Promise<void> }>;

export interface Request {
  readonly id: number;
  readonly op: string;
  readonly args?: unknown;
}

export function serveParent<Args>(start: Start<Args>): void {
  if (!process.send) throw new Error('a bench child must be started with an IPC channel');
  const send = (message: unknown) => process.send?.(message);
  process.on('disconnect', () => process.exit(0));
  process.once('message', (first: { init?: Args }) => run(start, first.init as Args, send));
}

function run<Args>(start: Start<Args>, args: Args, send: (message: unknown) => void): void {
  start(args).then(
    ({ ready, handlers, close }) => {
      process.on('message', (message: Request) => {
        if (message.op === 'shutdown') {
          // A normal exit, so that --cpu-prof writes its profile.
          void (close ?? (async () => undefined))()
            .catch(() => undefined)
            .finally(() => {
              send({ id: message.id, ok: true });
              process.exit(0);
            });
          return;
        }
        const handler = handlers[message.op];
        Promise.resolve()
          .then(() => {
            if (!handler) throw new Error(`unknown op ${message.op}`);
            return handler(message.args);
          })
          .then(
            (value) => send({ id: message.id, ok: true, value }),
            (error: unknown) => send({ id: message.id, ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
          );
      });
      send({ ready });
    },
    (error: unknown) => {
      send({ failed: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      process.exit(1);
    },
  );
}
