import { isSecretHeader } from '../redact';
import { MASK } from './mask';
import type { HeaderList, TrafficEntry } from './types';

/**
 * Exports of recorded exchanges. Requests are replayed against the local forward (`base`), which injects the
 * destination's credentials again: an export needs no secret, and holds none (masked headers are left out).
 */

/** Headers a replay must not send: the forward sets them (or the client library does). */
const notReplayed = new Set(['host', 'content-length', 'connection', 'keep-alive', 'transfer-encoding', 'te', 'upgrade', 'proxy-connection']);

function replayHeaders(headers: HeaderList): HeaderList {
  return headers.filter(([name, value]) => !notReplayed.has(name) && !isSecretHeader(name) && !value.includes(MASK));
}

function replayBody(entry: TrafficEntry): string | undefined {
  const body = entry.requestBody;
  if (!body?.text || body.truncated) return undefined;
  return body.text;
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** `curl` against the forward; a body that was not recorded in full is left out, with a note. */
export function toCurl(entry: TrafficEntry, base: string): string {
  const parts = ['curl', '-i'];
  if (entry.method !== 'GET') parts.push('-X', entry.method);
  for (const [name, value] of replayHeaders(entry.requestHeaders)) parts.push('-H', shellQuote(`${name}: ${value}`));
  const body = replayBody(entry);
  if (body !== undefined) parts.push('--data-binary', shellQuote(body));
  parts.push(shellQuote(`${base}${entry.path}`));
  const note = entry.requestBody && body === undefined ? `# the request body (${entry.requestBody.size} bytes) was not recorded in full\n` : '';
  return `${note}${parts.join(' ')}`;
}

/** A request for `.http` files (VS Code REST Client, JetBrains HTTP Client), one `###` block per exchange. */
export function toHttpFile(entries: readonly TrafficEntry[], base: string): string {
  const blocks = entries.map((entry) => {
    const lines = [`### ${entry.method} ${entry.path} → ${entry.status}`, `${entry.method} {{base}}${entry.path} HTTP/1.1`];
    for (const [name, value] of replayHeaders(entry.requestHeaders)) lines.push(`${name}: ${value}`);
    const body = replayBody(entry);
    if (body !== undefined) lines.push('', body);
    return lines.join('\n');
  });
  return `@base = ${base}\n\n${blocks.join('\n\n')}\n`;
}

/** HAR 1.2 of the exchanges as the client saw them at `base`; masked values stay masked. */
export function toHar(entries: readonly TrafficEntry[], base: string, creatorVersion: string): string {
  return toHarOf([{ entries, base }], creatorVersion);
}

/** One HAR for the exchanges of several forwards (each at its own address), in the order they started. */
export function toHarOf(groups: readonly { readonly entries: readonly TrafficEntry[]; readonly base: string }[], creatorVersion: string): string {
  const entries = groups.flatMap(({ entries: list, base }) => list.map((entry) => ({ startedAt: entry.startedAt, har: harEntry(entry, base) })));
  entries.sort((a, b) => a.startedAt - b.startedAt);
  const har = { log: { version: '1.2', creator: { name: 'BTP Connect', version: creatorVersion }, entries: entries.map((entry) => entry.har) } };
  return JSON.stringify(har, null, 2);
}

function harEntry(entry: TrafficEntry, base: string) {
  const url = new URL(`${base}${entry.path}`);
  const requestType = headerOf(entry.requestHeaders, 'content-type');
  const responseType = headerOf(entry.responseHeaders ?? [], 'content-type');
  return {
    startedDateTime: new Date(entry.startedAt).toISOString(),
    time: entry.durationMs,
    request: {
      method: entry.method,
      url: url.toString(),
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: harHeaders(entry.requestHeaders),
      queryString: [...url.searchParams].map(([name, value]) => ({ name, value })),
      ...(entry.requestBody?.text !== undefined ? { postData: { mimeType: requestType ?? '', text: entry.requestBody.text } } : {}),
      headersSize: -1,
      bodySize: entry.bytesIn,
    },
    response: {
      status: entry.status,
      statusText: '',
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: harHeaders(entry.responseHeaders ?? []),
      content: {
        size: entry.responseBody?.size ?? -1,
        mimeType: responseType ?? '',
        ...(entry.responseBody?.text !== undefined ? { text: entry.responseBody.text } : {}),
        ...(entry.responseBody?.base64 !== undefined ? { text: entry.responseBody.base64, encoding: 'base64' } : {}),
        ...(entry.responseBody?.truncated ? { comment: 'truncated by the recorder' } : {}),
      },
      redirectURL: headerOf(entry.responseHeaders ?? [], 'location') ?? '',
      headersSize: -1,
      bodySize: entry.bytesOut,
    },
    cache: {},
    timings: { send: 0, wait: entry.durationMs, receive: 0 },
    ...(entry.upstreamUrl ? { comment: `upstream: ${entry.upstreamUrl}` } : {}),
  };
}

function harHeaders(headers: HeaderList): { name: string; value: string }[] {
  return headers.map(([name, value]) => ({ name, value }));
}

function headerOf(headers: HeaderList, wanted: string): string | undefined {
  return headers.find(([name]) => name === wanted)?.[1];
}
