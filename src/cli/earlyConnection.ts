import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultConfigDirectory } from '../core/connections/configDirectory';
import { proxySettingsFromEnv } from '../core/http/proxySettings';
import { connectionChoice } from './connectionChoice';

/**
 * The TCP connection to a saved connection's Destination service, opened by dist/cli.js before it loads the CLI
 * (~35 ms of reading, compiling and evaluating its bundle), so that the handshake runs meanwhile. The CLI takes it
 * over when it opens the connection (`takeEarlyConnection`, then TLS on top for https); nothing is ever sent on it
 * before that. It is opened only when nothing else decides the network: no proxy in the environment, no key file,
 * no VCAP_SERVICES. Unused, it keeps no process alive and is closed after 10 s.
 */

/** Where the entry leaves it for the main bundle (another bundle: no module state is shared). */
const slot = Symbol.for('btp-connect.early-connection');

interface Endpoint {
  readonly protocol: string;
  readonly hostname: string;
  readonly port: string;
}

interface EarlyConnection extends Endpoint {
  readonly socket: Socket;
  readonly timer: NodeJS.Timeout;
}

type Holder = { [slot]?: EarlyConnection };

/** The commands that open a connection's Destination service first thing. */
const networkCommands = new Set(['ls', 'get', 'create', 'update', 'delete', 'rename', 'certificates', 'forward', 'check']);

export function connectEarly(argv: readonly string[], env: NodeJS.ProcessEnv): void {
  try {
    const url = destinationServiceOf(argv, env);
    if (!url) return;
    const endpoint = endpointOf(url);
    const socket = connect({ host: endpoint.hostname, port: Number(endpoint.port) });
    socket.on('error', () => socket.destroy());
    socket.unref();
    const timer = setTimeout(() => socket.destroy(), 10_000).unref();
    (globalThis as Holder)[slot] = { ...endpoint, socket, timer };
  } catch {
    // Only a head start: the CLI connects as usual and reports any problem itself.
  }
}

/** The early connection to `origin`'s host and port, if the entry opened one; a connection elsewhere is closed. */
export function takeEarlyConnection(origin: URL): Socket | undefined {
  const holder = globalThis as Holder;
  const early = holder[slot];
  if (!early) return undefined;
  delete holder[slot];
  clearTimeout(early.timer);
  const { protocol, hostname, port } = endpointOf(origin);
  if (early.protocol !== protocol || early.hostname !== hostname || early.port !== port || early.socket.destroyed) {
    early.socket.destroy();
    return undefined;
  }
  early.socket.ref();
  return early.socket;
}

/** The Destination service the command will use, by the CLI's own rule (`connectionChoice`). */
function destinationServiceOf(argv: readonly string[], env: NodeJS.ProcessEnv): URL | undefined {
  const proxy = proxySettingsFromEnv(env);
  if (proxy.httpsProxy || proxy.httpProxy) return undefined;
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: { connection: { type: 'string', short: 'c' }, key: { type: 'string' }, vcap: { type: 'boolean' } },
    strict: false,
    allowPositionals: true,
  });
  if (!networkCommands.has(positionals[0] ?? '')) return undefined;
  const choice = connectionChoice(
    {
      ...(typeof values.connection === 'string' ? { connection: values.connection } : {}),
      ...(typeof values.key === 'string' ? { key: values.key } : {}),
      vcap: values.vcap === true,
    },
    env,
  );
  if (choice.from === 'key' || choice.from === 'environment') return undefined;
  const file = JSON.parse(readFileSync(join(defaultConfigDirectory(env), 'connections.json'), 'utf8')) as {
    connections?: { name?: unknown; bindings?: { destination?: { credentials?: { uri?: unknown } } } }[];
  };
  const connections = file.connections ?? [];
  const connection = choice.from === 'saved' ? connections.find((entry) => entry.name === choice.name) : connections.length === 1 ? connections[0] : undefined;
  const uri = connection?.bindings?.destination?.credentials?.uri;
  return typeof uri === 'string' && URL.canParse(uri) ? new URL(uri) : undefined;
}

/** Where a URL connects to: its host without IPv6 brackets, its port or the scheme's. */
function endpointOf(url: URL): Endpoint {
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return { protocol: url.protocol, hostname, port: url.port || (url.protocol === 'https:' ? '443' : '80') };
}
