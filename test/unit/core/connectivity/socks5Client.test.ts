import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { authenticationRequest, connectRequest, connectSocks5 } from '../../../../src/core/connectivity/socks5Client';
import { ErrorCode, isBtpError } from '../../../../src/core/errors';

// SAP's SOCKS5 with JWT authentication (spec §5.2), byte for byte, against a scripted fake proxy.

describe('SOCKS5 request encoding (golden vectors)', () => {
  it('authentication: 01 | JWT length as 4 bytes big-endian | JWT | L | base64(location id)', () => {
    const jwt = 'a'.repeat(1211);
    const bytes = authenticationRequest(jwt, 'loc1');
    assert.equal(bytes.subarray(0, 5).toString('hex'), '01000004bb');
    assert.equal(bytes.subarray(5, 5 + 1211).toString('ascii'), jwt);
    // L = 8, then "bG9jMQ==" (base64 of "loc1"). Spec §5.2 prints this tail as `08 62473976 59314d3d3d`,
    // which does not decode to its own text "bG9jMQ=="; the text is what SAP clients send.
    assert.equal(bytes.subarray(5 + 1211).toString('hex'), '086247396a4d513d3d');
    assert.equal(bytes.subarray(5 + 1211 + 1).toString('ascii'), 'bG9jMQ==');
  });

  it('authentication without a location ID ends with the single byte 00', () => {
    const bytes = authenticationRequest('jwt', '');
    assert.equal(bytes.toString('hex'), `0100000003${Buffer.from('jwt').toString('hex')}00`);
  });

  it('a location ID whose base64 exceeds 255 bytes is refused', () => {
    assert.throws(
      () => authenticationRequest('jwt', 'x'.repeat(192)),
      (error: unknown) => isBtpError(error, ErrorCode.InvalidInput),
    );
    assert.equal(authenticationRequest('jwt', 'x'.repeat(189)).at(8), 252);
  });

  it('CONNECT: domain names as ATYP 03, IPv4 literals as ATYP 01, port big-endian', () => {
    assert.equal(connectRequest('smtp.virtual', 25).toString('hex'), `050100030c${Buffer.from('smtp.virtual').toString('hex')}0019`);
    assert.equal(connectRequest('10.1.2.3', 5432).toString('hex'), '050100010a0102031538');
  });
});

type Script = (socket: Socket, received: Buffer[]) => void;

