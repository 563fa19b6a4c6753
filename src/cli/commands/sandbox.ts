import { dirname, join, relative, resolve } from 'node:path';
import { BtpError, ErrorCode } from '../../core/errors';
import { CONFIG_FILE_NAME } from '../../sandbox/cloudConnector/configFile';
import type { SandboxFiles } from '../../sandbox/files';
import type { Sandbox } from '../../sandbox/sandbox';
import { stringOption, type Command } from '../command';
import { ExitCode } from '../exitCodes';
import { defaultSandboxDirectory } from '../sandboxDirectory';
import { line, type CliIo } from '../io';
import { startDemoForwards, type DemoForwards } from './sandboxDemo';
import { exposeUsage, runExposeCommand } from './sandboxExpose';
import { listMailbox, mailboxUsage } from './sandboxMailbox';
import { mailboxDirectory } from '../../sandbox/mail/mailbox';
import { stderrLogger } from '../logger';
import { tuneForSandbox } from '../runtime';

const defaultPortBase = 8400;

export const sandboxCommand: Command = {
  name: 'sandbox',
  summary: 'Run the emulated BTP side on loopback (token, Destination, connectivity proxy, Cloud Connector); Ctrl-C stops it',
  usage: `Usage: btp-connect sandbox [--dir <folder>] [--port-base <port>] [--demo] [--verbose] [--slapd <path>]

  --dir <folder>       state and generated files (default: $XDG_STATE_HOME/btp-connect/sandbox)
  --port-base <port>   first port of the block the sandbox listens on (default ${defaultPortBase}; 0 = any free ports)
  --demo               also forward local ports to demo destinations (ports base+10…12) and print how to use them
  --verbose            log every request to stderr
  --slapd <path>       OpenLDAP's slapd for the on-premise LDAP directory (default /usr/sbin/slapd, if installed)

Writes service keys, VCAP_SERVICES, the CA to trust and the sandbox users into the folder, so that apps
using the SAP Cloud SDK or the approuter can be pointed at it unchanged. Everything listens on 127.0.0.1.
The Cloud Connector's access control is cloud-connector.json in the folder (written with the built-in one on
a first start, applied again whenever it changes).

${exposeUsage}

${mailboxUsage}`,
  subcommands: ['expose', 'unexpose', 'exposed', 'mailbox'],
  options: {
    dir: { type: 'string' },
    'port-base': { type: 'string' },
    demo: { type: 'boolean' },
    verbose: { type: 'boolean' },
    slapd: { type: 'string' },
    to: { type: 'string' },
    protocol: { type: 'string' },
    path: { type: 'string', multiple: true },
    subpaths: { type: 'boolean' },
    location: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(values, positionals, io) {
    const directory = resolve(io.cwd, stringOption(values, 'dir') ?? defaultSandboxDirectory(io));
    const [subcommand, ...args] = positionals;
    if (subcommand === 'expose' || subcommand === 'unexpose' || subcommand === 'exposed') return runExposeCommand(subcommand, values, args, directory, io);
    if (subcommand === 'mailbox') return listMailbox(values, directory, io);
    if (subcommand !== undefined)
      throw new BtpError(ErrorCode.InvalidInput, `Unknown sandbox subcommand "${subcommand}" (expose, unexpose, exposed, mailbox).`);
    const portText = stringOption(values, 'port-base') ?? String(defaultPortBase);
    const portBase = Number(portText);
    if (!Number.isInteger(portBase) || portBase < 0 || portBase > 65_000) {
      throw new BtpError(ErrorCode.InvalidInput, `--port-base must be 0 or a port up to 65000, not "${portText}".`, { field: 'port-base' });
    }
    const logger = stderrLogger(io.stderr, values.verbose ? 'debug' : 'warn');
    tuneForSandbox();
    // Loaded here, not with the CLI: the sandbox (and its SMTP and LDAP servers) is most of the bundle, and every
    // other command's start would evaluate it for nothing (issue 18).
    const [{ startSandbox }, { writeSandboxFiles }] = await Promise.all([import('../../sandbox/sandbox'), import('../../sandbox/files')]);
    let sandbox: Sandbox;
    try {
      const slapdPath = stringOption(values, 'slapd');
      sandbox = await startSandbox({ directory, portBase, logger, ...(slapdPath ? { slapdPath: resolve(io.cwd, slapdPath) } : {}) });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        throw new BtpError(
          ErrorCode.InvalidInput,
          `A sandbox port is in use already (${(error as Error).message}). Is another sandbox running? Stop it, or pick other ports with --port-base.`,
          { field: 'port-base', cause: error },
        );
      }
      throw error;
    }
    let demo: DemoForwards | undefined;
    try {
      const files = await writeSandboxFiles(sandbox, directory);
      if (values.demo) demo = await startDemoForwards(sandbox, portBase, logger);
      printWelcome(io, sandbox, files);
      if (demo) printDemo(io, demo);
      line(io, 'Press Ctrl-C to stop.');
      await io.untilStopped();
      line(io, 'Stopping the sandbox…');
    } finally {
      await demo?.close();
      await sandbox.close();
    }
    line(io, 'Sandbox stopped.');
    return ExitCode.Ok;
  },
};

