import { formatTunnelMode, parseTunnelMode } from '../../core/tunnel/tunnelMode';
import { tunnelSetupCommand } from '../../core/tunnelSetup/hint';
import { ConnectivityAccess } from '../../core/connectivity/connectivityAccess';
import { connectivityTunnelOptions, tunnelEndpoints } from '../../core/connectivity/tunnelEndpoints';
import { BtpError, ErrorCode } from '../../core/errors';
import { defaultConfigDirectory } from '../../core/connections/connectionStore';
import { ForwardManager, forwardLabel, type ForwardInfo, type ForwardKind } from '../../core/forward/forwardManager';
import { writeFile } from 'node:fs/promises';
import { resolve as resolvePath } from 'node:path';
import { LocalTokenFile } from '../../core/forward/localTokenFile';
import { RecentPathsRecorder, recentPathsScopeOf } from '../../core/forward/recentPaths';
import { tenantClients } from '../../core/forward/tenantClients';
import { toHarOf } from '../../core/inspect/exportFormats';
import { version } from '../version';
import { parseSpecs } from '../forwardSpec';
import { ALL_DESTINATIONS } from '../../core/forward/router';
import { OriginAllowList } from '../../core/forward/allowedOrigins';
import { checkMaxConnections, defaultMaxConnections } from '../../core/forward/connectionLimit';
import { requireLocalToken, type LocalTokenMode } from '../../core/forward/sharedMachine';
import { TunnelSupervisor } from '../../core/tunnel/supervisor';
import { connectionOptions, connectionUsage, stringOption, type Command } from '../command';
import { withClient } from '../context';
import { forwardUser } from './login';
import { ExitCode } from '../exitCodes';
import { line, type CliIo } from '../io';
import { stderrLogger } from '../logger';

