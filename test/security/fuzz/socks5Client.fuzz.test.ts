import assert from 'node:assert/strict';
import { createServer, isIPv4, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { authenticationRequest, connectRequest, connectSocks5 } from '../../../src/core/connectivity/socks5Client';
import { ErrorCode, isBtpError } from '../../../src/core/errors';
import { CaseCounter, FUZZ_RUNS, fuzzParameters, hex, ProcessFailures, splitAt, timed, within } from './fuzzSupport';

// AC-21: the SOCKS5 client (SAP method 0x80, spec §5.2) against a scripted proxy on a loopback port that answers
// with truncated, oversized, split-across-chunks and trailing-garbage replies. Every case must end with either a
// socket positioned exactly after the handshake or a BtpError whose code an independent model of the reply
// predicts; nothing may escape as an unhandled rejection or exception. Names over 255 bytes and location IDs
// whose base64 exceeds 255 bytes are refused before anything is sent.

const failures = new ProcessFailures();
after(() => failures.dispose());

// ---------------------------------------------------------------------------------------------------------------
// The model: what the client must conclude from the proxy's byte stream R followed by EOF.

type Outcome = { readonly ok: true; readonly rest: Buffer } | { readonly ok: false; readonly code: ErrorCode };

interface Modelled {
  readonly outcome: Outcome;
  /** True when the verdict needed the EOF after R (the reply ends early). */
  readonly needsEof: boolean;
  /** How many client messages (greeting, authentication, CONNECT) the client sends before its verdict. */
  readonly messages: number;
}

/** SAP's reply codes (spec §5.2) as the error codes of AC-20. */
function codeForReply(rep: number): ErrorCode {
  switch (rep) {
    case 0x02:
      return ErrorCode.NotExposed;
    case 0x03:
      return ErrorCode.NoCloudConnector;
    case 0x05:
      return ErrorCode.ConnectivityAuthRejected;
    case 0x07:
    case 0x08:
      return ErrorCode.ProtocolError;
    default:
      return ErrorCode.BackendUnreachable;
  }
}

function model(reply: Buffer): Modelled {
  let position = 0;
  let messages = 1;
  const take = (count: number): Buffer | undefined => {
    if (reply.length - position < count) return undefined;
    const bytes = reply.subarray(position, position + count);
    position += count;
    return bytes;
  };
  const fail = (code: ErrorCode, needsEof = false): Modelled => ({ outcome: { ok: false, code }, needsEof, messages });
  const truncated = () => fail(ErrorCode.ProtocolError, true);

  const method = take(2);
  if (!method) return truncated();
  if (method[0] !== 0x05 || method[1] !== 0x80) return fail(ErrorCode.ProtocolError);
  messages = 2;
  const auth = take(2);
  if (!auth) return truncated();
  if (auth[0] !== 0x01 || auth[1] !== 0x00) return fail(ErrorCode.ConnectivityAuthRejected);
  messages = 3;
  const head = take(4);
  if (!head) return truncated();
  if (head[0] !== 0x05) return fail(ErrorCode.ProtocolError);
  let addressLength: number;
  if (head[3] === 0x01) addressLength = 4;
  else if (head[3] === 0x04) addressLength = 16;
  else if (head[3] === 0x03) {
    const length = take(1);
    if (!length) return truncated();
    addressLength = length[0] ?? 0;
  } else return fail(ErrorCode.ProtocolError);
  if (!take(addressLength + 2)) return truncated();
  if (head[1] !== 0x00) return fail(codeForReply(head[1] ?? 0));
  return { outcome: { ok: true, rest: Buffer.from(reply.subarray(position)) }, needsEof: false, messages };
}

// ---------------------------------------------------------------------------------------------------------------
// Generators: a plausible reply (mostly the right shape, sometimes not), then a mutation.

const byte = fc.integer({ min: 0, max: 255 });
const bytes = (minLength: number, maxLength: number) => fc.uint8Array({ minLength, maxLength });

const methodReply = fc.oneof({ weight: 8, arbitrary: fc.constant(Uint8Array.of(0x05, 0x80)) }, { weight: 2, arbitrary: bytes(2, 2) });
const authReply = fc.oneof(
  { weight: 7, arbitrary: fc.constant(Uint8Array.of(0x01, 0x00)) },
  { weight: 2, arbitrary: byte.map((code) => Uint8Array.of(0x01, code)) },
  { weight: 1, arbitrary: bytes(2, 2) },
);
const connectReply = fc
  .record({
    version: fc.oneof({ weight: 9, arbitrary: fc.constant(0x05) }, { weight: 1, arbitrary: byte }),
    rep: fc.oneof({ weight: 5, arbitrary: fc.constant(0x00) }, { weight: 4, arbitrary: fc.integer({ min: 1, max: 9 }) }, { weight: 1, arbitrary: byte }),
    reserved: fc.oneof({ weight: 9, arbitrary: fc.constant(0x00) }, { weight: 1, arbitrary: byte }),
    addressType: fc.oneof({ weight: 9, arbitrary: fc.constantFrom(0x01, 0x03, 0x04) }, { weight: 1, arbitrary: byte }),
    name: bytes(0, 255),
    address: bytes(16, 16),
    port: bytes(2, 2),
  })
  .map(({ version, rep, reserved, addressType, name, address, port }) => {
    const bound =
      addressType === 0x01
        ? address.subarray(0, 4)
        : addressType === 0x04
          ? address
          : addressType === 0x03
            ? Buffer.concat([Uint8Array.of(name.length), name])
            : address.subarray(0, addressType % 8);
    return Buffer.concat([Uint8Array.of(version, rep, reserved, addressType), bound, port]);
  });
/** Backend bytes after the handshake: usually a few, sometimes more than a socket's high-water mark. */
const trailing = fc.oneof(
  { weight: 12, arbitrary: bytes(0, 48) },
  { weight: 1, arbitrary: fc.integer({ min: 16 * 1024, max: 70 * 1024 }).map((length) => Buffer.alloc(length, 0x5a)) },
);

type Mutation =
  | { readonly kind: 'none' }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'insert'; readonly at: number; readonly garbage: Uint8Array }
  | { readonly kind: 'overwrite'; readonly at: number; readonly value: number }
  | { readonly kind: 'random'; readonly bytes: Uint8Array };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ kind: 'none' as const }) },
  { weight: 3, arbitrary: fc.nat().map((at) => ({ kind: 'truncate' as const, at })) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), garbage: bytes(1, 40) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('overwrite' as const), at: fc.nat(), value: byte }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('random' as const), bytes: bytes(0, 300) }) },
);

