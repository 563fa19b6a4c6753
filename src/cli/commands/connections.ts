import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { loadBindingsFromEnv } from '../../core/bindings/env';
import { selectBinding } from '../../core/bindings/select';
import { parseServiceKeyText } from '../../core/bindings/serviceKeyText';
import { readServiceKeyFile } from '../../core/bindings/serviceKeyFile';
import type { ConnectivityBinding, DestinationBinding } from '../../core/bindings/types';
import { parseSubscriberTenant, tenantText } from '../../core/connections/subscriberTenant';
import { BtpError, ErrorCode } from '../../core/errors';
import { redactText } from '../../core/redact';
import { stringOption, type Command, type OptionValues } from '../command';
import { connectionStore } from '../context';
import { ExitCode } from '../exitCodes';
import { readLoginKey } from '../loginKey';
import { line, type CliIo } from '../io';
import { formatTable } from '../table';

export const connectCommand: Command = {
  name: 'connect',
  summary: 'Save a connection from a service key; its secrets go to the OS keychain',
  usage: `Usage: btp-connect connect <name> (--key <file|-> | --from-cf <instance> <key-name> | --vcap) [--connectivity-key <file>] [--login-key <file|->] [--tenant <tenant>] [--replace]

  -k, --key <file|->          a destination service key file (- reads a pasted key from standard input)
      --from-cf <instance>    read the key with the cf CLI: cf service-key <instance> <key-name>
      --vcap                  take the destination (and connectivity) binding from VCAP_SERVICES / SERVICE_BINDING_ROOT
      --connectivity-key <f>  also save a connectivity service key (for on-premise destinations)
      --login-key <file|->    also save an xsuaa service key of your app: users sign in with its client (\`login\`)
      --tenant <tenant>       act for this subscriber tenant (subdomain or tenant id) instead of the provider;
                              \`tenant\` changes it later
      --replace               overwrite a connection of the same name (all its keys)
      --json                  report an error as JSON on standard output too

The keys' "clientsecret" or X.509 "key" are stored in the OS keychain (service "btp-connect");
the rest goes to connections.json in the config folder. Nothing secret is written to a file.`,
  options: {
    key: { type: 'string', short: 'k' },
    'from-cf': { type: 'string' },
    vcap: { type: 'boolean' },
    'connectivity-key': { type: 'string' },
    'login-key': { type: 'string' },
    tenant: { type: 'string' },
    replace: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  async run(values, positionals, io) {
    const [name, cfKeyName] = positionals;
    if (!name) throw new BtpError(ErrorCode.InvalidInput, 'Name the connection, e.g. `connect dev --key key.json`.', { field: 'name' });
    const loginKey = stringOption(values, 'login-key');
    if (loginKey === '-' && stringOption(values, 'key') === '-') {
      throw new BtpError(ErrorCode.InvalidInput, 'Only one key can come from standard input: give --key or --login-key as a file.', { field: 'login-key' });
    }
    const tenantOption = stringOption(values, 'tenant');
    const tenant = tenantOption === undefined ? undefined : parseSubscriberTenant(tenantOption);
    const { destination, connectivity } = await readBindings(values, cfKeyName, io);
    const login = loginKey === undefined ? undefined : await readLoginKey(loginKey, io);
    const store = connectionStore(io);
    await store.add(name, { destination, ...(connectivity ? { connectivity } : {}), ...(login ? { login } : {}) }, { replace: values.replace === true });
    if (tenant) await store.setTenant(name, tenant);
    line(io, `Saved connection "${name}" (${destination.uri}); secrets are in the ${io.secretStore().description}.`);
    if (tenant) line(io, `It acts for the subscriber tenant ${tenantText(tenant)}.`);
    if (login) line(io, `Users sign in with the client of the xsuaa key (${login.clientId}): \`${io.invocation} login ${name}\`.`);
    return ExitCode.Ok;
  },
};

async function readBindings(
  values: OptionValues,
  cfKeyName: string | undefined,
  io: CliIo,
): Promise<{ destination: DestinationBinding; connectivity?: ConnectivityBinding }> {
  const key = stringOption(values, 'key');
  const fromCf = stringOption(values, 'from-cf');
  if ([key, fromCf, values.vcap ? 'vcap' : undefined].filter(Boolean).length !== 1) {
    throw new BtpError(ErrorCode.InvalidInput, 'Give exactly one of --key, --from-cf and --vcap.', { field: 'key' });
  }
  const connectivityKey = stringOption(values, 'connectivity-key');
  const connectivity = connectivityKey
    ? ((await readServiceKeyFile(resolve(io.cwd, connectivityKey), { expected: 'connectivity' })) as ConnectivityBinding)
    : undefined;
  if (values.vcap) {
    const bindings = await loadBindingsFromEnv(io.env);
    const destination = selectBinding(bindings, 'destination', undefined, 'VCAP_SERVICES / SERVICE_BINDING_ROOT');
    const fromEnv = bindings.some((binding) => binding.kind === 'connectivity')
      ? selectBinding(bindings, 'connectivity', undefined, 'VCAP_SERVICES')
      : undefined;
    const chosen = connectivity ?? fromEnv;
    return { destination, ...(chosen ? { connectivity: chosen } : {}) };
  }
  let destination: DestinationBinding;
  if (fromCf) {
    if (!cfKeyName)
      throw new BtpError(ErrorCode.InvalidInput, '--from-cf needs the service key name too: `connect dev --from-cf my-destination my-key`.', {
        field: 'from-cf',
      });
    const output = await runCf(['service-key', fromCf, cfKeyName], io);
    destination = parseServiceKeyText(output, { expected: 'destination', source: `cf service-key ${fromCf} ${cfKeyName}` }) as DestinationBinding;
  } else if (key === '-') {
    destination = parseServiceKeyText(await io.readStdin(), { expected: 'destination', source: 'standard input' }) as DestinationBinding;
  } else {
    destination = (await readServiceKeyFile(resolve(io.cwd, key ?? ''), { expected: 'destination' })) as DestinationBinding;
  }
  return { destination, ...(connectivity ? { connectivity } : {}) };
}

/** Runs the cf CLI (no secret on its command line: it prints the key, we read stdout). */
function runCf(args: string[], io: CliIo): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('cf', args, { env: io.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(
        new BtpError(
          ErrorCode.NotFound,
          error.code === 'ENOENT'
            ? 'The cf CLI is not installed or not on PATH; install it or use --key with a key file.'
            : `cf could not run: ${error.message}`,
          { cause: error },
        ),
      ),
    );
    child.on('close', (code) => {
      if (code === 0) return resolvePromise(stdout);
      const detail = redactText(`${stdout}\n${stderr}`).trim().split('\n').slice(-3).join(' ');
      reject(
        new BtpError(
          ErrorCode.BindingNotFound,
          `cf service-key failed (exit ${code}): ${detail} Log in with \`cf login\` and target the space of the instance.`,
        ),
      );
    });
  });
}

