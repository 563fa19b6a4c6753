import { BtpError, ErrorCode } from '../core/errors';
import { OriginAllowList } from '../core/forward/allowedOrigins';
import { checkMaxConnections, defaultMaxConnections } from '../core/forward/connectionLimit';
import type { ForwardSpec } from '../core/forward/forwardManager';
import type { LocalTokenMode } from '../core/forward/sharedMachine';
import { parseTunnelMode } from '../core/tunnel/tunnelMode';
import type { TunnelMode } from '../core/tunnel/types';
import { connectionOptions, connectionUsage, stringOption, type OptionSpecs, type OptionValues } from './command';
import { parseSpecs } from './forwardSpec';

export const forwardUsage = `Usage: btp-connect forward <name>[+<fragment>][:<port>]... | --all [--port <port>] [--fragment <fragment>] [--fragment-optional] [--tunnel <mode>] [--tcp] [--websocket] [--cookies] [--allow-origin <origin>]... [--local-token auto|on|off] [--max-connections <n>] [--verbose] [connection options]

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
  --fragment-optional         a fragment that does not exist (at the destination's level) is left out and the
                              destination forwarded as it is, instead of refusing (X-fragment-optional: true)
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

${connectionUsage}`;

export const forwardOptionSpecs: OptionSpecs = {
  ...connectionOptions,
  all: { type: 'boolean' },
  port: { type: 'string' },
  fragment: { type: 'string' },
  'fragment-optional': { type: 'boolean' },
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
};

/** What `forward` was asked for, checked before anything is opened. */
export interface ForwardRequest {
  readonly specs: readonly ForwardSpec[];
  /** --tunnel; undefined: the connection's saved tunnel, else direct. */
  readonly tunnel?: TunnelMode;
  readonly tokenMode: LocalTokenMode;
  readonly allowedOrigins?: OriginAllowList;
  readonly verbose: boolean;
  readonly har?: string;
}

export function parseForwardRequest(values: OptionValues, positionals: readonly string[], env: NodeJS.ProcessEnv): ForwardRequest {
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
  const named = parseSpecs(positionals, { all, ...(port === undefined ? {} : { port }), ...(fragment === undefined ? {} : { fragment }) });
  // Checked in this order, as before: the first bad option is the one reported.
  const tunnelText = stringOption(values, 'tunnel');
  const tunnel = tunnelText === undefined ? undefined : parseTunnelMode(tunnelText);
  const tokenMode = parseTokenMode(stringOption(values, 'local-token') ?? env.BTP_CONNECT_LOCAL_TOKEN ?? 'auto');
  const origins = values['allow-origin'];
  const allowedOrigins = Array.isArray(origins)
    ? new OriginAllowList(
        origins.filter((entry): entry is string => typeof entry === 'string'),
        'allow-origin',
      )
    : undefined;
  const maxText = stringOption(values, 'max-connections');
  const maxConnections = maxText === undefined ? undefined : checkMaxConnections(maxText, 'max-connections', '--max-connections');
  const har = stringOption(values, 'har');
  const fragmentOptional = values['fragment-optional'] === true;
  if (fragmentOptional && !named.some((spec) => spec.fragment !== undefined))
    throw new BtpError(ErrorCode.InvalidInput, '--fragment-optional goes with a fragment: <name>+<fragment> or --fragment <fragment>.', {
      field: 'fragment-optional',
    });
  const specs = named.map((spec): ForwardSpec => ({
    destination: spec.name,
    ...(spec.fragment === undefined ? {} : { fragment: spec.fragment, ...(fragmentOptional ? { fragmentOptional: true } : {}) }),
    port: spec.port,
    allowWebSocket: values.websocket === true,
    passCookies: values.cookies === true,
    ...(maxConnections === undefined ? {} : { maxConnections }),
    ...(values.tcp ? { kind: 'tcp' as const } : {}),
  }));
  return {
    specs,
    ...(tunnel ? { tunnel } : {}),
    tokenMode,
    ...(allowedOrigins ? { allowedOrigins } : {}),
    verbose: values.verbose === true,
    ...(har === undefined ? {} : { har }),
  };
}

function parseTokenMode(text: string): LocalTokenMode {
  if (text === 'auto' || text === 'on' || text === 'off') return text;
  throw new BtpError(ErrorCode.InvalidInput, `--local-token "${text}" is not auto, on or off.`, { field: 'local-token' });
}
