/** Headers as pairs in the order seen; names lower-case. */
export type HeaderList = readonly (readonly [string, string])[];

/**
 * What the forward injected into an exchange (its credential, `URL.headers.*`, `URL.queries.*`), masked out of a
 * recording: the forward knows the values, the recorder only applies them.
 */
export interface InjectedMask {
  url(url: string): string;
  headers(headers: HeaderList): HeaderList;
  text(text: string): string;
}

/** A body as far as it was kept: text when it decodes as UTF-8 text, base64 otherwise. */
export interface CapturedBody {
  /** Bytes the body had in all, kept or not. */
  readonly size: number;
  readonly truncated: boolean;
  readonly text?: string;
  readonly base64?: string;
}

/** The list row of one exchange: what the inspector shows without asking for details. */
export interface TrafficSummary {
  readonly id: number;
  /** Epoch milliseconds when the request arrived. */
  readonly startedAt: number;
  /** The destination (for a one-port forward, the one this request picked). */
  readonly destination: string;
  readonly method: string;
  /** Local path with query, below the destination (secret query values masked). */
  readonly path: string;
  readonly status: number;
  readonly durationMs: number;
  /** Request body bytes from the client, response bytes to it. */
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** The forward's own error code, when it failed the request itself. */
  readonly error?: string;
}

/** One exchange with everything the forward saw, secrets masked. */
export interface TrafficEntry extends TrafficSummary {
  /** As the client sent them. */
  readonly requestHeaders: HeaderList;
  /** Where the request went (origin and path; through the connectivity proxy for OnPremise). */
  readonly upstreamUrl?: string;
  /** As they went upstream: the destination's credentials show as masked values. */
  readonly upstreamHeaders?: HeaderList;
  readonly responseHeaders?: HeaderList;
  /** Only when bodies are recorded (off by default). */
  readonly requestBody?: CapturedBody;
  readonly responseBody?: CapturedBody;
}
