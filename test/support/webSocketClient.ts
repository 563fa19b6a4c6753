import { createHash, randomBytes } from 'node:crypto';
import { request, type IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';

/** A minimal RFC 6455 client for tests (Node 20 has no WebSocket client): masked frames out, unmasked in. */
export interface WebSocketMessage {
  readonly opcode: number;
  readonly data: Buffer;
}

export type UpgradeResult =
  | { readonly upgraded: true; readonly socket: WebSocketConnection; readonly headers: IncomingHttpHeaders }
  | { readonly upgraded: false; readonly status: number; readonly text: string };

/** Upgrades through an HTTP proxy: the request target is the absolute URL. */
export function openWebSocket(proxyPort: number, url: string, headers: Record<string, string>): Promise<UpgradeResult> {
  const key = randomBytes(16).toString('base64');
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port: proxyPort,
      path: url,
      agent: false,
      headers: { host: new URL(url).host, connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': key, 'sec-websocket-version': '13', ...headers },
    });
    req.on('upgrade', (res, socket: Socket, head: Buffer) => {
      const expected = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
      if (res.headers['sec-websocket-accept'] !== expected) {
        socket.destroy();
        reject(new Error(`bad Sec-WebSocket-Accept ${String(res.headers['sec-websocket-accept'])}`));
        return;
      }
      resolve({ upgraded: true, socket: new WebSocketConnection(socket, head), headers: res.headers });
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ upgraded: false, status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end();
  });
}

export class WebSocketConnection {
  private buffer: Buffer;
  private ended = false;
  private wake: (() => void) | undefined;

  constructor(
    readonly socket: Socket,
    head: Buffer,
  ) {
    this.buffer = head;
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.wake?.();
    });
    const finished = () => {
      this.ended = true;
      this.wake?.();
    };
    socket.on('end', finished);
    socket.on('close', finished);
    socket.on('error', () => undefined);
  }

  send(opcode: number, payload: Buffer | string, fin = true): void {
    const data = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
    const mask = randomBytes(4);
    const size =
      data.length < 126
        ? Buffer.from([data.length | 0x80])
        : data.length < 65536
          ? Buffer.from([126 | 0x80, data.length >> 8, data.length & 0xff])
          : longLength(data.length);
    const masked = Buffer.from(data.map((byte, index) => byte ^ (mask[index % 4] as number)));
    this.socket.write(Buffer.concat([Buffer.from([(fin ? 0x80 : 0) | opcode]), size, mask, masked]));
  }

  async next(): Promise<WebSocketMessage> {
    for (;;) {
      const frame = parse(this.buffer);
      if (frame) {
        this.buffer = this.buffer.subarray(frame.length);
        return { opcode: frame.opcode, data: frame.data };
      }
      if (this.ended) throw new Error('WebSocket closed before a frame arrived');
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

function longLength(length: number): Buffer {
  const bytes = Buffer.alloc(9);
  bytes.writeUInt8(127 | 0x80, 0);
  bytes.writeBigUInt64BE(BigInt(length), 1);
  return bytes;
}

function parse(data: Buffer): { opcode: number; data: Buffer; length: number } | undefined {
  if (data.length < 2) return undefined;
  let size = (data[1] as number) & 0x7f;
  let offset = 2;
  if (size === 126) {
    if (data.length < 4) return undefined;
    size = data.readUInt16BE(2);
    offset = 4;
  } else if (size === 127) {
    if (data.length < 10) return undefined;
    size = Number(data.readBigUInt64BE(2));
    offset = 10;
  }
  if (data.length < offset + size) return undefined;
  return { opcode: (data[0] as number) & 0x0f, data: Buffer.from(data.subarray(offset, offset + size)), length: offset + size };
}
