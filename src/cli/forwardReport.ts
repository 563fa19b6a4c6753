import { writeFile } from 'node:fs/promises';
import { resolve as resolvePath } from 'node:path';
import { ErrorCode } from '../core/errors';
import { defaultMaxConnections } from '../core/forward/connectionLimit';
import { forwardLabel } from '../core/forward/forwardFragment';
import { type ForwardInfo, type ForwardManager } from '../core/forward/forwardManager';
import { ALL_DESTINATIONS } from '../core/forward/router';
import { toHarOf } from '../core/inspect/exportFormats';
import { formatTunnelMode } from '../core/tunnel/tunnelMode';
import { tunnelSetupCommand } from '../core/tunnelSetup/hint';
import { line, type CliIo } from './io';
import type { OpenConnection } from './openConnection';
import { version } from './version';

/** Says which saved tunnel is used, and every change of its state from now on. */
export function announceTunnel(io: CliIo, { runtime, opened }: OpenConnection, explicit: boolean): void {
  if (!explicit && opened.savedTunnel && runtime.hasConnectivity)
    line(io, `Tunnel: ${formatTunnelMode(runtime.tunnelMode)}, saved for ${opened.source} (--tunnel direct goes without it).`);
  runtime.onDidChangeTunnelState(({ state, detail }) => line(io, `tunnel: ${state}${detail?.reason ? ` (${detail.reason})` : ''}`));
}

/** The started forwards, one line each, and how to use them (the one port as HTTP proxy, the local token). */
export function printForwards(io: CliIo, { runtime, opened, token }: OpenConnection, started: readonly ForwardInfo[]): void {
  const user = runtime.user?.user;
  if (user) line(io, `Acting for ${user.userName}, signed in to ${opened.source} (\`logout\` to stop).`);
  const width = Math.max(...started.map((info) => info.localAddress.length));
  for (const info of started)
    line(
      io,
      `${info.localAddress.padEnd(width)}  → ${info.destination === ALL_DESTINATIONS ? nameOf(info.destination) : forwardLabel(info)} (${describe(info)})  ${info.state}`,
    );
  const onePort = started.find((info) => info.destination === ALL_DESTINATIONS);
  const tokenPath = token?.file.path;
  if (onePort) {
    const address = onePort.localAddress.slice('http://'.length);
    const credentials = tokenPath ? `btp:$(cat ${tokenPath})@` : '';
    line(
      io,
      `  as an HTTP proxy: http_proxy=http://${credentials}${address} curl http://<destination>.dest/…  (plain http://; the forward speaks TLS upstream)`,
    );
  }
  if (token) {
    line(io, `Forwards require a local token (${token.reason}); it is in ${tokenPath}, readable only by you.`);
    const example = started[0]?.localAddress ?? 'http://127.0.0.1:PORT';
    line(io, `  curl -H "Proxy-Authorization: Bearer $(cat ${tokenPath})" ${example}/…   or   …/~$(cat ${tokenPath})/…`);
  }
  line(io, 'Press Ctrl-C to stop.');
}

/** --har: records every HTTP forward from now on; `write` saves what was recorded (credentials masked, no bodies). */
export function recordHar(manager: ForwardManager, started: readonly ForwardInfo[]): { write(io: CliIo, file: string): Promise<void> } {
  const recorded = started.filter((info) => info.kind === 'http').map((info) => ({ log: manager.inspect(info.id), base: manager.urlForApps(info) }));
  return {
    async write(io, file) {
      const text = toHarOf(
        recorded.map(({ log, base }) => ({ entries: log.all(), base })),
        version,
      );
      await writeFile(resolvePath(io.cwd, file), text, { mode: 0o600 });
      line(io, `Wrote ${recorded.reduce((sum, { log }) => sum + log.size, 0)} requests to ${file}.`);
    },
  };
}

/**
 * Live status: a line on every state change and every failure; with --verbose, every request. Without a tunnel,
 * the first request that cannot reach the connectivity proxy prints how to set one up (real BTP needs one).
 */
export function watchForwards(io: CliIo, { runtime, opened }: OpenConnection, verbose: boolean): void {
  const manager = runtime.forwards;
  const proxyHint =
    runtime.tunnelMode.kind === 'direct'
      ? `The connectivity proxy cannot be reached from here. Set up a tunnel once: ${tunnelSetupCommand(opened.connection, io.invocation)}`
      : undefined;
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
    if (previous !== undefined && previous !== info.state) line(io, `${nameOf(info.destination)}: ${info.state}`);
  });
  manager.onExchange(({ forwardId, exchange }) => {
    const name = exchange.destination ?? nameOf(manager.get(forwardId)?.destination ?? forwardId);
    if (verbose || exchange.error) {
      const error = exchange.error ? ` (${exchange.error})` : '';
      line(io, `${name}: ${exchange.method} ${exchange.path} → ${exchange.status} ${Math.round(exchange.durationMs)} ms${error}`);
    }
    hint(exchange.error);
  });
}

function nameOf(destination: string): string {
  return destination === ALL_DESTINATIONS ? 'all destinations' : destination;
}

function describe(info: ForwardInfo): string {
  const limit = info.maxConnections === defaultMaxConnections ? '' : `, at most ${info.maxConnections} connection${info.maxConnections === 1 ? '' : 's'}`;
  const options = `${info.allowWebSocket ? ', WebSocket' : ''}${info.passCookies ? ', cookies' : ''}${limit}`;
  if (info.destination === ALL_DESTINATIONS) return `HTTP, /<destination>/… or X-Destination-Name${options}`;
  return `${info.kind.toUpperCase()}, ${info.onPremise ? 'OnPremise via the connectivity proxy' : 'Internet'}${options}`;
}
