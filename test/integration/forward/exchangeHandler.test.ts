import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough, Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { Pool } from 'undici';
import { ExchangeHandler } from '../../../src/core/forward/exchangeHandler';

// The undici handler every HTTP forward request goes through: abort before the request went out, a client that
// leaves mid-body, backpressure, and an answer swallowed for a retry; against a real loopback upstream.

describe('ExchangeHandler', () => {
  let server: Server;
  let pool: Pool;
  let requests = 0;
  /** The upstream's side of every /slow answer, to see it cut. */
  const slowAnswers: ServerResponse[] = [];
  const mib = Buffer.alloc(1024 * 1024, 0x62);

  before(async () => {
    server = createServer((req, res) => {
      requests++;
      req.resume();
      if (req.url === '/slow') {
        // Half a body, then nothing: the exchange stays open until somebody cuts it.
        res.writeHead(200, { 'content-length': '10' });
        res.write('12345');
        slowAnswers.push(res);
        return;
      }
      res.writeHead(200, { 'content-length': String(mib.length) });
      res.end(mib);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    pool = new Pool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });

  after(async () => {
    await pool.close();
    server.closeAllConnections();
    server.close();
  });

  it('an abort before undici started the request fails it without sending it', async () => {
    const before = requests;
    const handler = new ExchangeHandler(() => assert.fail('no head expected'));
    handler.abort();
    pool.dispatch({ method: 'GET', path: '/mib' }, handler);
    await assert.rejects(handler.done, { code: 'UND_ERR_ABORTED' });
    // A second exchange on the same pool goes through: the aborted one reached nobody in between.
    const chunks: Buffer[] = [];
    const ok = new ExchangeHandler(
      () =>
        new Writable({
          write: (chunk: Buffer, _encoding, callback) => {
            chunks.push(chunk);
            callback();
          },
        }),
    );
    pool.dispatch({ method: 'GET', path: '/mib' }, ok);
    await ok.done;
    assert.equal(requests, before + 1);
    assert.equal(Buffer.concat(chunks).length, mib.length);
  });

  it('writes a large body through a slow client with backpressure and settles once the client has it all', async () => {
    // highWaterMark 1: every write asks for a drain, so the upstream body must pause and resume to get through.
    const sink = new PassThrough({ highWaterMark: 1 });
    let received = 0;
    let pauses = 0;
    sink.on('data', (chunk: Buffer) => {
      received += chunk.length;
      sink.pause();
      pauses++;
      setImmediate(() => sink.resume());
    });
    const handler = new ExchangeHandler((status) => {
      assert.equal(status, 200);
      return sink;
    });
    pool.dispatch({ method: 'GET', path: '/mib' }, handler);
    await handler.done;
    assert.equal(received, mib.length);
    assert.ok(pauses > 1);
  });

  it('a client that leaves mid-body cuts the upstream exchange and fails it', async () => {
    const sink = new PassThrough();
    sink.resume();
    const handler = new ExchangeHandler(() => {
      // The client goes away once the head is in, as a browser tab closed mid-download would.
      setImmediate(() => sink.destroy());
      return sink;
    });
    pool.dispatch({ method: 'GET', path: '/slow' }, handler);
    const cut = handler.done.then(
      () => 'resolved',
      () => 'rejected',
    );
    // Nothing more comes from the upstream: only the handler's own abort (from the forward, on the client's
    // 'close') can end this exchange.
    await once(sink, 'close');
    handler.abort();
    assert.equal(await cut, 'rejected');
    const upstream = slowAnswers.at(-1) as ServerResponse;
    if (!upstream.socket?.destroyed) await once(upstream, 'close');
    assert.equal(upstream.writableFinished, false);
  });

  it('an answer swallowed (no writable from the head) settles when it has been read, so a retry can follow', async () => {
    let heads = 0;
    const handler = new ExchangeHandler(() => {
      heads++;
      return undefined;
    });
    pool.dispatch({ method: 'GET', path: '/mib' }, handler);
    await handler.done;
    assert.equal(heads, 1);
  });

  it('a head handler that throws fails the exchange with its error', async () => {
    const refusal = new Error('refused by the head');
    const handler = new ExchangeHandler(() => {
      throw refusal;
    });
    pool.dispatch({ method: 'GET', path: '/mib' }, handler);
    await assert.rejects(handler.done, refusal);
  });
});