export const forwardCommand: Command = {
  name: 'forward',
  summary: 'Forward local ports to destinations (auth injected; OnPremise through the connectivity proxy)',
  usage: `Usage: btp-connect forward <name>[+<fragment>][:<port>]... | --all [--port <port>] [--fragment <fragment>] [--tunnel <mode>] [--tcp] [--websocket] [--cookies] [--allow-origin <origin>]... [--local-token auto|on|off] [--max-connections <n>] [--verbose] [connection options]

Each destination gets a loopback port (the given one, else a free one) until Ctrl-C:
HTTP destinations as http://127.0.0.1:PORT with their credentials injected, TCP/LDAP/MAIL destinations as a
plain TCP port. OnPremise destinations go through the connectivity proxy of the connection's connectivity key.

  --all                       one port for every HTTP destination of the connection: the first path segment
                              names it (http://127.0.0.1:PORT/<destination>/…), or an X-Destination-Name header
                              (with the transparent proxy's other headers: X-Fragment-Name, X-Tenant-Id…), or
                              use the port as HTTP proxy for http://<destination>.dest/… (http_proxy=…)
  --port <port>               the local port when forwarding one destination (same as <name>:<port>) or --all
  --fragment <fragment>       merge this destination fragment into the one destination forwarded (same as
                              <name>+<fragment>): its properties win on every lookup, e.g. another URL or
                              other credentials (find-destination's X-fragment-name)
  --tunnel <mode>             how to reach the connectivity proxy from here: the tunnel \`tunnel setup\` saved for
                              the connection, else direct (the key's host and ports); cf-ssh:<app> (cf ssh through
                              an app bound to the connectivity service), kubectl[:<namespace>][@<context>] (kubectl
                              port-forward to svc/connectivity-proxy, Kyma)
  --tcp                       forward HTTP destinations as raw TCP too
  --websocket                 let WebSocket upgrades through (off by default)
  --cookies                   pass Cookie and Set-Cookie through instead of keeping the backend session in the
                              forward (by default the forward keeps the backend's cookies itself and never
                              hands them out: browsers share cookies between all localhost ports)
  --allow-origin <origin>     also accept requests whose Origin is this dev server's (repeatable), e.g.
                              http://localhost:8080 for ui5 serve, Vite or webpack-dev-server proxies;
                              http://localhost:* allows every loopback port
  --local-token <mode>        require a per-session token of every HTTP request: auto (default: on when this
                              looks like a shared machine — an SSH session, several logged-in users), on, off.
                              The token is written to a file only you can read, deleted when forwarding stops.
                              BTP_CONNECT_LOCAL_TOKEN sets the default
  --max-connections <n>       connections each forward may hold open upstream at once, 1 to 4096 (default
                              ${defaultMaxConnections}): a TCP forward resets further ones at once (BTP_FORWARD_BUSY),
                              an OnPremise HTTP forward queues further requests, so that one flooded port
                              cannot take the Cloud Connector's tunnel from the others
  --tenant <tenant>           act for this subscriber tenant (its subdomain or id): its destinations, never the
                              provider's (default: the tenant the connection acts for, see \`tenant\`)
  --verbose                   print every request
  --har <file>                record the requests of every HTTP forward and write them to <file> as HAR when
                              forwarding stops (credentials, cookies and tokens masked; no bodies)
      --connectivity-key <f>  with --key: the connectivity service key for OnPremise destinations

${connectionUsage}`,
  options: {
    ...connectionOptions,
    all: { type: 'boolean' },
    port: { type: 'string' },
    fragment: { type: 'string' },
    tunnel: { type: 'string' },
    tcp: { type: 'boolean' },
    websocket: { type: 'boolean' },
    cookies: { type: 'boolean' },
    'allow-origin': { type: 'string', multiple: true },
    'local-token': { type: 'string' },
    'max-connections': { type: 'string' },
    tenant: { type: 'string' },
    verbose: { type: 'boolean' },
    har: { type: 'string' },
    'connectivity-key': { type: 'string' },
  },
  async run(values, positionals, io) {
    const all = values.all === true;
    if (positionals.length === 0 && !all)
      throw new BtpError(
        ErrorCode.InvalidInput,
        'Name at least one destination to forward, e.g. `forward my-api:8080`, or use --all for one port that serves them all.',
        { field: 'name' },
      );
    if (all && values.tcp)
      throw new BtpError(ErrorCode.InvalidInput, '--all serves HTTP destinations only; forward TCP destinations by name, each on a port of its own.', {
        field: 'tcp',
      });
    const port = stringOption(values, 'port');
    const fragment = stringOption(values, 'fragment');
    const specs = parseSpecs(positionals, { all, ...(port === undefined ? {} : { port }), ...(fragment === undefined ? {} : { fragment }) });
    const explicitTunnel = stringOption(values, 'tunnel');
    const chosenMode = explicitTunnel === undefined ? undefined : parseTunnelMode(explicitTunnel);
    const tokenMode = parseTokenMode(stringOption(values, 'local-token') ?? io.env.BTP_CONNECT_LOCAL_TOKEN ?? 'auto');
    const originOption = values['allow-origin'];
    const allowedOrigins = Array.isArray(originOption)
      ? new OriginAllowList(
          originOption.filter((entry): entry is string => typeof entry === 'string'),
          'allow-origin',
        )
      : undefined;
    const maxText = stringOption(values, 'max-connections');
    const maxConnections = maxText === undefined ? undefined : checkMaxConnections(maxText, 'max-connections', '--max-connections');
    return withClient(values, io, async (opened) => {
      const logger = stderrLogger(io.stderr, values.verbose ? 'debug' : 'warn');
      logger.debug(`network: ${opened.agents.network.describe()}`);
      // The tunnel `tunnel setup` saved for the connection, unless --tunnel names another (or direct).
      const mode = chosenMode ?? opened.savedTunnel ?? { kind: 'direct' as const };
      if (!chosenMode && opened.savedTunnel && opened.connectivity)
        line(io, `Tunnel: ${formatTunnelMode(mode)}, saved for ${opened.source} (--tunnel direct goes without it).`);
      let tunnel: TunnelSupervisor | undefined;
      if (opened.connectivity && mode.kind !== 'direct') {
        tunnel = new TunnelSupervisor(connectivityTunnelOptions(opened.connectivity, mode, { logger: logger.child('tunnel'), env: io.env }));
        tunnel.onDidChangeState((state, detail) => line(io, `tunnel: ${state}${detail?.reason ? ` (${detail.reason})` : ''}`));
        await tunnel.start();
      }
      const user = await forwardUser(opened, io, logger);
      const connectivity = opened.connectivity
        ? new ConnectivityAccess(opened.connectivity, opened.agents, tunnel ? tunnelEndpoints(tunnel) : undefined, user.connectivity)
        : undefined;
      const decision = requireLocalToken(tokenMode, { env: io.env });
      const token = decision.required ? await LocalTokenFile.create(defaultConfigDirectory(io.env)) : undefined;
      // Paths that answer 2xx/3xx are remembered for `check` (recent-paths.json, paths only).
      const scope = recentPathsScopeOf(opened.client.tokens.binding);
      const recent = scope ? new RecentPathsRecorder(defaultConfigDirectory(io.env), { logger }) : undefined;
      const recentPaths = recent && scope ? { recentPaths: { note: (destination: string, path: string) => recent.note(scope, destination, path) } } : {};
      const manager = new ForwardManager({
        client: opened.client,
        clientForTenant: tenantClients(opened.binding, opened.agents),
        ...(connectivity ? { connectivity } : {}),
        ...(tunnel ? { tunnel } : {}),
        ...(token ? { localToken: token.value } : {}),
        ...(allowedOrigins ? { allowedOrigins } : {}),
        network: () => opened.agents.network,
        ...user.manager,
        ...recentPaths,
        logger,
      });
      try {
        const started: ForwardInfo[] = [];
        for (const spec of specs) {
          started.push(
            await manager.start({
              destination: spec.name,
              ...(spec.fragment === undefined ? {} : { fragment: spec.fragment }),
              port: spec.port,
              allowWebSocket: values.websocket === true,
              passCookies: values.cookies === true,
              ...(maxConnections === undefined ? {} : { maxConnections }),
              ...(values.tcp ? { kind: 'tcp' as ForwardKind } : {}),
            }),
          );
        }
        if (user.user) line(io, `Acting for ${user.user.userName}, signed in to ${opened.source} (\`logout\` to stop).`);
        const width = Math.max(...started.map((info) => info.localAddress.length));
        for (const info of started)
          line(
            io,
            `${info.localAddress.padEnd(width)}  → ${info.destination === ALL_DESTINATIONS ? 'all destinations' : forwardLabel(info)} (${describe(info)})  ${info.state}`,
          );
        const onePort = started.find((info) => info.destination === ALL_DESTINATIONS);
        if (onePort) {
          const address = onePort.localAddress.slice('http://'.length);
          line(
            io,
            `  as an HTTP proxy: http_proxy=http://${token ? `btp:$(cat ${token.path})@` : ''}${address} curl http://<destination>.dest/…  (plain http://; the forward speaks TLS upstream)`,
          );
        }
        if (token) {
          line(io, `Forwards require a local token (${decision.reason}); it is in ${token.path}, readable only by you.`);
          line(
            io,
            `  curl -H "Proxy-Authorization: Bearer $(cat ${token.path})" ${started[0]?.localAddress ?? 'http://127.0.0.1:PORT'}/…   or   …/~$(cat ${token.path})/…`,
          );
        }
        const har = stringOption(values, 'har');
        const recorded =
          har === undefined
            ? []
            : started.filter((info) => info.kind === 'http').map((info) => ({ log: manager.inspect(info.id), base: manager.urlForApps(info) }));
        line(io, 'Press Ctrl-C to stop.');
        const hint =
          mode.kind === 'direct'
            ? `The connectivity proxy cannot be reached from here. Set up a tunnel once: ${tunnelSetupCommand(opened.connection, io.invocation)}`
            : undefined;
        watch(manager, io, values.verbose === true, hint);
        await io.untilStopped();
        if (har !== undefined) {
          const text = toHarOf(
            recorded.map(({ log, base }) => ({ entries: log.all(), base })),
            version,
          );
          await writeFile(resolvePath(io.cwd, har), text, { mode: 0o600 });
          line(io, `Wrote ${recorded.reduce((sum, { log }) => sum + log.size, 0)} requests to ${har}.`);
        }
        return ExitCode.Ok;
      } finally {
        await manager.dispose();
        await recent?.dispose();
        user.dispose();
        await connectivity?.close();
        await tunnel?.stop();
        await token?.remove();
      }
    });
  },
};

