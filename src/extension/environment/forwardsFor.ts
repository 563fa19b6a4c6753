/**
 * Turns destination references of a launch configuration or an export (`connection/name`, or a bare `name`
 * when only one connection has it) into running forwards, starting the missing ones.
 */
import { BtpError, ErrorCode } from '../../core/errors';
import type { ForwardInfo } from '../../core/forward/forwardManager';
import { ALL_DESTINATIONS } from '../../core/forward/router';
import type { ForwardEntry } from '../connections/connectionRegistry';
import type { Ctx } from '../context/ctx';

const REFERENCE = /^(?:([^/]+)\/)?([A-Za-z0-9_-]{1,200})$/;

async function locate(ctx: Ctx, reference: string): Promise<{ connection: string; destination: string }> {
  const match = REFERENCE.exec(reference);
  const destination = match?.[2];
  if (!match || !destination) {
    throw new BtpError(ErrorCode.InvalidInput, `"${reference}" is not a destination reference; write "<connection>/<destination>" or a destination name.`, {
      field: 'btpConnect.destinations',
    });
  }
  if (match[1]) return { connection: match[1], destination };
  const running = ctx.registry.forwards().filter((entry) => entry.info.destination === destination);
  if (running.length === 1 && running[0]) return { connection: running[0].connection, destination };
  const owners: string[] = [];
  for (const connection of await ctx.registry.list()) {
    await ctx.destinations.loadConnection(connection.name);
    if (ctx.destinations.findDestination(connection.name, destination)) owners.push(connection.name);
  }
  if (owners.length === 1 && owners[0]) return { connection: owners[0], destination };
  if (owners.length === 0) {
    throw new BtpError(ErrorCode.NotFound, `No connection has a destination "${destination}"; check the name, or connect the subaccount that has it.`, {
      field: 'btpConnect.destinations',
    });
  }
  throw new BtpError(ErrorCode.InvalidInput, `"${destination}" exists in ${owners.join(' and ')}; write it as "${owners[0] ?? ''}/${destination}".`, {
    field: 'btpConnect.destinations',
  });
}

/** The forwards for `references`, started where not running yet, in the order given. */
export async function forwardsFor(ctx: Ctx, references: readonly string[]): Promise<ForwardEntry[]> {
  const entries: ForwardEntry[] = [];
  for (const reference of references) {
    const { connection, destination } = await locate(ctx, reference);
    const running = ctx.registry.forwardOf(connection, destination);
    if (running) {
      entries.push({ connection, info: running });
      continue;
    }
    const live = await ctx.registry.get(connection);
    const info = await live.startForward(ctx.config.forwardSpec(destination));
    entries.push({ connection, info });
  }
  return entries;
}

/**
 * The one-port forward (`forward --all`) of the connection `references` belong to, started when not running, and
 * the destination names to reach through it. All references must name destinations of one connection.
 */
export async function onePortFor(ctx: Ctx, references: readonly string[]): Promise<{ connection: string; info: ForwardInfo; names: string[] }> {
  const located = [];
  for (const reference of references) located.push(await locate(ctx, reference));
  const connections = [...new Set(located.map((entry) => entry.connection))];
  const [connection] = connections;
  if (connection === undefined || connections.length > 1) {
    throw new BtpError(
      ErrorCode.InvalidInput,
      `"btpConnect.onePort" serves the destinations of one connection through one port; these belong to ${connections.join(' and ') || 'none'}. Split them, or drop "onePort".`,
      { field: 'btpConnect.onePort' },
    );
  }
  const info =
    ctx.registry.forwardOf(connection, ALL_DESTINATIONS) ?? (await (await ctx.registry.get(connection)).startForward(ctx.config.forwardSpec(ALL_DESTINATIONS)));
  return { connection, info, names: located.map((entry) => entry.destination) };
}
