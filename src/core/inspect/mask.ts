import { isSecretHeader, isSecretKey, redactText } from '../redact';
import type { HeaderList } from './types';

/**
 * Masking for what the traffic inspector shows and exports. Unlike log redaction there is no fingerprint: a short
 * hash of a Basic header would let anyone with the HAR file test password guesses offline.
 */
export const MASK = '******';

/** `Basic ******`, `Bearer ******`: the scheme says which credential was there, nothing of it is left. */
export function maskHeaderValue(name: string, value: string): string {
  if (!isSecretHeader(name)) return redactText(value);
  const scheme = /^(Basic|Bearer|Negotiate|Digest|SAML2\.0)\s/i.exec(value);
  return scheme ? `${scheme[1]} ${MASK}` : MASK;
}

export function maskHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): HeaderList {
  const out: [string, string][] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) out.push([name.toLowerCase(), maskHeaderValue(name, item)]);
  }
  return out;
}

/** Raw header pairs (`req.rawHeaders`) in the order the client sent them. */
export function maskRawHeaders(raw: readonly string[]): HeaderList {
  const out: [string, string][] = [];
  for (let index = 0; index + 1 < raw.length; index += 2) {
    const name = (raw[index] as string).toLowerCase();
    out.push([name, maskHeaderValue(name, raw[index + 1] as string)]);
  }
  return out;
}

/** A path with query: secret-named query values masked (`?access_token=…`, `?password=…`). */
export function maskPath(path: string): string {
  const queryStart = path.indexOf('?');
  if (queryStart < 0) return path;
  const query = path
    .slice(queryStart + 1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      if (equals < 0) return pair;
      const name = decodeSafe(pair.slice(0, equals));
      return isSecretKey(name) ? `${pair.slice(0, equals)}=${MASK}` : pair;
    })
    .join('&');
  return `${path.slice(0, queryStart)}?${query}`;
}

/**
 * A body as text to show: JSON and form bodies with secret-named values masked (token responses, password
 * grants), other text scrubbed of tokens, keys and JWTs.
 */
export function maskBodyText(text: string, contentType: string | undefined): string {
  const type = (contentType ?? '').toLowerCase();
  if (type.includes('json')) {
    try {
      return JSON.stringify(maskJson(JSON.parse(text) as unknown), null, 2);
    } catch {
      // Cut off at the size limit, or not JSON after all: scrub it as text.
    }
  }
  if (type.includes('application/x-www-form-urlencoded')) return maskPath(`?${text}`).slice(1);
  return redactText(text);
}

function maskJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskJson);
  if (typeof value !== 'object' || value === null) return typeof value === 'string' ? redactText(value) : value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) out[key] = isSecretKey(key) && typeof inner === 'string' ? MASK : maskJson(inner);
  return out;
}

function decodeSafe(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}
