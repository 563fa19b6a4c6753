import { parseTunnelMode } from '../../core/tunnel/tunnelMode';
import { tunnelSetupCommand } from '../../core/tunnelSetup/hint';
import { ErrorCode } from '../../core/errors';
import { checkFragmentName } from '../../core/forward/forwardFragment';
import type { CheckResult } from '../../core/diagnosis/types';
import { checkReport } from '../../words/checkWords';
import { connectionOptions, connectionUsage, stringOption, type Command } from '../command';
import { ExitCode, exitCodeFor } from '../exitCodes';
import { withConnection } from '../openConnection';
import { line } from '../io';
import { sandboxAccessControl } from '../../sandbox/cloudConnector/configClient';
import { defaultSandboxDirectory } from '../sandboxDirectory';
import { singleName } from '../destinationArgs';

export const checkCommand: Command = {
  name: 'check',
  summary: 'Check the way to a destination hop by hop and name the first broken one with its fix',
  usage: `Usage: btp-connect check <name> [--fragment <fragment>] [--path <path>] [--tunnel <mode>] [--json] [connection options]

Walks every hop an app's request takes and stops at the first broken one: the Destination service key's token,
find-destination, the destination's own auth token, then for OnPremise destinations the tunnel, the connectivity
proxy, the Cloud Connector and the system behind it, for Internet ones the connection and TLS, and finally the
system's answer (401/403 mean the destination's credentials). HTTP destinations get one GET of their URL (the
body is not shown); TCP, LDAP and MAIL destinations a connection (SOCKS5 for OnPremise). The exit code is the
one of the failing hop's error (see --help of btp-connect). When every hop up to the Cloud Connector works and it
refuses only the checked path, that is a warning (exit code 0), with the exposed paths where they are known (a
destination of the sandbox running on its default folder) and the paths that answered through this destination's
forwards lately (remembered in recent-paths.json in the config folder: paths only, no query strings).

  --fragment <fragment>       check the destination with this destination fragment merged in (its URL,
                              authentication… win), as \`forward <name>+<fragment>\` uses it
  --path <path>               request this path below the destination's URL (default: the URL itself), e.g. a
                              path the Cloud Connector exposes
  --tunnel <mode>             how to reach the connectivity proxy: the saved tunnel of the connection (\`tunnel
                              setup\`), else direct; cf-ssh:<app>, kubectl[:<namespace>][@<context>] (as for forward)
  --tenant <tenant>           check as this subscriber tenant (its subdomain or id) instead of the one the
                              connection acts for (\`tenant\`)
  --verbose                   log each step to stderr
      --connectivity-key <f>  with --key: the connectivity service key for OnPremise destinations

${connectionUsage}`,
  options: {
    ...connectionOptions,
    fragment: { type: 'string' },
    path: { type: 'string' },
    tunnel: { type: 'string' },
    tenant: { type: 'string' },
    verbose: { type: 'boolean' },
    'connectivity-key': { type: 'string' },
  },
  async run(values, positionals, io) {
    const name = singleName(positionals, 'check');
    const explicitTunnel = stringOption(values, 'tunnel');
    const chosenTunnel = explicitTunnel === undefined ? undefined : parseTunnelMode(explicitTunnel);
    const path = stringOption(values, 'path');
    const fragmentText = stringOption(values, 'fragment');
    const fragment = fragmentText === undefined ? undefined : checkFragmentName(fragmentText);
    return withConnection(values, io, { ...(chosenTunnel ? { tunnel: chosenTunnel } : {}), verbose: values.verbose === true }, async ({ runtime, opened }) => {
      // A destination of the sandbox running on the default folder: its access control names the exposed paths.
      const url = runtime.destinationServiceUrl;
      const accessControl = url === undefined ? undefined : await sandboxAccessControl(defaultSandboxDirectory(io), url).catch(() => undefined);
      // Every hop as a forward would take it: the saved tunnel (or --tunnel), the signed-in user, recent paths.
      const result: CheckResult = await runtime.check(name, path, accessControl, fragment);
      if (values.json) line(io, JSON.stringify(result, null, 2));
      else {
        // The report names the destination; the target it shows is the merged one.
        if (fragment) line(io, `Fragment ${fragment} merged into ${name}:`);
        for (const text of checkReport(result)) line(io, text);
      }
      const code = result.firstFailure?.code;
      if (code === ErrorCode.ProxyUnreachable && runtime.tunnelMode.kind === 'direct' && !values.json)
        line(io, `Set up a tunnel once: ${tunnelSetupCommand(opened.connection, io.invocation)}`);
      return code ? exitCodeFor(code) : ExitCode.Ok;
    });
  },
};