function mutate(reply: Buffer, change: Mutation): Buffer {
  switch (change.kind) {
    case 'none':
      return reply;
    case 'truncate':
      return reply.subarray(0, change.at % (reply.length + 1));
    case 'insert': {
      const at = change.at % (reply.length + 1);
      return Buffer.concat([reply.subarray(0, at), change.garbage, reply.subarray(at)]);
    }
    case 'overwrite': {
      const copy = Buffer.from(reply);
      if (copy.length > 0) copy[change.at % copy.length] = change.value;
      return copy;
    }
    case 'random':
      return Buffer.from(change.bytes);
  }
}

const hostLabel = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,20}[a-z0-9])?$/);
const targetHost = fc.oneof(
  fc.constantFrom('db.virtual', 'erp.virtual', 'smtp.virtual'),
  fc.ipV4(),
  fc.array(hostLabel, { minLength: 1, maxLength: 6 }).map((labels) => labels.join('.')),
);
const jwtLike = fc.stringMatching(/^[A-Za-z0-9_-]{1,300}\.[A-Za-z0-9_-]{1,600}\.[A-Za-z0-9_-]{0,400}$/);
const locationId = fc.oneof(fc.constant(''), fc.string({ maxLength: 40 }), fc.stringMatching(/^[A-Za-z0-9 ._-]{1,189}$/));

interface ClientCase {
  readonly reply: Buffer;
  readonly staged: boolean;
  readonly cuts: readonly number[];
  readonly boundaries: readonly [number, number];
  readonly closing: 'fin' | 'rst' | 'open';
  readonly token: string;
  readonly locationId: string;
  readonly target: { readonly host: string; readonly port: number };
}

