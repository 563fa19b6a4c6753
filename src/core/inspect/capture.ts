import type { IncomingMessage } from 'node:http';
import { TextDecoder } from 'node:util';
import { maskBodyText, maskHeaders, maskPath, maskRawHeaders } from './mask';
import type { TrafficLog } from './trafficLog';
import type { CapturedBody, HeaderList, InjectedMask, TrafficEntry } from './types';

/** What a forward reports about an exchange when it ends (its `Exchange`, as far as the capture needs it). */
export interface ExchangeOutcome {
  readonly method: string;
  readonly status: number;
  readonly durationMs: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly error?: string;
}

/**
 * Collects one exchange for a `TrafficLog` while the forward handles it. Only created while somebody inspects
 * the forward: a forward without a log pays for nothing of this.
 */
export class ExchangeCapture {
  private readonly startedAt = Date.now();
  private readonly requestHeaders: HeaderList;
  private upstreamUrl: string | undefined;
  private upstreamHeaders: HeaderList | undefined;
  private responseHeaders: HeaderList | undefined;
  private responseType: string | undefined;
  private injected: InjectedMask | undefined;
  readonly requestBody: BodyCapture | undefined;
  readonly responseBody: BodyCapture | undefined;

  constructor(
    private readonly log: TrafficLog,
    req: IncomingMessage,
    private readonly destination: string,
  ) {
    this.requestHeaders = maskRawHeaders(req.rawHeaders);
    if (log.bodies) {
      this.requestBody = new BodyCapture(log.bodyLimit);
      this.responseBody = new BodyCapture(log.bodyLimit);
    }
  }

  /**
   * What went upstream; called again for a retry, which then is what counts. `injected` masks what the forward
   * added (F3): by name in these headers and the URL, by value in the response and bodies recorded later.
   */
  upstream(url: string, headers: Readonly<Record<string, string | string[]>>, injected: InjectedMask): void {
    this.injected = injected;
    this.upstreamUrl = injected.url(url);
    this.upstreamHeaders = injected.headers(maskHeaders(headers));
  }

  response(headers: Readonly<Record<string, string | string[] | undefined>>): void {
    const masked = maskHeaders(headers);
    this.responseHeaders = this.injected ? this.injected.headers(masked) : masked;
    const type = headers['content-type'];
    this.responseType = Array.isArray(type) ? type[0] : type;
  }

  /** Ends the capture with the forward's report; `path` is the local path below the destination. */
  finish(path: string, outcome: ExchangeOutcome, destination = this.destination): void {
    const requestType = this.requestHeaders.find(([name]) => name === 'content-type')?.[1];
    const entry: TrafficEntry = {
      id: this.log.takeId(),
      startedAt: this.startedAt,
      destination,
      method: outcome.method,
      path: maskPath(path),
      status: outcome.status,
      durationMs: outcome.durationMs,
      bytesIn: outcome.bytesIn,
      bytesOut: outcome.bytesOut,
      ...(outcome.error ? { error: outcome.error } : {}),
      requestHeaders: this.requestHeaders,
      ...(this.upstreamUrl ? { upstreamUrl: maskPath(this.upstreamUrl) } : {}),
      ...(this.upstreamHeaders ? { upstreamHeaders: this.upstreamHeaders } : {}),
      ...(this.responseHeaders ? { responseHeaders: this.responseHeaders } : {}),
      ...(this.requestBody && this.requestBody.size > 0 ? { requestBody: this.requestBody.result(requestType, this.injected) } : {}),
      ...(this.responseBody && this.responseBody.size > 0 ? { responseBody: this.responseBody.result(this.responseType, this.injected) } : {}),
    };
    this.log.add(entry);
  }
}

/** The first `limit` bytes of a body, and how many there were in all. */
export class BodyCapture {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  size = 0;

  constructor(private readonly limit: number) {}

  add(chunk: Buffer): void {
    this.size += chunk.length;
    if (this.kept >= this.limit) return;
    const part = chunk.length <= this.limit - this.kept ? chunk : chunk.subarray(0, this.limit - this.kept);
    // A copy: the chunk's memory belongs to the stream and may be reused after this call.
    this.chunks.push(Buffer.from(part));
    this.kept += part.length;
  }

  result(contentType: string | undefined, injected?: InjectedMask): CapturedBody {
    const bytes = Buffer.concat(this.chunks);
    const truncated = this.size > this.kept;
    const text = decodeText(bytes, truncated);
    if (text !== undefined) {
      const masked = maskBodyText(text, contentType);
      return { size: this.size, truncated, text: injected ? injected.text(masked) : masked };
    }
    return { size: this.size, truncated, base64: bytes.toString('base64') };
  }
}

/** UTF-8 text without control bytes, else undefined; a cut-off body may end inside a character. */
function decodeText(bytes: Buffer, truncated: boolean): string | undefined {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(truncated ? trimPartialCharacter(bytes) : bytes);
    // eslint-disable-next-line no-control-regex
    return /[\u0000-\u0008\u000e-\u001f]/.test(text) ? undefined : text;
  } catch {
    return undefined;
  }
}

function trimPartialCharacter(bytes: Buffer): Buffer {
  let end = bytes.length;
  // Step back over continuation bytes (10xxxxxx) to the lead byte of a possibly incomplete character.
  let back = 0;
  while (end - back - 1 >= 0 && back < 3 && ((bytes[end - back - 1] as number) & 0xc0) === 0x80) back++;
  const lead = bytes[end - back - 1];
  if (lead === undefined || lead < 0xc0) return bytes;
  const needed = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
  if (back + 1 < needed) end -= back + 1;
  return bytes.subarray(0, end);
}