export const connectionsCommand: Command = {
  name: 'connections',
  summary: 'List saved connections',
  usage: 'Usage: btp-connect connections [--json]',
  options: { json: { type: 'boolean' } },
  async run(values, _positionals, io) {
    const connections = await connectionStore(io).list();
    if (values.json) {
      line(io, JSON.stringify(connections, null, 2));
    } else if (connections.length === 0) {
      line(io, `No saved connections. Add one with \`${io.invocation} connect <name> --key <file>\`.`);
    } else {
      line(
        io,
        formatTable(
          ['NAME', 'SUBACCOUNT', 'CONNECTIVITY', 'SIGN-IN KEY', 'DESTINATION SERVICE', 'ACTS FOR'],
          connections.map((c) => [
            c.name,
            c.subaccount ?? '',
            c.hasConnectivity ? 'yes' : 'no',
            c.hasLogin ? 'yes' : 'no',
            c.destinationServiceUrl,
            c.tenant ? `tenant ${tenantText(c.tenant)}` : 'provider',
          ]),
        ),
      );
    }
    return ExitCode.Ok;
  },
};

export const disconnectCommand: Command = {
  name: 'disconnect',
  summary: 'Remove a saved connection and its keychain secrets',
  usage: 'Usage: btp-connect disconnect <name>',
  options: {},
  async run(_values, positionals, io) {
    const [name] = positionals;
    if (!name) throw new BtpError(ErrorCode.InvalidInput, 'Name the connection to remove.', { field: 'name' });
    const store = connectionStore(io);
    const created = (await store.tunnel(name))?.createdApp;
    if (!(await store.remove(name))) throw new BtpError(ErrorCode.ConnectionNotFound, `There is no connection named "${name}".`, { field: 'name' });
    line(io, `Removed connection "${name}" and its secrets.`);
    // The record of what `tunnel setup` created goes with the connection; the app itself stays in Cloud Foundry.
    if (created)
      line(
        io,
        `Its tunnel app "${created.app}" stays in org "${created.org}" / space "${created.space}": delete it with \`cf delete ${created.app} -f\` (\`btp-connect tunnel remove\` does that before a disconnect).`,
      );
    return ExitCode.Ok;
  },
};