describe('connectSocks5 against a scripted proxy', () => {
  let server: Server;
  let script: Script;
  let port = 0;
  before(async () => {
    server = createServer((socket) => {
      const received: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => {
        received.push(chunk);
        script(socket, received);
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** Answers the greeting, the authentication and the CONNECT in turn; a refusal closes; afterwards it echoes. */
  function staged(answers: number[][], then?: (socket: Socket) => void): Script {
    let stage = 0;
    let buffered = Buffer.alloc(0);
    const expected = [3, -1, -2];
    return (socket, received) => {
      buffered = Buffer.concat([buffered, received.at(-1) ?? Buffer.alloc(0)]);
      for (;;) {
        if (stage >= answers.length) {
          if (buffered.length > 0) socket.write(buffered);
          buffered = Buffer.alloc(0);
          then?.(socket);
          return;
        }
        const need = expected[stage] === 3 ? 3 : expected[stage] === -1 ? authLength(buffered) : connectLength(buffered);
        if (need === undefined || buffered.length < need) return;
        buffered = buffered.subarray(need);
        const answer = answers[stage] ?? [];
        stage++;
        socket.write(Buffer.from(answer));
        if (answer[1] !== 0x00 && answer[1] !== 0x80) return void socket.end();
      }
    };
  }

  it('completes the handshake and hands over a socket that carries the backend bytes', async () => {
    script = staged([
      [0x05, 0x80],
      [0x01, 0x00],
      [0x05, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0],
    ]);
    const socket = await connectSocks5({
      proxy: { host: '127.0.0.1', port },
      token: 'jwt-token',
      locationId: 'loc1',
      target: { host: 'db.virtual', port: 5432 },
    });
    socket.write('hello');
    const [echo] = (await new Promise((resolve) => socket.once('data', (chunk: Buffer) => resolve([chunk])))) as Buffer[];
    assert.equal(echo?.toString(), 'hello');
    socket.destroy();
  });

  const cases: [string, number[][], string][] = [
    ['05 FF: no JWT method', [[0x05, 0xff]], ErrorCode.ProtocolError],
    [
      '01 01: token refused',
      [
        [0x05, 0x80],
        [0x01, 0x01],
      ],
      ErrorCode.ConnectivityAuthRejected,
    ],
    [
      'REP 02: not exposed',
      [
        [0x05, 0x80],
        [0x01, 0x00],
        [0x05, 0x02, 0x00, 0x01, 0, 0, 0, 0, 0, 0],
      ],
      ErrorCode.NotExposed,
    ],
    [
      'REP 03: no Cloud Connector',
      [
        [0x05, 0x80],
        [0x01, 0x00],
        [0x05, 0x03, 0x00, 0x01, 0, 0, 0, 0, 0, 0],
      ],
      ErrorCode.NoCloudConnector,
    ],
    [
      'REP 04: backend unreachable',
      [
        [0x05, 0x80],
        [0x01, 0x00],
        [0x05, 0x04, 0x00, 0x01, 0, 0, 0, 0, 0, 0],
      ],
      ErrorCode.BackendUnreachable,
    ],
    [
      'REP 05: authentication failure',
      [
        [0x05, 0x80],
        [0x01, 0x00],
        [0x05, 0x05, 0x00, 0x01, 0, 0, 0, 0, 0, 0],
      ],
      ErrorCode.ConnectivityAuthRejected,
    ],
    [
      'REP 07: command not supported',
      [
        [0x05, 0x80],
        [0x01, 0x00],
        [0x05, 0x07, 0x00, 0x01, 0, 0, 0, 0, 0, 0],
      ],
      ErrorCode.ProtocolError,
    ],
  ];
  for (const [title, answers, code] of cases) {
    it(`maps ${title} to ${code} with a message naming the fix`, async () => {
      script = staged(answers);
      await assert.rejects(
        connectSocks5({ proxy: { host: '127.0.0.1', port }, token: 'jwt', locationId: 'loc9', target: { host: 'erp.virtual', port: 8000 } }),
        (error: unknown) => {
          assert.ok(isBtpError(error, code as never), String(error));
          assert.ok(error.message.length > 40);
          return true;
        },
      );
    });
  }

  it('a proxy that closes mid-handshake is a ProtocolError, a closed port is ProxyUnreachable (a tunnel is needed)', async () => {
    script = (socket) => socket.end();
    await assert.rejects(connectSocks5({ proxy: { host: '127.0.0.1', port }, token: 'jwt', target: { host: 'a', port: 1 } }), (error: unknown) =>
      isBtpError(error, ErrorCode.ProtocolError),
    );
    await assert.rejects(
      connectSocks5({ proxy: { host: '127.0.0.1', port: 9 }, token: 'jwt', target: { host: 'a', port: 1 } }),
      (error: unknown) => isBtpError(error, ErrorCode.ProxyUnreachable) && /tunnel setup/.test(error.message),
    );
  });
});

function authLength(buffer: Buffer): number | undefined {
  if (buffer.length < 5) return undefined;
  const jwtLength = buffer.readUInt32BE(1);
  if (buffer.length < 5 + jwtLength + 1) return undefined;
  return 5 + jwtLength + 1 + (buffer[5 + jwtLength] ?? 0);
}

function connectLength(buffer: Buffer): number | undefined {
  if (buffer.length < 5) return undefined;
  if (buffer[3] === 0x01) return 10;
  if (buffer[3] === 0x03) return 5 + (buffer[4] ?? 0) + 2;
  return 22;
}