const clientCase: fc.Arbitrary<ClientCase> = fc
  .record({
    parts: fc.tuple(methodReply, authReply, connectReply, trailing),
    change: mutation,
    staged: fc.boolean(),
    cuts: fc.array(fc.nat(), { maxLength: 6 }),
    boundaries: fc.tuple(fc.nat(), fc.nat()),
    closing: fc.oneof(
      { weight: 6, arbitrary: fc.constant('fin' as const) },
      { weight: 2, arbitrary: fc.constant('open' as const) },
      { weight: 1, arbitrary: fc.constant('rst' as const) },
    ),
    token: jwtLike,
    locationId,
    target: fc.record({ host: targetHost, port: fc.integer({ min: 1, max: 65535 }) }),
  })
  .map(({ parts, change, closing, ...rest }) => {
    const reply = mutate(Buffer.concat(parts), change);
    // Keeping the connection open is only a different case when the reply is complete; else it would just time out.
    return { ...rest, reply, closing: closing === 'open' && model(reply).needsEof ? ('fin' as const) : closing };
  });

// ---------------------------------------------------------------------------------------------------------------
// The scripted proxy: it checks each client message against the spec's encoding and answers from the script.

interface Conversation {
  readonly script: ClientCase;
  readonly messages: Buffer[];
  readonly problems: string[];
  /** Resolves when the proxy side of the connection has closed. */
  readonly closed: Promise<void>;
  readonly markClosed: () => void;
}

function conversationFor(script: ClientCase): Conversation {
  let markClosed!: () => void;
  const closed = new Promise<void>((resolve) => (markClosed = resolve));
  return { script, messages: [], problems: [], closed, markClosed };
}

/** Length of the client message that starts `buffer` at `stage` (0 greeting, 1 authentication, 2 CONNECT). */
function messageLength(stage: number, buffer: Buffer): number | undefined {
  if (stage === 0) return buffer.length >= 3 ? 3 : undefined;
  if (stage === 1) {
    if (buffer.length < 5) return undefined;
    const jwtLength = buffer.readUInt32BE(1);
    if (buffer.length < 5 + jwtLength + 1) return undefined;
    return 5 + jwtLength + 1 + (buffer[5 + jwtLength] ?? 0);
  }
  if (buffer.length < 5) return undefined;
  if (buffer[3] === 0x01) return 10;
  if (buffer[3] === 0x03) return 5 + (buffer[4] ?? 0) + 2;
  return 22;
}

function expectedMessage(stage: number, script: ClientCase): Buffer {
  if (stage === 0) return Buffer.from([0x05, 0x01, 0x80]);
  if (stage === 1) {
    const location = script.locationId === '' ? Buffer.alloc(0) : Buffer.from(Buffer.from(script.locationId, 'utf8').toString('base64'), 'latin1');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(script.token.length);
    return Buffer.concat([Buffer.from([0x01]), length, Buffer.from(script.token, 'latin1'), Buffer.from([location.length]), location]);
  }
  const port = Buffer.from([script.target.port >> 8, script.target.port & 0xff]);
  if (isIPv4(script.target.host)) return Buffer.concat([Buffer.from([0x05, 0x01, 0x00, 0x01]), Buffer.from(script.target.host.split('.').map(Number)), port]);
  return Buffer.concat([Buffer.from([0x05, 0x01, 0x00, 0x03, script.target.host.length]), Buffer.from(script.target.host, 'latin1'), port]);
}

/** The reply cut into the part sent after each client message (staged), or all of it at once. */
function segments(script: ClientCase): Buffer[] {
  const { reply } = script;
  if (!script.staged) return [reply];
  // Never hold back bytes the client needs before it can send its next message, or both sides would wait.
  const n = reply.length;
  const first = Math.min(2, n) + (script.boundaries[0] % (n - Math.min(2, n) + 1));
  const secondFloor = Math.max(first, Math.min(4, n));
  const second = secondFloor + (script.boundaries[1] % (n - secondFloor + 1));
  return [reply.subarray(0, first), reply.subarray(first, second), reply.subarray(second)];
}

async function writeChunks(socket: Socket, data: Buffer, cuts: readonly number[]): Promise<void> {
  for (const chunk of splitAt(data, cuts)) {
    if (socket.destroyed) return;
    await new Promise<void>((resolve) => socket.write(chunk, () => resolve()));
  }
}

