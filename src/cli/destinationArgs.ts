import type { DestinationServiceClient } from '../core/destinationService/client';
import type { DestinationLevel } from '../core/destinationService/types';
import { BtpError, ErrorCode } from '../core/errors';
import { stringOption, type OptionValues } from './command';

export function parseLevel(values: OptionValues): DestinationLevel | undefined {
  const level = stringOption(values, 'level');
  if (level === undefined) return undefined;
  if (level !== 'subaccount' && level !== 'instance') {
    throw new BtpError(ErrorCode.InvalidInput, `--level must be "subaccount" or "instance", not "${level}".`, { field: 'level' });
  }
  return level;
}

/** The level a name resolves to, the way find-destination resolves it (instance first). */
export async function locate(client: DestinationServiceClient, name: string): Promise<DestinationLevel> {
  const result = await client.find(name, { skipTokenRetrieval: true, skipCredentials: true });
  if (!result?.level) throw new BtpError(ErrorCode.NotFound, `Destination "${name}" exists at neither level.`);
  return result.level;
}

export function singleName(positionals: string[], command: string): string {
  if (positionals.length !== 1 || !positionals[0]) {
    throw new BtpError(ErrorCode.InvalidInput, `"${command}" takes exactly one destination name.`, { field: 'name' });
  }
  return positionals[0];
}
