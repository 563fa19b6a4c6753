import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect as connectHttp2 } from 'node:http2';
import type { Duplex } from 'node:stream';
import type { Logger } from '../../core/log';
import type { World } from '../base/world';
import { writeRawResponse } from './rawResponse';
import type { TunnelRegistry } from './tunnelRegistry';
import { decodeLocation, RegistrationHeader, tunnelPath, tunnelUpgradeToken } from '../tunnel/tunnelProtocol';

export interface TunnelServerOptions {
  readonly world: World;
  /** The shared secret connectors present as `Authorization: Bearer <secret>`. */
  readonly connectorSecret: string;
  readonly registry: TunnelRegistry;
  readonly logger: Logger;
  /**
   * How often the proxy sends each connector an HTTP/2 PING; a connector that has not answered by the next one is
   * dropped. Default 15 s.
   */
  readonly livenessMs?: number;
}

// Large windows: one TCP connection carries every stream, and 64 KiB windows would cap bulk transfers.
const windowBytes = 16 * 1024 * 1024;
const streamWindowBytes = 1024 * 1024;

/**
 * The port Cloud Connectors dial. A connector registers with an HTTP/1.1 upgrade; after the `101` this side
 * becomes the HTTP/2 *client* on the connector's socket, so that on-premise networks need no inbound port.
 */
export function createTunnelServer(options: TunnelServerOptions): Server {
  const { logger } = options;
  const server = createServer({ maxHeaderSize: 8192 }, (_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain; charset=utf-8', upgrade: tunnelUpgradeToken, connection: 'close' });
    res.end(`Cloud Connectors register here with an upgrade to ${tunnelUpgradeToken}.\n`);
  });
  server.headersTimeout = 10_000;
  server.on('clientError', (_error, socket) => socket.destroy());
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    try {
      register(req, socket, head, options);
    } catch (error) {
      logger.error('connector registration failed', error instanceof Error ? error.stack : error);
      socket.destroy();
    }
  });
  return server;
}

/** Checks the registration, answers `101`, and becomes the HTTP/2 client on the connector's socket. */
function register(req: IncomingMessage, socket: Duplex, head: Buffer, options: TunnelServerOptions): void {
  const { registry, logger } = options;
  const refusal = checkRegistration(req, options);
  if (!refusal.ok) {
    logger.warn(`connector registration refused: ${refusal.message}`);
    writeRawResponse(socket, refusal.status, refusal.message);
    return;
  }
  const { subaccountId, locationId } = refusal;
  if (registry.get(subaccountId, locationId)) {
    writeRawResponse(socket, 409, `A Cloud Connector is already connected for subaccount '${subaccountId}' and location ID '${locationId}'.`);
    return;
  }
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: ${tunnelUpgradeToken}\r\n\r\n`);
  // HTTP server sockets allow half-open connections, and HTTP/2 does not close on a FIN by itself.
  socket.once('end', () => socket.destroy());
  // A connector that vanished without FIN would otherwise hold its (subaccount, location) slot forever.
  if ('setKeepAlive' in socket && typeof socket.setKeepAlive === 'function') socket.setKeepAlive(true, 30_000);
  if (head.length > 0) socket.unshift(head);
  const session = connectHttp2('http://cloud-connector.invalid', {
    createConnection: () => socket,
    settings: { initialWindowSize: streamWindowBytes, enablePush: false },
    maxSessionMemory: 64,
    maxHeaderListPairs: 1024,
  });
  const tunnel = { subaccountId, locationId, session, connectedAt: new Date() };
  session.on('connect', () => session.setLocalWindowSize(windowBytes));
  session.on('error', (error) => logger.debug(`tunnel ${describe(tunnel)} failed: ${error.message}`));
  // After some protocol errors (e.g. a frame over the size limit) nghttp2 sends GOAWAY and stops reading without
  // telling Node: no 'error', no 'close', not even the peer's FIN is seen, and the slot stays taken for good.
  // A PING that goes unanswered until the next one exposes such a session (and any other dead one).
  let unanswered = false;
  const liveness = setInterval(() => {
    if (unanswered) {
      session.destroy(new Error('the connector did not answer an HTTP/2 PING'));
      return;
    }
    unanswered = true;
    try {
      session.ping((error) => {
        if (!error) unanswered = false;
      });
    } catch {
      session.destroy();
    }
  }, options.livenessMs ?? 15_000);
  liveness.unref();
  session.once('close', () => {
    clearInterval(liveness);
    registry.remove(tunnel);
    socket.destroy();
    logger.info(`Cloud Connector disconnected: ${describe(tunnel)}`);
  });
  registry.add(tunnel);
  logger.info(`Cloud Connector connected: ${describe(tunnel)}`);
}

type Registration = { ok: true; subaccountId: string; locationId: string } | { ok: false; status: number; message: string };

function checkRegistration(req: IncomingMessage, options: TunnelServerOptions): Registration {
  if ((req.url ?? '').split('?')[0] !== tunnelPath) return { ok: false, status: 404, message: `Connectors register at ${tunnelPath}` };
  if (String(req.headers.upgrade ?? '').toLowerCase() !== tunnelUpgradeToken) {
    return { ok: false, status: 400, message: `Only an upgrade to ${tunnelUpgradeToken} is accepted` };
  }
  const presented = /^Bearer\s+(\S+)$/i.exec(String(req.headers.authorization ?? ''))?.[1] ?? '';
  if (!sameSecret(options.connectorSecret, presented)) return { ok: false, status: 401, message: 'The connector secret is missing or wrong' };
  const subaccountId = String(req.headers[RegistrationHeader.subaccount] ?? '');
  if (!options.world.tenantById(subaccountId)) return { ok: false, status: 403, message: `Unknown subaccount '${subaccountId}'` };
  const locationId = decodeLocation(req.headers[RegistrationHeader.location]);
  if (locationId === undefined) return { ok: false, status: 400, message: 'The location ID header is not base64url' };
  return { ok: true, subaccountId, locationId };
}

function sameSecret(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

function describe(tunnel: { subaccountId: string; locationId: string }): string {
  return `subaccount ${tunnel.subaccountId}, location ID '${tunnel.locationId}'`;
}