describe('AC-21: SOCKS5 client reply parser, fuzzed over loopback', () => {
  let server: Server;
  let port = 0;
  let next: Conversation | undefined;
  let accepted = 0;
  const counter = new CaseCounter();

  before(async () => {
    server = createServer({ allowHalfOpen: true }, (socket) => {
      accepted++;
      const conversation = next;
      next = undefined;
      socket.setNoDelay(true);
      socket.on('error', () => undefined);
      if (!conversation) return void socket.destroy();
      socket.once('close', conversation.markClosed);
      void converse(socket, conversation);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  async function converse(socket: Socket, conversation: Conversation): Promise<void> {
    const { script } = conversation;
    const parts = segments(script);
    const lastPart = parts.reduce((last, part, index) => (part.length > 0 ? index : last), -1);
    let buffered = Buffer.alloc(0);
    let stage = 0;
    let sending = Promise.resolve();
    const finish = () => {
      if (script.closing === 'fin') socket.end();
      else if (script.closing === 'rst') socket.resetAndDestroy();
    };
    const release = (index: number) => {
      sending = sending.then(async () => {
        await writeChunks(socket, parts[index] ?? Buffer.alloc(0), script.cuts);
        if (index >= lastPart) finish();
      });
    };
    if (!script.staged || lastPart < 0) release(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        if (stage > 2) {
          if (buffered.length > 0) conversation.problems.push(`bytes after the CONNECT request: ${hex(buffered)}`);
          buffered = Buffer.alloc(0);
          return;
        }
        const length = messageLength(stage, buffered);
        if (length === undefined || buffered.length < length) return;
        const message = buffered.subarray(0, length);
        buffered = buffered.subarray(length);
        conversation.messages.push(message);
        const expected = expectedMessage(stage, script);
        if (!message.equals(expected)) conversation.problems.push(`message ${stage}: sent ${hex(message)}, spec says ${hex(expected)}`);
        if (script.staged && stage <= lastPart) release(stage);
        stage++;
      }
    });
    socket.on('end', () => socket.destroy());
  }

  it(`every reply ends in a positioned socket or a typed error the model predicts (${FUZZ_RUNS} cases)`, async (t) => {
    const ms = await timed(() =>
      fc.assert(
        fc.asyncProperty(clientCase, async (script) => {
          const expected = model(script.reply);
          const conversation = conversationFor(script);
          next = conversation;
          counter.hit(script.staged ? 'staged' : 'pipelined');
          counter.hit(`closing:${script.closing}`);
          let socket: Socket | undefined;
          let error: unknown;
          try {
            socket = await connectSocks5({
              proxy: { host: '127.0.0.1', port },
              token: script.token,
              locationId: script.locationId,
              target: script.target,
              timeoutMs: 2_000,
            });
          } catch (caught) {
            error = caught;
          }
          try {
            if (socket) {
              counter.hit('resolved');
              socket.on('error', () => undefined);
              assert.ok(expected.outcome.ok || script.closing === 'rst', `resolved, but the model says ${JSON.stringify(expected.outcome)}`);
              assert.equal(socket.listenerCount('readable'), 0, 'the handshake reader let go of the socket');
              const rest = expected.outcome.ok ? expected.outcome.rest : Buffer.alloc(0);
              const seen = await within(backendBytes(socket, rest.length, script.closing), 5_000, 'the backend bytes after the handshake');
              if (script.closing === 'rst') assert.ok(rest.subarray(0, seen.length).equals(seen), 'bytes after the handshake are the backend stream');
              else assert.equal(hex(seen), hex(rest), 'the socket carries exactly the bytes after the handshake');
              socket.destroy();
            } else {
              assert.ok(isBtpError(error), `not a BtpError: ${error instanceof Error ? error.stack : String(error)}`);
              counter.hit(`error:${error.code}`);
              if (script.closing === 'rst') {
                // A reset may overtake the bytes before it: the reset itself is then the verdict.
                const allowed = [ErrorCode.Unreachable, ErrorCode.ProtocolError, ...(expected.outcome.ok ? [] : [expected.outcome.code])];
                assert.ok(allowed.includes(error.code), `${error.code} for a reset connection (${error.message})`);
              } else {
                assert.equal(expected.outcome.ok, false, `rejected with ${error.code} (${error.message}), but the model accepts the reply`);
                if (!expected.outcome.ok) assert.equal(error.code, expected.outcome.code, error.message);
              }
            }
            await within(conversation.closed, 5_000, 'the proxy side of the connection closing');
            assert.deepEqual(conversation.problems, []);
            if (script.closing !== 'rst') {
              assert.equal(conversation.messages.length, expected.messages, 'the client sends its next message only after an acceptable reply');
            }
          } finally {
            socket?.destroy();
          }
        }),
        fuzzParameters(t),
      ),
    );
    t.diagnostic(`socks5 client reply parser: ${FUZZ_RUNS} cases in ${ms} ms (${counter.summary()})`);
    failures.assertNone();
  });

  it(`host names over 255 bytes and location IDs over 189 bytes are refused before any byte is sent (${FUZZ_RUNS} cases)`, async (t) => {
    const longHost = fc.oneof(
      fc.string({ minLength: 256, maxLength: 600, unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789.-') }),
      // Plausible DNS names, padded with one more label where they fall short of 256 bytes.
      fc.array(hostLabel, { minLength: 1, maxLength: 40 }).map((labels) => {
        const host = labels.join('.');
        return host.length > 255 ? host : `${host}.${'x'.repeat(255 - host.length)}`;
      }),
    );
    const longLocation = fc.string({ minLength: 190, maxLength: 400, unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-') });
    const input = fc.oneof(
      fc.record({ host: longHost, locationId: fc.constant(''), field: fc.constant('host') }),
      fc.record({ host: fc.constant('db.virtual'), locationId: longLocation, field: fc.constant('CloudConnectorLocationId') }),
    );
    const before = accepted;
    const ms = await timed(() =>
      fc.assert(
        fc.asyncProperty(input, async ({ host, locationId, field }) => {
          counter.hit(`refused:${field}`);
          await assert.rejects(
            connectSocks5({
              proxy: { host: '127.0.0.1', port },
              token: 'header.payload.signature',
              locationId,
              target: { host, port: 5432 },
              timeoutMs: 2_000,
            }),
            (error: unknown) => isBtpError(error, ErrorCode.InvalidInput) && error.field === field,
          );
        }),
        fuzzParameters(t),
      ),
    );
    // The proxy never even saw a connection: neither the token nor a part of the name went out.
    assert.equal(accepted, before);
    t.diagnostic(`socks5 client field limits: ${FUZZ_RUNS} cases in ${ms} ms, connections opened: ${accepted - before}`);
    failures.assertNone();
  });

  it(`request encoders round-trip every field exactly or refuse it with InvalidInput (${FUZZ_RUNS} cases each)`, async (t) => {
    const anyPort = fc.oneof(fc.integer({ min: 1, max: 65535 }), fc.integer(), fc.double(), fc.constantFrom(0, -1, 65536, Number.NaN, Infinity, 1.5));
    const anyHost = fc.oneof(targetHost, fc.string({ maxLength: 300, unit: 'binary' }), fc.string({ minLength: 250, maxLength: 260, unit: 'binary-ascii' }));
    const ms1 = await timed(() =>
      fc.assert(
        fc.property(anyHost, anyPort, (host, targetPort) => {
          counter.hit('connectRequest');
          let bytes: Buffer;
          try {
            bytes = connectRequest(host, targetPort);
          } catch (error) {
            assert.ok(isBtpError(error, ErrorCode.InvalidInput), `untyped: ${String(error)}`);
            return;
          }
          assert.ok(Number.isInteger(targetPort) && targetPort >= 1 && targetPort <= 65535, `port ${targetPort} was encoded`);
          assert.deepEqual([...bytes.subarray(0, 3)], [0x05, 0x01, 0x00]);
          assert.equal(bytes.readUInt16BE(bytes.length - 2), targetPort);
          if (bytes[3] === 0x01) {
            assert.equal([...bytes.subarray(4, 8)].join('.'), host);
            assert.equal(bytes.length, 10);
          } else {
            assert.equal(bytes[3], 0x03);
            const length = bytes[4] ?? 0;
            assert.ok(length >= 1 && length <= 255);
            assert.equal(bytes.length, 5 + length + 2);
            assert.equal(bytes.subarray(5, 5 + length).toString('latin1'), host, 'the name goes out byte for byte, never mangled');
          }
        }),
        fuzzParameters(t),
      ),
    );
    const ms2 = await timed(() =>
      fc.assert(
        fc.property(jwtLike, fc.string({ maxLength: 260, unit: 'binary' }), (token, location) => {
          counter.hit('authenticationRequest');
          let bytes: Buffer;
          try {
            bytes = authenticationRequest(token, location);
          } catch (error) {
            assert.ok(isBtpError(error, ErrorCode.InvalidInput), `untyped: ${String(error)}`);
            assert.ok(Buffer.from(location, 'utf8').toString('base64').length > 255, 'only an oversized location ID is refused');
            return;
          }
          assert.equal(bytes[0], 0x01);
          assert.equal(bytes.readUInt32BE(1), token.length);
          assert.equal(bytes.subarray(5, 5 + token.length).toString('latin1'), token);
          const length = bytes[5 + token.length] ?? -1;
          const base64 = bytes.subarray(6 + token.length).toString('latin1');
          assert.equal(base64.length, length);
          assert.equal(base64, location === '' ? '' : Buffer.from(location, 'utf8').toString('base64'));
        }),
        fuzzParameters(t),
      ),
    );
    t.diagnostic(`socks5 connectRequest: ${FUZZ_RUNS} cases in ${ms1} ms; authenticationRequest: ${FUZZ_RUNS} cases in ${ms2} ms`);
    failures.assertNone();
  });
});

/** Bytes the returned socket delivers: all of them until FIN, or exactly `expected` when the proxy keeps it open. */
function backendBytes(socket: Socket, expected: number, closing: ClientCase['closing']): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const done = () => resolve(Buffer.concat(chunks, total));
    if (closing === 'open' && expected === 0) return done();
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      total += chunk.length;
      if (closing === 'open' && total >= expected) done();
    });
    socket.once('end', done);
    socket.once('close', done);
    socket.resume();
  });
}

// Counterexamples the fuzzing above found in src/core/connectivity/socks5Client.ts, kept as plain regression tests.
describe('SOCKS5 client regressions found by fuzzing', () => {
  /** A proxy that answers the greeting with `reply` in one piece and then sends FIN. */
  async function withProxy(reply: number[], body: (port: number, connections: () => number) => Promise<void>): Promise<void> {
    let connections = 0;
    const server = createServer({ allowHalfOpen: true }, (socket) => {
      connections++;
      socket.on('error', () => undefined);
      socket.once('data', () => socket.end(Buffer.from(reply)));
      socket.on('end', () => socket.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      await body((server.address() as { port: number }).port, () => connections);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }
  const options = (port: number) => ({ proxy: { host: '127.0.0.1', port }, token: 'a.b.c', target: { host: 'db.virtual', port: 5432 }, timeoutMs: 2_000 });

  it('a CONNECT reply cut short in its bound address is a ProtocolError, not an open tunnel', async () => {
    // Was: `read(6)` at end of stream returned the 2 bytes left and the handshake "succeeded" on a closed socket.
    await withProxy([0x05, 0x80, 0x01, 0x00, 0x05, 0x00, 0x00, 0x01, 0x00, 0x00], async (port) => {
      await assert.rejects(connectSocks5(options(port)), (error: unknown) => isBtpError(error, ErrorCode.ProtocolError));
    });
  });

  it('an authentication reply cut short after one byte is a ProtocolError, not a refused token', async () => {
    // Was: ConnectivityAuthRejected, which makes the TCP forward throw its token away and fetch another.
    await withProxy([0x05, 0x80, 0x01], async (port) => {
      await assert.rejects(connectSocks5(options(port)), (error: unknown) => isBtpError(error, ErrorCode.ProtocolError));
    });
  });

  it('a host name over 255 bytes is refused before the proxy is even contacted', async () => {
    // Was: greeting and JWT went out first; the refusal came only when the CONNECT request was built.
    await withProxy([0x05, 0x80], async (port, connections) => {
      await assert.rejects(connectSocks5({ ...options(port), target: { host: `${'a'.repeat(252)}.virtual`, port: 1 } }), (error: unknown) =>
        isBtpError(error, ErrorCode.InvalidInput),
      );
      assert.equal(connections(), 0);
    });
  });

  it('ports outside 1..65535 and non-ASCII names are InvalidInput, never silently re-encoded', () => {
    // Was: NaN and 0 went out as port 0, 1.5 as port 1, 70000 threw an untyped RangeError, "Ā.virtual" went out as "\0.virtual".
    for (const port of [Number.NaN, 0, 1.5, 70_000, -1]) {
      assert.throws(
        () => connectRequest('db.virtual', port),
        (error: unknown) => isBtpError(error, ErrorCode.InvalidInput),
        String(port),
      );
    }
    assert.throws(
      () => connectRequest('Ā.virtual', 1),
      (error: unknown) => isBtpError(error, ErrorCode.InvalidInput),
    );
    assert.throws(
      () => connectRequest('bücher.virtual', 1),
      (error: unknown) => isBtpError(error, ErrorCode.InvalidInput),
    );
  });
});