function parseTokenMode(text: string): LocalTokenMode {
  if (text === 'auto' || text === 'on' || text === 'off') return text;
  throw new BtpError(ErrorCode.InvalidInput, `--local-token "${text}" is not auto, on or off.`, { field: 'local-token' });
}

function describe(info: ForwardInfo): string {
  const limit = info.maxConnections === defaultMaxConnections ? '' : `, at most ${info.maxConnections} connection${info.maxConnections === 1 ? '' : 's'}`;
  if (info.destination === ALL_DESTINATIONS)
    return `HTTP, /<destination>/… or X-Destination-Name${info.allowWebSocket ? ', WebSocket' : ''}${info.passCookies ? ', cookies' : ''}${limit}`;
  const route = info.onPremise ? 'OnPremise via the connectivity proxy' : 'Internet';
  return `${info.kind.toUpperCase()}, ${route}${info.allowWebSocket ? ', WebSocket' : ''}${info.passCookies ? ', cookies' : ''}${limit}`;
}

/**
 * Live status: a line on every state change and every failure; with --verbose, every request. `proxyHint` is printed
 * once, the first time a request cannot reach the connectivity proxy (no tunnel on real BTP).
 */
function watch(manager: ForwardManager, io: CliIo, verbose: boolean, proxyHint: string | undefined): void {
  const states = new Map<string, string>();
  let hinted = false;
  const hint = (code: string | undefined) => {
    if (hinted || !proxyHint || code !== ErrorCode.ProxyUnreachable) return;
    hinted = true;
    line(io, proxyHint);
  };
  manager.onDidChange((info) => {
    hint(info.lastError?.code);
    const previous = states.get(info.id);
    states.set(info.id, info.state);
    if (previous !== undefined && previous !== info.state)
      line(io, `${info.destination === ALL_DESTINATIONS ? 'all destinations' : info.destination}: ${info.state}`);
  });
  manager.onExchange(({ forwardId, exchange }) => {
    const forward = manager.get(forwardId)?.destination ?? forwardId;
    const name = exchange.destination ?? (forward === ALL_DESTINATIONS ? 'all destinations' : forward);
    if (verbose || exchange.error) {
      line(
        io,
        `${name}: ${exchange.method} ${exchange.path} → ${exchange.status} ${Math.round(exchange.durationMs)} ms${exchange.error ? ` (${exchange.error})` : ''}`,
      );
    }
    hint(exchange.error);
  });
}
