import { join } from 'node:path';
import { BtpError, ErrorCode } from '../../core/errors';
import {
  readConfigFile,
  parseHostPort,
  waitForAcknowledgement,
  withMapping,
  writeConfigFile,
  type Acknowledgement,
} from '../../sandbox/cloudConnector/configClient';
import { CONFIG_FILE_NAME, ConfigError, validateCloudConnectorFile, type CloudConnectorFile, type MappingEntry } from '../../sandbox/cloudConnector/configFile';
import type { BackendProtocol } from '../../sandbox/cloudConnector/types';
import { stringOption, type OptionValues } from '../command';
import { ExitCode } from '../exitCodes';
import { line, type CliIo } from '../io';

/**
 * `sandbox expose`, `unexpose` and `exposed`: edit the access control in the sandbox folder's `cloud-connector.json`
 * and report whether the sandbox running on that folder took the change (its state file names the version it read).
 */
export const exposeUsage = `Usage: btp-connect sandbox expose <virtualHost>:<port> --to <host>:<port> [--protocol HTTP|HTTPS|TCP|LDAP]
                                [--path <path> [--subpaths]] [--location <id>] [--dir <folder>]
       btp-connect sandbox unexpose <virtualHost>:<port> [--location <id>] [--dir <folder>]
       btp-connect sandbox exposed [--dir <folder>] [--json]

Put a system of this machine behind the sandbox's Cloud Connector (or take it away): writes a system mapping into
cloud-connector.json of the sandbox folder, which a running sandbox applies at once and says so.

  --to <host>:<port>    the internal address (e.g. 127.0.0.1:5432), or builtin:erp / builtin:line / builtin:ldap / builtin:mail
  --protocol <p>        HTTP (default), HTTPS, TCP, TCPS, LDAP, LDAPS (SOCKS5, so forwards of TCP, LDAP and
                        MAIL destinations, needs TCP or TCPS, as in the real Cloud Connector: an LDAP mapping
                        serves the connectivity proxy's LDAP port, which the sandbox does not run)
  --path <path>         HTTP(S): expose this path (repeatable; default "/" with sub-paths)
  --subpaths            the paths admit everything below them ("Path and all sub-paths"; default "Path only"
                        when --path is given)
  --location <id>       the connector's location ID (default: none, ""); a new one starts a connector`;

const exposeProtocols: readonly BackendProtocol[] = ['HTTP', 'HTTPS', 'TCP', 'TCPS', 'LDAP', 'LDAPS'];

export async function runExposeCommand(subcommand: string, values: OptionValues, args: string[], directory: string, io: CliIo): Promise<number> {
  if (subcommand === 'exposed') return listExposed(values, directory, io);
  const [address, ...extra] = args;
  if (!address || extra.length > 0) throw new BtpError(ErrorCode.InvalidInput, `sandbox ${subcommand} takes one <virtualHost>:<port>.\n\n${exposeUsage}`);
  const virtual = inputOf(() => parseHostPort(address, '<virtualHost>:<port>'));
  const locationId = stringOption(values, 'location') ?? '';
  const { file } = await readConfigFileOrFail(directory);
  let next: CloudConnectorFile;
  let what: string;
  if (subcommand === 'expose') {
    const mapping = inputOf(() => mappingFrom(values, virtual));
    next = withMapping(file, locationId, mapping);
    inputOf(() => validateCloudConnectorFile(next));
    what = `Exposed ${virtual.host}:${virtual.port} → ${describeInternal(mapping)} (${mapping.protocol}${mapping.resources ? `, ${mapping.resources.map((resource) => `${resource.id}${resource.exactMatchOnly ? '' : ' and below'}`).join(', ')}` : ''}) at ${location(locationId)}`;
  } else {
    const entry = file.connectors.find((item) => item.locationId === locationId);
    const key = (mapping: MappingEntry) => `${mapping.virtualHost.toLowerCase()}:${mapping.virtualPort}`;
    if (!entry?.mappings.some((mapping) => key(mapping) === `${virtual.host.toLowerCase()}:${virtual.port}`)) {
      throw new BtpError(
        ErrorCode.NotFound,
        `${virtual.host}:${virtual.port} is not exposed at ${location(locationId)} (see \`sandbox exposed --dir ${directory}\`).`,
      );
    }
    next = {
      connectors: file.connectors.map((item) =>
        item === entry ? { ...item, mappings: item.mappings.filter((mapping) => key(mapping) !== `${virtual.host.toLowerCase()}:${virtual.port}`) } : item,
      ),
    };
    what = `Unexposed ${virtual.host}:${virtual.port} at ${location(locationId)}`;
  }
  const sha = await writeConfigFile(directory, next);
  line(io, `${what} in ${join(directory, CONFIG_FILE_NAME)}.`);
  return reportAcknowledgement(await waitForAcknowledgement(directory, sha), io);
}

