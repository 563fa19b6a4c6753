import { once } from 'node:events';
import { request, type IncomingHttpHeaders } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { SandboxFixture } from './sandboxFixture';

/** Wire-level clients of the connectivity proxy for tests: raw HTTP (absolute form) and SOCKS5 bytes. */

/** Client-credentials token of the connectivity binding, at the key's `url`; `zid` picks the tenant. */
export async function connectivityToken(f: SandboxFixture, zid?: string): Promise<string> {
  const key = f.sandbox.keys.connectivity as Record<string, string>;
  const response = await f.tokenRequest(
    `${key.url}/oauth/token`,
    { grant_type: 'client_credentials', client_id: key.clientid ?? '', client_secret: key.clientsecret ?? '' },
    zid ? { 'x-zid': zid } : {},
  );
  if (response.status !== 200) throw new Error(`connectivity token: ${response.status} ${response.text}`);
  return response.json<{ access_token: string }>().access_token;
}

/** A connectivity token that carries a user: the jwt-bearer exchange of a user token with the connectivity client. */
export async function connectivityUserToken(f: SandboxFixture, userToken: string): Promise<string> {
  const key = f.sandbox.keys.connectivity as Record<string, string>;
  const response = await f.tokenRequest(`${key.url}/oauth/token`, {
    grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
    client_id: key.clientid ?? '',
    client_secret: key.clientsecret ?? '',
    assertion: userToken,
  });
  if (response.status !== 200) throw new Error(`connectivity user token: ${response.status} ${response.text}`);
  return response.json<{ access_token: string }>().access_token;
}

export interface ProxyResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  json<T = Record<string, unknown>>(): T;
}

export interface ProxyRequestInit {
  readonly method?: string;
  /** Sent as `Proxy-Authorization: Bearer <token>`; null sends none. */
  readonly token: string | null;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
}

/** One request to the proxy's HTTP port in absolute form (`GET http://vhost:port/path HTTP/1.1`), on its own connection. */
export function proxyRequest(f: SandboxFixture, url: string, init: ProxyRequestInit): Promise<ProxyResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host: new URL(url).host, ...init.headers };
    if (init.token !== null) headers['proxy-authorization'] = `Bearer ${init.token}`;
    const req = request({ host: '127.0.0.1', port: f.sandbox.connectivity.httpPort, method: init.method ?? 'GET', path: url, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: <T>() => JSON.parse(text) as T });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

/** A raw TCP client that reads exact byte counts: SOCKS5 golden vectors are compared byte by byte. */
export class ByteClient {
  private buffer = Buffer.alloc(0);
  private ended = false;
  private wake: (() => void) | undefined;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.wake?.();
    });
    // No byte can follow the peer's FIN: `end` is as final as `close` for reading.
    const finished = () => {
      this.ended = true;
      this.wake?.();
    };
    socket.on('end', finished);
    socket.on('close', finished);
    socket.on('error', () => undefined);
  }

  static async open(port: number): Promise<ByteClient> {
    const socket = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    await once(socket, 'connect');
    return new ByteClient(socket);
  }

  write(bytes: Buffer | string): void {
    this.socket.write(bytes);
  }

  /** Exactly `length` bytes; rejects if the peer closes first. */
  async read(length: number): Promise<Buffer> {
    while (this.buffer.length < length) {
      if (this.ended) throw new Error(`closed after ${this.buffer.length} of ${length} bytes (${this.buffer.toString('hex')})`);
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    const result = this.buffer.subarray(0, length);
    this.buffer = this.buffer.subarray(length);
    return result;
  }

  /** Reads up to and including the next LF. */
  async line(): Promise<string> {
    while (!this.buffer.includes(0x0a)) {
      if (this.ended) throw new Error(`closed before a line ended: ${JSON.stringify(this.buffer.toString())}`);
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    const end = this.buffer.indexOf(0x0a) + 1;
    const result = this.buffer.subarray(0, end).toString('utf8');
    this.buffer = this.buffer.subarray(end);
    return result;
  }

  /** Everything until the peer closes. */
  async rest(): Promise<Buffer> {
    while (!this.ended) await new Promise<void>((resolve) => (this.wake = resolve));
    const result = this.buffer;
    this.buffer = Buffer.alloc(0);
    return result;
  }

  get closed(): boolean {
    return this.ended;
  }

  close(): void {
    this.socket.destroy();
  }
}

/** The SAP sub-negotiation: `01 | len32be | JWT | L | base64(location)`. */
export function socksAuth(token: string, locationId = ''): Buffer {
  const location = locationId === '' ? Buffer.alloc(0) : Buffer.from(Buffer.from(locationId, 'utf8').toString('base64'), 'latin1');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(Buffer.byteLength(token, 'latin1'), 0);
  return Buffer.concat([Buffer.from([0x01]), length, Buffer.from(token, 'latin1'), Buffer.from([location.length]), location]);
}

/** `05 01 00 03 <len> <host> <port>`: CONNECT to a domain name. */
export function socksConnectDomain(host: string, port: number, command = 0x01): Buffer {
  const portBytes = Buffer.alloc(2);
  portBytes.writeUInt16BE(port, 0);
  return Buffer.concat([Buffer.from([0x05, command, 0x00, 0x03, host.length]), Buffer.from(host, 'latin1'), portBytes]);
}

/** Greeting, sub-negotiation and CONNECT in one go; returns the client and the 10-byte reply. */
export async function socksOpen(
  port: number,
  token: string,
  host: string,
  targetPort: number,
  locationId = '',
): Promise<{ client: ByteClient; reply: Buffer }> {
  const client = await ByteClient.open(port);
  client.write(Buffer.from([0x05, 0x02, 0x00, 0x80]));
  const method = await client.read(2);
  if (!method.equals(Buffer.from([0x05, 0x80]))) throw new Error(`method reply ${method.toString('hex')}`);
  client.write(socksAuth(token, locationId));
  const auth = await client.read(2);
  if (!auth.equals(Buffer.from([0x01, 0x00]))) throw new Error(`auth reply ${auth.toString('hex')}`);
  client.write(socksConnectDomain(host, targetPort));
  return { client, reply: await client.read(10) };
}

export const socksReply = (rep: number) => Buffer.from([0x05, rep, 0x00, 0x01, 0, 0, 0, 0, 0, 0]);
