import { BtpError, ErrorCode } from '../errors';
import type { Logger } from '../log';

/**
 * How many connections one forward may hold open upstream at once (finding D2 of issue 12). Every on-premise
 * connection is one stream on the Cloud Connector's tunnel, which all users of that connector share; one forward
 * flooded by a client must not take all of them. 128: the pool every OnPremise HTTP forward of a connection used to
 * share, 2.5 times the 50 concurrent connections of our load benchmark and more than ten times a database client's
 * pool (node-postgres and HikariCP open 10), while seven flooded forwards together stay below the 1,000 streams
 * the sandbox's Cloud Connector allows on its tunnel.
 */
export const defaultMaxConnections = 128;

/** An HTTP forward stops accepting at 4,096 sockets anyway; above that a limit would limit nothing. */
export const maxConnectionsCeiling = 4_096;

/**
 * A whole number from 1 to 4,096 (also as text, from a command line), or an `InvalidInput` error that names the
 * field (`label`: as the user wrote it, e.g. `--max-connections`) and the fix.
 */
export function checkMaxConnections(value: unknown, field = 'maxConnections', label = field): number {
  const number = typeof value === 'string' && /^\d{1,5}$/.test(value) ? Number(value) : value;
  if (typeof number === 'number' && Number.isInteger(number) && number >= 1 && number <= maxConnectionsCeiling) return number;
  throw new BtpError(
    ErrorCode.InvalidInput,
    `${label} must be a whole number from 1 to ${maxConnectionsCeiling} (the connections one forward may hold open upstream; default ${defaultMaxConnections}), not ${JSON.stringify(value)}.`,
    { field },
  );
}

/** A flood refuses thousands of connections a second: one log line for the first, then at most one per interval. */
const logIntervalMs = 10_000;

/** Reports refusals at the limit without flooding the log in turn. */
export class RefusalLog {
  private lastLogged = -Infinity;
  private unlogged = 0;

  constructor(
    private readonly logger: Logger,
    private readonly limit: number,
  ) {}

  refused(): void {
    this.unlogged++;
    const now = performance.now();
    if (now - this.lastLogged < logIntervalMs) return;
    const what = this.lastLogged === -Infinity ? 'a connection' : `${this.unlogged} more connection${this.unlogged === 1 ? '' : 's'}`;
    this.lastLogged = now;
    this.unlogged = 0;
    this.logger.warn(
      `${ErrorCode.ForwardBusy}: refused ${what}: this forward holds its maximum of ${this.limit} connection${this.limit === 1 ? '' : 's'} upstream. ` +
        'Close idle connections of the client, or raise the limit (--max-connections, setting btpConnect.forwards.maxConnections).',
    );
  }
}
