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
  /** Words the first positional can be (`sandbox expose`, `tunnel setup`), for shell completion. */
  readonly subcommands?: readonly string[];
  /** Resolves to the exit code. Throws `BtpError` for failures the user can act on. */
  run(values: OptionValues, positionals: string[], io: CliIo): Promise<number>;
}

/** Options shared by every command that talks to a Destination service. */
export const connectionOptions: OptionSpecs = {
  connection: { type: 'string', short: 'c' },
  key: { type: 'string', short: 'k' },
  vcap: { type: 'boolean' },
  ca: { type: 'string' },
  'no-system-ca': { type: 'boolean' },
  json: { type: 'boolean' },
};

export const connectionUsage = `Connection (one of; default: $BTP_CONNECT_CONNECTION, VCAP_SERVICES, else the only saved connection):
  -c, --connection <name>   a connection saved with "connect"
  -k, --key <file|->        a destination service key, used as is (nothing is stored)
      --vcap                the destination binding of VCAP_SERVICES / SERVICE_BINDING_ROOT
      --ca <file>           also trust this CA (PEM), e.g. the sandbox's ca.pem or a TLS-inspecting proxy's
      --no-system-ca        do not trust the OS certificate store (trusted by default next to Node's CAs
                            and NODE_EXTRA_CA_CERTS)
      --json                machine-readable output

Proxy: HTTPS_PROXY / HTTP_PROXY (http://[user:password@]host:port) and NO_PROXY are honoured; loopback is
never proxied.`;

export function stringOption(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}