function reportAcknowledgement(ack: Acknowledgement, io: CliIo): number {
  switch (ack.kind) {
    case 'applied':
      line(io, `The running sandbox (pid ${ack.state.pid}) applied it.`);
      return ExitCode.Ok;
    case 'rejected':
      line(io, `The running sandbox (pid ${ack.state.pid}) refused the file and keeps its last good access control: ${ack.state.error ?? 'invalid'}`);
      return ExitCode.InvalidInput;
    case 'not-running':
      line(io, 'No sandbox is running on this folder; it applies the change when it starts.');
      return ExitCode.Ok;
    case 'no-answer':
      line(io, 'A sandbox runs on this folder but did not confirm the change in time; restart it to be sure.');
      return ExitCode.Ok;
  }
}

async function listExposed(values: OptionValues, directory: string, io: CliIo): Promise<number> {
  const { file, exists } = await readConfigFileOrFail(directory);
  if (values.json) {
    line(io, JSON.stringify(file, null, 2));
    return ExitCode.Ok;
  }
  line(io, `${exists ? join(directory, CONFIG_FILE_NAME) : `${join(directory, CONFIG_FILE_NAME)} (not written yet: the built-in access control)`}`);
  for (const entry of file.connectors) {
    line(io, `${location(entry.locationId)}:`);
    if (entry.mappings.length === 0) line(io, '  (nothing exposed)');
    for (const mapping of entry.mappings) {
      line(
        io,
        `  ${`${mapping.virtualHost}:${mapping.virtualPort}`.padEnd(22)} → ${describeInternal(mapping).padEnd(22)} ${mapping.protocol}${mapping.authenticationMode && mapping.authenticationMode !== 'NONE' ? `, principal ${mapping.authenticationMode}` : ''}`,
      );
      for (const resource of mapping.resources ?? []) {
        line(
          io,
          `      ${resource.id}${resource.exactMatchOnly ? '' : ' (and sub-paths)'}${resource.enabled === true ? '' : ' [disabled]'}${resource.websocketUpgradeAllowed ? ' [WebSocket]' : ''}`,
        );
      }
    }
  }
  return ExitCode.Ok;
}

function mappingFrom(values: OptionValues, virtual: { host: string; port: number }): MappingEntry {
  const to = stringOption(values, 'to');
  if (!to) throw new ConfigError('--to', 'is required: the internal <host>:<port> of the system to expose');
  const protocol = (stringOption(values, 'protocol') ?? 'HTTP').toUpperCase() as BackendProtocol;
  if (!exposeProtocols.includes(protocol)) throw new ConfigError('--protocol', `must be one of ${exposeProtocols.join(', ')}`);
  const internal = to.startsWith('builtin:') ? { localHost: to } : (({ host, port }) => ({ localHost: host, localPort: port }))(parseHostPort(to, '--to'));
  const pathValue = values.path;
  const paths = (Array.isArray(pathValue) ? pathValue : pathValue === undefined ? [] : [pathValue]).map(String);
  const http = protocol === 'HTTP' || protocol === 'HTTPS';
  if (!http && (paths.length > 0 || values.subpaths)) throw new ConfigError('--path', `applies to HTTP and HTTPS only, not ${protocol}`);
  const resources = http
    ? paths.length > 0
      ? paths.map((id) => ({ id, enabled: true, exactMatchOnly: values.subpaths !== true }))
      : [{ id: '/', enabled: true, exactMatchOnly: false }]
    : undefined;
  return {
    virtualHost: virtual.host,
    virtualPort: virtual.port,
    ...internal,
    protocol,
    ...(http ? { hostInHeader: 'virtual' as const } : {}),
    authenticationMode: 'NONE',
    ...(resources ? { resources } : {}),
  };
}

function describeInternal(mapping: MappingEntry): string {
  return mapping.localPort === undefined ? mapping.localHost : `${mapping.localHost}:${mapping.localPort}`;
}

function location(locationId: string): string {
  return locationId ? `location ID "${locationId}"` : 'the connector without location ID';
}

async function readConfigFileOrFail(directory: string): ReturnType<typeof readConfigFile> {
  try {
    return await readConfigFile(directory);
  } catch (error) {
    if (error instanceof ConfigError)
      throw new BtpError(ErrorCode.InvalidInput, `${join(directory, CONFIG_FILE_NAME)}: ${error.message}. Correct the file first.`, { field: error.field });
    throw error;
  }
}

function inputOf<T>(action: () => T): T {
  try {
    return action();
  } catch (error) {
    if (error instanceof ConfigError) throw new BtpError(ErrorCode.InvalidInput, error.message, { field: error.field });
    throw error;
  }
}
