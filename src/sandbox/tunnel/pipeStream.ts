import { constants, type Http2Stream } from 'node:http2';
import { Socket } from 'node:net';
import type { Writable } from 'node:stream';

/**
 * `stream.pipe(target)` for the tunnel's HTTP/2 streams. Node also ends a stream's readable side when the stream
 * is cancelled or its session is torn down (a tunnel cut with a FIN: 'end' with rstCode NGHTTP2_CANCEL, and on
 * the client side not even an 'aborted' event), so a plain pipe ends the target as if the body were complete.
 * Here only a stream that ended with NO_ERROR (or is still open) ends the target; a cut one destroys it, with a
 * RST for TCP sockets, so that nobody takes a truncated body or byte stream for a finished one.
 */
export function pipeStream(stream: Http2Stream, target: Writable): void {
  let ended = false;
  stream.pipe(target, { end: false });
  stream.once('end', () => {
    ended = true;
    if (stream.rstCode === undefined || stream.rstCode === constants.NGHTTP2_NO_ERROR) target.end();
    else cutOff(target);
  });
  stream.once('close', () => {
    if (!ended) cutOff(target);
  });
}

/** Ends `target` as broken, not finished: a RST for a TCP socket whose FIN is not on its way yet, else a destroy. */
export function cutOff(target: Writable): void {
  if (target.destroyed) return;
  if (target instanceof Socket && !target.writableEnded) {
    try {
      target.resetAndDestroy();
      return;
    } catch {
      // A TLS socket has no TCP handle to reset: a plain destroy still tells the peer nothing more comes.
    }
  }
  target.destroy();
}
