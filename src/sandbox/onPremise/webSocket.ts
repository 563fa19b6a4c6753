import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * A tiny RFC 6455 echo endpoint: handshake by hand, text and binary frames echoed (fragments reassembled), pings
 * answered, close echoed. The text message `WHOAMI` answers with the propagated user and the Host header seen at
 * the handshake, so a test can tell what the Cloud Connector put on the upgrade request.
 */

const acceptGuid = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const maxMessageBytes = 1024 * 1024;

const Opcode = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

export function acceptKey(key: string): string {
  return createHash('sha1').update(`${key}${acceptGuid}`).digest('base64');
}

/** Completes the handshake on an upgraded socket, or answers 400 and closes. */
export function acceptWebSocket(req: IncomingMessage, socket: Duplex, head: Buffer): void {
  const key = String(req.headers['sec-websocket-key'] ?? '');
  const valid =
    req.method === 'GET' &&
    String(req.headers.upgrade ?? '').toLowerCase() === 'websocket' &&
    req.headers['sec-websocket-version'] === '13' &&
    Buffer.from(key, 'base64').length === 16;
  if (!valid) {
    socket.end('HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 28\r\nConnection: close\r\n\r\nNot a valid WebSocket upgrade');
    return;
  }
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKey(key)}\r\n\r\n`);
  const identity = JSON.stringify({ user: req.headers['x-emulated-user'] ?? null, host: req.headers.host ?? null });
  echo(socket, head, identity);
}

function echo(socket: Duplex, head: Buffer, identity: string): void {
  let buffer: Buffer = Buffer.alloc(0);
  let fragments: Buffer[] = [];
  let fragmentOpcode = 0;
  const closeWith = (code: number) => {
    const payload = Buffer.alloc(2);
    payload.writeUInt16BE(code, 0);
    socket.off('data', onData);
    socket.end(frame(Opcode.close, payload));
  };
  const onData = (chunk: Buffer) => {
    buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
    for (;;) {
      const parsed = parseFrame(buffer);
      if (parsed === 'incomplete') return;
      if (parsed === 'unmasked') return closeWith(1002);
      if (parsed === 'too-large') return closeWith(1009);
      buffer = buffer.subarray(parsed.length);
      const { fin, opcode, payload } = parsed;
      if (opcode === Opcode.close) {
        socket.off('data', onData);
        socket.end(frame(Opcode.close, payload.subarray(0, 125)));
        return;
      }
      if (opcode === Opcode.ping) socket.write(frame(Opcode.pong, payload));
      if (opcode === Opcode.text || opcode === Opcode.binary || opcode === Opcode.continuation) {
        if (opcode !== Opcode.continuation) fragmentOpcode = opcode;
        fragments.push(payload);
        if (fragments.reduce((size, part) => size + part.length, 0) > maxMessageBytes) return closeWith(1009);
        if (!fin) continue;
        const message = Buffer.concat(fragments);
        fragments = [];
        const reply = fragmentOpcode === Opcode.text && message.toString('utf8') === 'WHOAMI' ? Buffer.from(identity) : message;
        socket.write(frame(fragmentOpcode, reply));
      }
    }
  };
  socket.on('data', onData);
  socket.on('error', () => socket.destroy());
  if (head.length > 0) onData(head);
}

type Parsed = { fin: boolean; opcode: number; payload: Buffer; length: number } | 'incomplete' | 'unmasked' | 'too-large';

/** Client-to-server frames: always masked (RFC 6455 §5.1). */
function parseFrame(data: Buffer): Parsed {
  if (data.length < 2) return 'incomplete';
  const first = data.readUInt8(0);
  const second = data.readUInt8(1);
  if ((second & 0x80) === 0) return 'unmasked';
  let size = second & 0x7f;
  let offset = 2;
  if (size === 126) {
    if (data.length < 4) return 'incomplete';
    size = data.readUInt16BE(2);
    offset = 4;
  } else if (size === 127) {
    if (data.length < 10) return 'incomplete';
    const big = data.readBigUInt64BE(2);
    if (big > BigInt(maxMessageBytes)) return 'too-large';
    size = Number(big);
    offset = 10;
  }
  if (size > maxMessageBytes) return 'too-large';
  if (data.length < offset + 4 + size) return 'incomplete';
  const mask = data.subarray(offset, offset + 4);
  const payload = Buffer.from(data.subarray(offset + 4, offset + 4 + size));
  for (let index = 0; index < payload.length; index++) payload[index] = (payload[index] as number) ^ (mask[index % 4] as number);
  return { fin: (first & 0x80) !== 0, opcode: first & 0x0f, payload, length: offset + 4 + size };
}

/** Server-to-client frames: unmasked, never fragmented. */
function frame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  const head = length < 126 ? Buffer.alloc(2) : length < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  head.writeUInt8(0x80 | opcode, 0);
  if (length < 126) head.writeUInt8(length, 1);
  else if (length < 65536) {
    head.writeUInt8(126, 1);
    head.writeUInt16BE(length, 2);
  } else {
    head.writeUInt8(127, 1);
    head.writeBigUInt64BE(BigInt(length), 2);
  }
  return Buffer.concat([head, payload]);
}
