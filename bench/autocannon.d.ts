// The slice of autocannon 8's programmatic API the bench uses (the package ships no types).
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  interface Options {
    readonly url: string;
    readonly connections?: number;
    /** Seconds. */
    readonly duration?: number;
    /** Reconnect after this many requests per connection (1 = a new connection per request). */
    readonly reconnectRate?: number;
    /** Seconds. */
    readonly timeout?: number;
    readonly setupClient?: (client: Client) => void;
  }

  /** One connection's client; emits 'headers' ({ statusCode }) and 'response' (status, bytes, ms). */
  type Client = EventEmitter;

  interface Result {
    /** Seconds. */
    readonly duration: number;
    readonly errors: number;
    readonly timeouts: number;
    readonly non2xx: number;
    readonly '2xx': number;
    readonly requests: { readonly total: number; readonly sent: number };
    readonly throughput: { readonly total: number };
  }

  function autocannon(options: Options): Promise<Result>;
  export default autocannon;
}
