import { connect, isIPv4, type Socket } from 'node:net';
import { BtpError, ErrorCode } from '../errors';
import { isConnectFailure, proxyUnreachable } from './proxyReach';
import { socksReplyError } from './socksReplies';

export interface Socks5Options {
  readonly proxy: { readonly host: string; readonly port: number };
  /** The connectivity JWT, without "Bearer ". */
  readonly token: string;
  /** The Cloud Connector location ID; empty or absent = the connector without one. */
  readonly locationId?: string;
  readonly target: { readonly host: string; readonly port: number };
  readonly timeoutMs?: number;
}

const authMethodJwt = 0x80;

/**
 * Opens a TCP stream to `target` through the connectivity proxy's SOCKS5 port with SAP's JWT authentication
 * (method 0x80, spec §5.2). Resolves with the socket positioned after the handshake: what follows is the
 * backend's byte stream. Every refusal becomes a coded error that names the fix.
 */
export async function connectSocks5(options: Socks5Options): Promise<Socket> {
  // Both requests are built first: a field SOCKS5 cannot carry is refused before anything (the token included) is sent.
  const authentication = authenticationRequest(options.token, options.locationId ?? '');
  const request = connectRequest(options.target.host, options.target.port);
  const socket = connect({ host: options.proxy.host, port: options.proxy.port });
  socket.setNoDelay(true);
  const timeoutMs = options.timeoutMs ?? 15_000;
  socket.setTimeout(timeoutMs);
  const reader = new ExactReader(socket, `${options.proxy.host}:${options.proxy.port}`);
  let connected = false;
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    connected = true;
    socket.write(Buffer.from([0x05, 0x01, authMethodJwt]));
    const method = await reader.read(2);
    if (method[0] !== 0x05 || method[1] !== authMethodJwt) {
      throw new BtpError(
        ErrorCode.ProtocolError,
        `${reader.peer} did not accept SAP's JWT authentication (method 0x80; answered ${hex(method)}). Is this the SOCKS5 port (onpremise_socks5_proxy_port) of the connectivity proxy?`,
      );
    }
    socket.write(authentication);
    const auth = await reader.read(2);
    if (auth[0] !== 0x01 || auth[1] !== 0x00) throw socksReplyError(0x05, options.target, options.locationId);
    socket.write(request);
    const head = await reader.read(4);
    if (head[0] !== 0x05) throw new BtpError(ErrorCode.ProtocolError, `${reader.peer} answered the SOCKS5 CONNECT with version ${head[0]}.`);
    const reply = head[1] ?? 0x01;
    const addressLength = head[3] === 0x01 ? 4 : head[3] === 0x04 ? 16 : head[3] === 0x03 ? ((await reader.read(1))[0] ?? 0) : -1;
    if (addressLength < 0) throw new BtpError(ErrorCode.ProtocolError, `${reader.peer} answered with an unknown address type ${head[3]}.`);
    await reader.read(addressLength + 2);
    if (reply !== 0x00) throw socksReplyError(reply, options.target, options.locationId);
    socket.setTimeout(0);
    reader.release();
    return socket;
  } catch (error) {
    reader.release();
    socket.destroy();
    if (error instanceof BtpError) throw error;
    if (!connected && isConnectFailure(error)) throw proxyUnreachable(options.proxy, error, 'onpremise_socks5_proxy_port');
    const code = (error as NodeJS.ErrnoException).code;
    throw new BtpError(
      code === 'ETIMEDOUT' ? ErrorCode.Timeout : ErrorCode.Unreachable,
      `The connectivity proxy's SOCKS5 port ${reader.peer} could not be used (${code ?? (error as Error).message}). Is the tunnel to the connectivity proxy up?`,
      { cause: error },
    );
  }
}

/** `01 | JWT length (4 bytes, big-endian) | JWT | L | base64(location id)` (spec §5.2). */
export function authenticationRequest(token: string, locationId: string): Buffer {
  const jwt = Buffer.from(token, 'ascii');
  const location = locationId ? Buffer.from(Buffer.from(locationId, 'utf8').toString('base64'), 'ascii') : Buffer.alloc(0);
  if (location.length > 255) {
    throw new BtpError(ErrorCode.InvalidInput, 'The Cloud Connector location ID is too long for SOCKS5 (at most 189 bytes).', {
      field: 'CloudConnectorLocationId',
    });
  }
  const length = Buffer.alloc(4);
  length.writeUInt32BE(jwt.length);
  return Buffer.concat([Buffer.from([0x01]), length, jwt, Buffer.from([location.length]), location]);
}

/** `05 01 00 ATYP DST.ADDR DST.PORT`: IPv4 literals as 0x01, names as 0x03 (virtual hosts). */
export function connectRequest(host: string, port: number): Buffer {
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new BtpError(ErrorCode.InvalidInput, `The port ${port} cannot be sent over SOCKS5 (1 to 65535).`, { field: 'port' });
  const portBytes = Buffer.alloc(2);
  portBytes.writeUInt16BE(port);
  if (isIPv4(host)) return Buffer.concat([Buffer.from([0x05, 0x01, 0x00, 0x01]), Buffer.from(host.split('.').map(Number)), portBytes]);
  const name = Buffer.from(host, 'ascii');
  // 'ascii' keeps only the low byte of each character: a non-ASCII name would go out as another name.
  if (name.length === 0 || name.length > 255 || /[\u0080-\uffff]/.test(host))
    throw new BtpError(ErrorCode.InvalidInput, `The host name "${host}" cannot be sent over SOCKS5.`, { field: 'host' });
  return Buffer.concat([Buffer.from([0x05, 0x01, 0x00, 0x03, name.length]), name, portBytes]);
}

/** Reads exact byte counts from a socket in paused mode; bytes beyond the handshake stay in the stream. */
class ExactReader {
  private waiter: (() => void) | undefined;
  private failure: Error | undefined;
  private readonly onReadable = () => this.waiter?.();
  private readonly onEnd = () => this.fail(new BtpError(ErrorCode.ProtocolError, `${this.peer} closed the connection during the SOCKS5 handshake.`));
  private readonly onError = (error: Error) => this.fail(error);
  private readonly onTimeout = () => this.fail(Object.assign(new Error('SOCKS5 handshake timed out'), { code: 'ETIMEDOUT' }));

  constructor(
    private readonly socket: Socket,
    readonly peer: string,
  ) {
    socket.on('readable', this.onReadable);
    socket.on('end', this.onEnd);
    socket.on('error', this.onError);
    socket.on('timeout', this.onTimeout);
  }

  async read(count: number): Promise<Buffer> {
    if (count === 0) return Buffer.alloc(0);
    for (;;) {
      if (this.failure) throw this.failure;
      const chunk = this.socket.read(count) as Buffer | null;
      // At end of stream `read(n)` hands over what is left, possibly fewer bytes: a reply cut short is no reply.
      if (chunk && chunk.length < count) throw new BtpError(ErrorCode.ProtocolError, `${this.peer} closed the connection during the SOCKS5 handshake.`);
      if (chunk) return chunk;
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
  }

  release(): void {
    this.socket.off('readable', this.onReadable);
    this.socket.off('end', this.onEnd);
    this.socket.off('error', this.onError);
    this.socket.off('timeout', this.onTimeout);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.waiter?.();
  }
}

function hex(bytes: Buffer): string {
  return [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join(' ');
}
