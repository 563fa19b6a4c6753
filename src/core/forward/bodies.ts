import type { IncomingMessage, ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import type { BodyCapture } from '../inspect/capture';

/** Request and response bodies on their way through an HTTP forward: counted, captured for the inspector, streamed. */

const requestBytes = new WeakMap<IncomingMessage, number>();

/**
 * The request body as the upstream reads it, counted on the way. An async iterable, not a stream: with a stream
 * body undici 7 reports a failure twice when the upstream fails while the body is still flowing, and the second
 * report throws outside any handler (a crashed process).
 */
export async function* countingBody(req: IncomingMessage, capture?: BodyCapture): AsyncGenerator<Buffer> {
  for await (const chunk of req as AsyncIterable<Buffer>) {
    requestBytes.set(req, (requestBytes.get(req) ?? 0) + chunk.length);
    capture?.add(chunk);
    yield chunk;
  }
}

/** `res` for an exchange's body (ExchangeHandler), keeping the first bytes of the body for the traffic inspector on the way. */
export function teeInto(res: ServerResponse, capture: BodyCapture): Writable {
  const tee = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      capture.add(chunk);
      if (res.write(chunk)) callback();
      else res.once('drain', () => callback());
    },
    final(callback) {
      res.end(() => callback());
    },
    destroy(error, callback) {
      if (!res.writableFinished) res.destroy(error ?? undefined);
      callback(error);
    },
  });
  res.once('close', () => {
    if (!res.writableFinished) tee.destroy();
  });
  return tee;
}

/** Request body bytes the upstream has read so far. */
export function requestBodyBytes(req: IncomingMessage): number {
  return requestBytes.get(req) ?? 0;
}

export function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
}
