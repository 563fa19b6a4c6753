import type { Socket } from 'node:net';
import { authenticationRequest, connectRequest } from '../connectivity/socks5Client';

/**
 * SAP's SOCKS5 handshake (spec §5.2) in two separately timed steps, so that a refusal lands on the right hop:
 * greeting + JWT authentication (the connectivity proxy's verdict), then CONNECT (the Cloud Connector's and
 * the backend's). `connectSocks5` does the same in one go for forwards.
 */
export class SocksSteps {
  private buffer = Buffer.alloc(0);
  private waiter: (() => void) | undefined;
  private failure: Error | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly timeoutMs: number,
  ) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.waiter?.();
    });
    const fail = (error: Error) => {
      this.failure ??= error;
      this.waiter?.();
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('the connectivity proxy closed the connection during the SOCKS5 handshake')));
  }

  /** `05 01 80` → `05 80`, then `01 | len | JWT | L | base64(location)` → `01 00`. */
  async authenticate(token: string, locationId: string): Promise<{ ok: true } | { ok: false; reason: 'method' | 'auth'; answer: string }> {
    const authentication = authenticationRequest(token, locationId);
    this.socket.write(Buffer.from([0x05, 0x01, 0x80]));
    const method = await this.read(2);
    if (method[0] !== 0x05 || method[1] !== 0x80) return { ok: false, reason: 'method', answer: hex(method) };
    this.socket.write(authentication);
    const auth = await this.read(2);
    if (auth[0] !== 0x01 || auth[1] !== 0x00) return { ok: false, reason: 'auth', answer: hex(auth) };
    return { ok: true };
  }

  /** `05 01 00 ATYP ADDR PORT` → the reply code (0x00 = the backend connection stands). */
  async connect(host: string, port: number): Promise<number> {
    this.socket.write(connectRequest(host, port));
    const head = await this.read(4);
    if (head[0] !== 0x05) throw new Error(`the connectivity proxy answered the SOCKS5 CONNECT with version ${head[0]}`);
    const reply = head[1] ?? 0x01;
    const addressLength = head[3] === 0x01 ? 4 : head[3] === 0x04 ? 16 : head[3] === 0x03 ? ((await this.read(1))[0] ?? 0) : 0;
    if (reply === 0x00) await this.read(addressLength + 2);
    return reply;
  }

  private async read(count: number): Promise<Buffer> {
    const deadline = Date.now() + this.timeoutMs;
    while (this.buffer.length < count) {
      if (this.failure) throw this.failure;
      const left = deadline - Date.now();
      if (left <= 0) throw Object.assign(new Error('the SOCKS5 handshake timed out'), { code: 'ETIMEDOUT' });
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    const bytes = this.buffer.subarray(0, count);
    this.buffer = this.buffer.subarray(count);
    return bytes;
  }
}

function hex(bytes: Buffer): string {
  return [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join(' ');
}