function printWelcome(io: CliIo, sandbox: Sandbox, files: SandboxFiles): void {
  const show = (path: string) => {
    const relativePath = relative(io.cwd, path);
    return relativePath.startsWith('..') ? path : relativePath;
  };
  const endpoints = sandbox.endpoints;
  const destinationApi = `${endpoints.destinationServiceUrl}/destination-configuration/v1`;
  const keyFile = show(files.serviceKeys.destination ?? '');
  line(io, `BTP Connect sandbox is running. State and files: ${show(files.vcapServices).replace(/vcap-services\.json$/, '') || '.'}`);
  line(io);
  line(io, `  Token service        ${endpoints.tokenServiceUrl}   (HTTPS ${endpoints.tokenServiceHttpsUrl}, mTLS ${endpoints.certUrl})`);
  line(io, `  Destination service  ${endpoints.destinationServiceUrl}`);
  line(
    io,
    `  Connectivity proxy   http 127.0.0.1:${endpoints.connectivity.httpPort}, socks5 127.0.0.1:${endpoints.connectivity.socks5Port}   (Cloud Connectors: ${sandbox.connectors.length} connected)`,
  );
  line(io, `  Sample Internet API  ${endpoints.internetApiUrl}   (mTLS ${endpoints.mtlsApiUrl}, for the client-certificate destinations)`);
  line(io);
  line(io, `  Service keys   ${Object.values(files.serviceKeys).map(show).join(', ')}`);
  line(io, `  VCAP_SERVICES  ${show(files.vcapServices)}     CA ${show(files.ca)}     users ${show(files.users)}`);
  const exposed = sandbox.cloudConnectorConfig.connectors.reduce((count, entry) => count + entry.mappings.length, 0);
  line(
    io,
    `  Cloud Connector access control  ${show(join(dirname(files.ca), CONFIG_FILE_NAME))} (${exposed} system mapping${exposed === 1 ? '' : 's'}; ${io.invocation} sandbox expose --help)`,
  );
  const folder = dirname(files.ca);
  const dirOption = resolve(folder) === resolve(defaultSandboxDirectory(io)) ? '' : ` --dir ${show(folder) || '.'}`;
  line(io, `  Mailbox        ${show(mailboxDirectory(folder))}   (what onprem-mail sends to smtp.virtual:25; ${io.invocation} sandbox mailbox${dirOption})`);
  line(io);
  line(io, 'Try it:');
  line(io, `  TOKEN=$(curl -s -d @${show(files.tokenRequest)} ${endpoints.tokenServiceUrl}/oauth/token | sed -E 's/.*"access_token":"([^"]+)".*/\\1/')`);
  line(io, `  curl -s -H "Authorization: Bearer $TOKEN" '${destinationApi}/subaccountDestinations?$select=Name'`);
  line(io, `  curl -s -H "Authorization: Bearer $TOKEN" ${destinationApi}/destinations/internet-oauth-cc`);
  line(io, `  ${io.invocation} ls --key ${keyFile}`);
  line(io, `  ${io.invocation} get internet-basic --find --key ${keyFile}`);
  line(io);
  line(io, "Sign in as a sandbox user (users.json) with the demo app's xsuaa key, for principal propagation:");
  line(
    io,
    `  ${io.invocation} connect sandbox --key ${keyFile} --connectivity-key ${show(files.serviceKeys.connectivity ?? '')} --login-key ${show(files.serviceKeys.xsuaa ?? '')}`,
  );
  line(io, `  ${io.invocation} login sandbox`);
  line(io);
  line(io, 'Point an app that uses the SAP Cloud SDK or the approuter at it:');
  line(io, `  export VCAP_SERVICES="$(cat ${show(files.vcapServices)})" NODE_EXTRA_CA_CERTS=${show(files.ca)}`);
  line(io, `  (approuter: with the xsuaa binding it calls https://provider.${endpoints.uaaDomain}; add "127.0.0.1 provider.localhost" to`);
  line(io, `   your hosts file, or use ${show(files.vcapServicesWithoutXsuaa)} with authenticationMethod "none")`);
  line(io);
}

function printDemo(io: CliIo, demo: DemoForwards): void {
  const [erp, tcp, internet] = demo.forwards;
  const width = Math.max(...demo.forwards.map((forward) => forward.localAddress.length));
  line(io, 'Forwards, the way your own code reaches destinations:');
  for (const forward of demo.forwards) line(io, `  ${forward.localAddress.padEnd(width)}  → ${forward.destination.padEnd(18)} ${forward.what}`);
  line(io);
  line(io, 'Read and write on-premise data through them:');
  const partners = '/sap/opu/odata/sap/API_BUSINESS_PARTNER/A_BusinessPartner';
  if (erp) {
    line(io, `  curl -s ${erp.localAddress}${partners}`);
    // SAP Gateway wants a CSRF token for writes: fetched first, its session cookie kept by the forward.
    const token = `$(curl -s -o /dev/null -D - -H 'X-CSRF-Token: Fetch' ${erp.localAddress}${partners} | grep -i '^x-csrf-token:' | cut -d' ' -f2 | tr -d '\\r')`;
    line(
      io,
      `  curl -s -X POST -H "X-CSRF-Token: ${token}" -H 'content-type: application/json' -d '{"BusinessPartner":"1000099","BusinessPartnerFullName":"Demo Ltd"}' ${erp.localAddress}${partners}`,
    );
  }
  if (tcp) line(io, `  printf 'PING\\r\\nECHO hello on-premise\\r\\nQUIT\\r\\n' | curl -s telnet://${tcp.localAddress}`);
  if (internet) line(io, `  curl -s ${internet.localAddress}/hello`);
  line(io);
}
