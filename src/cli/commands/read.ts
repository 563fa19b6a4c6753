import type { DestinationServiceClient } from '../../core/destinationService/client';
import type { AuthTokenSuccess, DestinationLevel, DestinationRecord } from '../../core/destinationService/types';
import { isSecretProperty } from '../../core/destinations/model';
import { BtpError, ErrorCode } from '../../core/errors';
import { connectionOptions, connectionUsage, stringOption, type Command, type OptionValues } from '../command';
import { withClient } from '../context';
import { ExitCode } from '../exitCodes';
import { locate, parseLevel, singleName } from '../destinationArgs';
import { line, type CliIo } from '../io';
import { formatTable } from '../table';

const levels: readonly DestinationLevel[] = ['subaccount', 'instance'];
const hidden = '******';

/** Secret property values replaced, unless the user asked to see them. */
export function maskSecrets(destination: DestinationRecord, show: boolean): DestinationRecord {
  if (show) return destination;
  return Object.fromEntries(Object.entries(destination).map(([name, value]) => [name, isSecretProperty(name) ? hidden : value]));
}

/** The address column: the URL, or what non-HTTP types use instead. */
function target(destination: DestinationRecord): string {
  return (
    destination.URL ??
    destination.Address ??
    destination['ldap.url'] ??
    destination['mail.smtp.host'] ??
    destination['jco.client.ashost'] ??
    destination['jco.client.mshost'] ??
    destination['jco.client.wshost'] ??
    ''
  );
}

export const lsCommand: Command = {
  name: 'ls',
  summary: 'List destinations (both levels unless --level)',
  usage: `Usage: btp-connect ls [--level subaccount|instance] [--show-secrets] [--json] [connection options]

Lists the destinations of both levels (subaccount and service instance) in a table: name, level, type, proxy type,
authentication and target; --json prints the records themselves, secrets masked.

  --level <level>       list this level only: subaccount or instance
  --tenant <tenant>     list a subscriber tenant's destinations (its subdomain or id) instead of the connection's
  --show-secrets        with --json: passwords and client secrets instead of ${hidden}

${connectionUsage}`,
  options: { ...connectionOptions, level: { type: 'string' }, tenant: { type: 'string' }, 'show-secrets': { type: 'boolean' } },
  async run(values, _positionals, io) {
    const level = parseLevel(values);
    return withClient(values, io, async (opened) => {
      const rows: { level: DestinationLevel; destination: DestinationRecord }[] = [];
      for (const current of level ? [level] : levels) {
        for (const destination of await opened.client.list(current)) rows.push({ level: current, destination });
      }
      if (values.json) {
        const show = values['show-secrets'] === true;
        line(
          io,
          JSON.stringify(
            rows.map((row) => ({ level: row.level, ...maskSecrets(row.destination, show) })),
            null,
            2,
          ),
        );
        return ExitCode.Ok;
      }
      if (rows.length === 0) {
        line(io, `No destinations (${opened.source}).`);
        return ExitCode.Ok;
      }
      const table = rows.map(({ level: rowLevel, destination }) => [
        destination.Name ?? '',
        rowLevel,
        destination.Type ?? '',
        destination.ProxyType ?? destination['jco.destination.proxy_type'] ?? destination['ldap.proxyType'] ?? '',
        destination.Authentication ?? destination['jco.destination.auth_type'] ?? destination['ldap.authentication'] ?? '',
        target(destination),
      ]);
      line(io, formatTable(['NAME', 'LEVEL', 'TYPE', 'PROXY', 'AUTHENTICATION', 'TARGET'], table));
      return ExitCode.Ok;
    });
  },
};

export const getCommand: Command = {
  name: 'get',
  summary: 'Show one destination; --find resolves it with auth tokens like an app would',
  usage: `Usage: btp-connect get <name> [--level subaccount|instance] [--find] [--show-secrets] [--json] [connection options]

  --level <level>       read this level only (default: instance first, then subaccount, like find-destination)
  --find                call find-destination: shows authTokens and certificates as apps receive them
  --fragment <name>     with --find: merge this destination fragment
  --tenant <subdomain>  with --find: X-tenant for OAuth2ClientCredentials with a Common token URL
  --show-secrets        print passwords, client secrets and tokens instead of ${hidden}

${connectionUsage}`,
  options: {
    ...connectionOptions,
    level: { type: 'string' },
    find: { type: 'boolean' },
    fragment: { type: 'string' },
    tenant: { type: 'string' },
    'show-secrets': { type: 'boolean' },
  },
  async run(values, positionals, io) {
    const name = singleName(positionals, 'get');
    const show = values['show-secrets'] === true;
    // get's --tenant is find-destination's X-tenant (printFind), not the tenant the connection acts for.
    const { tenant: _xTenant, ...connection } = values;
    return withClient(connection, io, async (opened) => {
      if (values.find) return await printFind(opened.client, name, values, show, io);
      const level = parseLevel(values) ?? (await locate(opened.client, name));
      const { value, etag } = await opened.client.get(level, name);
      if (values.json) {
        line(io, JSON.stringify({ level, ...(etag ? { etag } : {}), destination: maskSecrets(value, show) }, null, 2));
        return ExitCode.Ok;
      }
      printProperties(io, maskSecrets(value, show), `${level} level${etag ? `, ETag ${etag}` : ''}`);
      return ExitCode.Ok;
    });
  },
};

async function printFind(client: DestinationServiceClient, name: string, values: OptionValues, show: boolean, io: CliIo): Promise<number> {
  const fragment = stringOption(values, 'fragment');
  const tenant = stringOption(values, 'tenant');
  const result = await client.find(name, { ...(fragment ? { fragmentName: fragment } : {}), ...(tenant ? { tenant } : {}) });
  if (!result) throw new BtpError(ErrorCode.NotFound, `Destination "${name}" was not found.`);
  const authTokens = (result.authTokens ?? []).map((token) => (token.error === undefined ? maskToken(token, show) : token));
  const output = { ...result, destinationConfiguration: maskSecrets(result.destinationConfiguration, show), authTokens };
  if (values.json) {
    line(io, JSON.stringify(output, null, 2));
    return ExitCode.Ok;
  }
  printProperties(io, output.destinationConfiguration, `found at ${result.level ?? 'unknown'} level`);
  for (const token of authTokens) {
    line(
      io,
      token.error !== undefined
        ? `authToken: error: ${token.error}`
        : `authToken: ${token.type} → header ${token.http_header.key}: ${token.http_header.value}${token.expires_in ? ` (expires in ${token.expires_in} s)` : ''}`,
    );
  }
  for (const certificate of result.certificates ?? []) line(io, `certificate: ${certificate.Name} (${certificate.Type ?? 'unknown type'})`);
  return authTokens.some((token) => token.error) ? ExitCode.ServiceFailure : ExitCode.Ok;
}

function maskToken(token: AuthTokenSuccess, show: boolean): AuthTokenSuccess {
  if (show) return token;
  return { ...token, value: hidden, http_header: { key: token.http_header.key, value: hidden }, ...(token.refresh_token ? { refresh_token: hidden } : {}) };
}

function printProperties(io: CliIo, destination: DestinationRecord, heading: string): void {
  const { Name, ...rest } = destination;
  line(io, `${Name ?? '(no name)'}  (${heading})`);
  const names = Object.keys(rest).sort((a, b) => a.localeCompare(b));
  const width = Math.max(0, ...names.map((name) => name.length));
  for (const name of names) line(io, `  ${name.padEnd(width)}  ${rest[name]}`);
}
