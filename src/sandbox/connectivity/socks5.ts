import { constants as h2, type ClientHttp2Stream } from 'node:http2';
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../../core/log';
import type { AdmissionContext } from './admission';
import { readExactly } from './byteReader';
import { cutOff, pipeStream } from '../tunnel/pipeStream';
import { maxTokenBytes, verifyConnectivityToken, type ConnectivityCaller } from './proxyAuth';
import { encodeUser, StreamHeader } from '../tunnel/tunnelProtocol';

/** SOCKS5 reply codes with SAP's meaning (spec §5.2). */
export const Rep = {
  succeeded: 0x00,
  generalFailure: 0x01,
  notAllowed: 0x02,
  noCloudConnector: 0x03,
  backendUnreachable: 0x04,
  authenticationFailed: 0x05,
  commandNotSupported: 0x07,
  addressTypeNotSupported: 0x08,
} as const;

const methodJwt = 0x80;
const handshakeTimeoutMs = 10_000;

/**
 * The SOCKS5 port of the connectivity proxy: RFC 1928 with SAP's method 0x80 (JWT + location ID), CONNECT only,
 * IPv4 or domain targets. Each accepted connection becomes an h2 CONNECT stream to the Cloud Connector.
 * Malformed input closes the connection; nothing a peer sends can throw past it.
 */
export function createSocks5Server(options: AdmissionContext & { logger: Logger }): Server {
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    socket.on('error', () => socket.destroy());
    socket.setTimeout(handshakeTimeoutMs, () => socket.destroy());
    handshake(socket, options).catch((error: unknown) => {
      options.logger.debug(`SOCKS5 connection dropped: ${(error as Error).message}`);
      socket.destroy();
    });
  });
  return server;
}

async function handshake(socket: Socket, options: AdmissionContext & { logger: Logger }): Promise<void> {
  const [version = 0, methodCount = 0] = await readExactly(socket, 2);
  if (version !== 0x05) throw new Error(`not SOCKS5 (version byte ${version})`);
  const methods = await readExactly(socket, methodCount);
  if (!methods.includes(methodJwt)) {
    socket.end(Buffer.from([0x05, 0xff]));
    return;
  }
  socket.write(Buffer.from([0x05, methodJwt]));

  // Sub-negotiation: 01 | JWT length (uint32 BE) | JWT | L | base64(location ID)
  const [authVersion] = await readExactly(socket, 1);
  if (authVersion !== 0x01) throw new Error(`unknown authentication version ${authVersion}`);
  const tokenLength = (await readExactly(socket, 4)).readUInt32BE(0);
  if (tokenLength === 0 || tokenLength > maxTokenBytes) throw new Error(`JWT length ${tokenLength} out of range`);
  const token = (await readExactly(socket, tokenLength)).toString('latin1');
  const [locationLength = 0] = await readExactly(socket, 1);
  const locationText = (await readExactly(socket, locationLength)).toString('latin1');
  const checked = verifyConnectivityToken(options.world, options.key, token);
  const validLocation = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(locationText);
  // `forbidden` tokens are genuine sandbox tokens of the wrong client: they pass here and get REP 0x05 below.
  if (!validLocation || (!checked.ok && checked.failure === 'invalid')) {
    socket.end(Buffer.from([0x01, 0x01]));
    return;
  }
  socket.write(Buffer.from([0x01, 0x00]));
  const locationId = Buffer.from(locationText, 'base64').toString('utf8');

  // Request: 05 CMD 00 ATYP DST.ADDR DST.PORT
  const [requestVersion, command, , addressType] = await readExactly(socket, 4);
  if (requestVersion !== 0x05) throw new Error(`request version ${requestVersion}`);
  let host: string;
  if (addressType === 0x01) host = [...(await readExactly(socket, 4))].join('.');
  else if (addressType === 0x03) host = (await readExactly(socket, (await readExactly(socket, 1))[0] ?? 0)).toString('latin1').toLowerCase();
  else if (addressType === 0x04) {
    await readExactly(socket, 18);
    return reply(socket, Rep.addressTypeNotSupported);
  } else return reply(socket, Rep.addressTypeNotSupported);
  const port = (await readExactly(socket, 2)).readUInt16BE(0);
  if (command !== 0x01) return reply(socket, Rep.commandNotSupported);
  if (host === '') return reply(socket, Rep.generalFailure);
  if (!checked.ok) return reply(socket, Rep.authenticationFailed);

  const tunnel = options.tunnels.get(checked.caller.tenant.id, locationId);
  if (!tunnel) {
    options.logger.info(`SOCKS5 ${host}:${port}: no Cloud Connector for subaccount ${checked.caller.tenant.id}, location ID '${locationId}'`);
    return reply(socket, Rep.noCloudConnector);
  }
  // A name no virtual host can have (NUL, space, '/', non-ASCII...) matches no mapping. Sent on, it would be an
  // invalid HTTP/2 header at the connector, and after a thousand of those Node ends the connector's whole session
  // (maxSessionInvalidFrames): one client could cut the tunnel of everybody behind that Cloud Connector.
  if (!/^[a-z0-9._~!$&'()*+,;=%-]+$/.test(host)) return reply(socket, Rep.notAllowed);
  let stream: ClientHttp2Stream;
  try {
    stream = tunnel.session.request(connectHeaders(host, port, checked.caller));
  } catch {
    return reply(socket, Rep.noCloudConnector);
  }
  relay(socket, stream);
}

function connectHeaders(host: string, port: number, caller: ConnectivityCaller): Record<string, string> {
  return {
    ':method': 'CONNECT',
    ':authority': `${host.includes(':') ? `[${host}]` : host}:${port}`,
    [StreamHeader.virtualHost]: host,
    [StreamHeader.virtualPort]: String(port),
    [StreamHeader.protocol]: 'TCP',
    ...(caller.user ? { [StreamHeader.user]: encodeUser(caller.user) } : {}),
  };
}

/** Waits for the connector's verdict, answers the SOCKS request, then relays both ways with backpressure. */
function relay(socket: Socket, stream: ClientHttp2Stream): void {
  let answered = false;
  stream.on('error', () => {
    if (!answered) reply(socket, Rep.generalFailure);
    else cutOff(socket);
  });
  // RST_STREAM with NO_ERROR (or a tunnel cut with a FIN) closes a stream without 'error' and without an answer:
  // the client still gets its refusal now, not a silent close at the handshake timeout.
  stream.on('close', () => {
    if (!answered && !socket.writableEnded) reply(socket, Rep.generalFailure);
  });
  socket.on('close', () => {
    if (!stream.closed) stream.close(h2.NGHTTP2_CANCEL);
  });
  stream.on('response', (headers) => {
    answered = true;
    const status = Number(headers[':status']);
    if (status !== 200) {
      stream.resume();
      reply(socket, status === 403 ? Rep.notAllowed : status === 502 ? Rep.backendUnreachable : Rep.generalFailure);
      return;
    }
    socket.write(replyBytes(Rep.succeeded));
    socket.setTimeout(0);
    socket.pipe(stream);
    pipeStream(stream, socket);
    stream.on('close', () => {
      if (!socket.writableEnded) socket.destroy();
    });
  });
}

function replyBytes(rep: number): Buffer {
  return Buffer.from([0x05, rep, 0x00, 0x01, 0, 0, 0, 0, 0, 0]);
}

function reply(socket: Socket, rep: number): void {
  socket.end(replyBytes(rep));
}
