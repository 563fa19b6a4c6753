import type { IncomingHttpHeaders } from 'node:http';
import type { Writable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { errors } from '../http/undici';

/**
 * Where an answer's body goes, decided when its head arrives: a writable (the client's response, or a tee for the
 * traffic inspector), or undefined to swallow it (an answer dropped to retry with a fresh credential). Throwing
 * fails the exchange with that error.
 */
export type HeadHandler = (statusCode: number, headers: IncomingHttpHeaders) => Writable | undefined;

/**
 * One upstream exchange through undici's `dispatch`, its body written straight into the writable the head picked,
 * with backpressure. Not `dispatcher.stream()`: its handler (an AsyncResource, a signal listener and a writable
 * lifecycle tracker per request) keeps each exchange reachable long enough that V8 promotes ~1.4 KB a request to
 * the old generation (`--trace-gc-nvp`: 1,510 bytes a request with stream(), 168 with this handler), and the
 * full collections that follow stall every connection of the forward: the p99 and the round-to-round spread of
 * the benchmark (bench/README.md).
 */
export class ExchangeHandler implements Dispatcher.DispatchHandler {
  /** Settles once the body has been handed to the client (or the exchange failed). */
  readonly done: Promise<void>;
  private resolve!: () => void;
  private reject!: (error: Error) => void;
  private controller: Dispatcher.DispatchController | undefined;
  /** An abort that came before undici started the request. */
  private pendingAbort: Error | undefined;
  private sink: Writable | undefined;
  private settled = false;

  constructor(private readonly onHead: HeadHandler) {
    this.done = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  /** Cancels the exchange (client gone, head timeout); the caller decides what the failure means. */
  abort(reason: Error = new errors.RequestAbortedError()): void {
    if (this.controller) this.controller.abort(reason);
    else this.pendingAbort ??= reason;
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.pendingAbort) controller.abort(this.pendingAbort);
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    // 1xx (100 Continue, 103 Early Hints) are undici's business: the client gets the final answer.
    if (statusCode < 200) return;
    const sink = this.onHead(statusCode, headers);
    if (!sink) return;
    this.sink = sink;
    sink.on('drain', () => controller.resume());
    if (sink.writableNeedDrain) controller.pause();
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    const sink = this.sink;
    if (!sink) return;
    // The client is gone: stop reading the upstream's body rather than discard it.
    if (sink.destroyed) return controller.abort(new errors.RequestAbortedError());
    if (!sink.write(chunk)) controller.pause();
  }

  onResponseEnd(): void {
    const sink = this.sink;
    if (!sink) return this.settle();
    if (sink.destroyed) return this.settle(sink.writableFinished ? undefined : new errors.RequestAbortedError());
    // Done when the client's response is complete; a client that left before that fails the exchange.
    sink.once('close', () => this.settle(sink.writableFinished ? undefined : new errors.RequestAbortedError()));
    sink.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController | null, error: Error): void {
    // Without the error: a tee for the inspector has no 'error' listener, and the client learns of it either way.
    if (this.sink && !this.sink.destroyed) this.sink.destroy();
    this.settle(error);
  }

  private settle(error?: Error): void {
    if (this.settled) return;
    this.settled = true;
    if (error) this.reject(error);
    else this.resolve();
  }
}
