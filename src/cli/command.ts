import type { ParseArgsConfig } from 'node:util';
import type { CliIo } from './io';

export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;
export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface Command {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** Synopsis and option help printed by `btp-connect <command> --help`. */
  readonly usage: string;
  readonly options: OptionSpecs;
  /** Resolves to the exit code. Throws `BtpError` for failures the user can act on. */
  run(values: OptionValues, positionals: string[], io: CliIo): Promise<number>;
}

/** Options shared by every command that talks to a Destination service. */
export const connectionOptions: OptionSpecs = {
  connection: { type: 'string', short: 'c' },
  key: { type: 'string', short: 'k' },
  vcap: { type: 'boolean' },
  ca: { type: 'string' },
  json: { type: 'boolean' },
};

export const connectionUsage = `Connection (one of; default: $BTP_CONNECT_CONNECTION, VCAP_SERVICES, else the only saved connection):
  -c, --connection <name>   a connection saved with "connect"
  -k, --key <file|->        a destination service key, used as is (nothing is stored)
      --vcap                the destination binding of VCAP_SERVICES / SERVICE_BINDING_ROOT
      --ca <file>           also trust this CA (PEM), e.g. the sandbox's ca.pem
      --json                machine-readable output`;

export function stringOption(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}
