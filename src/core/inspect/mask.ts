import { isSecretHeader, isSecretKey, redactText } from '../redact';
import type { HeaderList } from './types';

/**
 * Masking for what the traffic inspector shows and exports. Unlike log redaction there is no fingerprint: a short
 * hash of a Basic header would let anyone with the HAR file test password guesses offline.
 */
export const MASK = '******';

/**
 * `Basic ******`, `Bearer ******`: the scheme says which credential was there, nothing of it is left. Other
 * headers are kept as they are here (a name lookup per header is all a recorded request pays) and scrubbed of
 * tokens when they are read (`scrubHeaders`).
 */
export function maskSecretHeaderValue(name: string, value: string): string {
  if (!isSecretHeader(name)) return value;
  // Which cookies a session holds helps when a CSRF flow fails; their values are the session itself.
  const lower = name.toLowerCase();
  if (lower === 'cookie')
    return value
      .split(';')
      .map((pair) => `${pair.split('=', 1)[0]?.trim() ?? ''}=${MASK}`)
      .join('; ');
  if (lower === 'set-cookie') {
    const [pair = '', ...attributes] = value.split(';');
    return [`${pair.split('=', 1)[0]?.trim() ?? ''}=${MASK}`, ...attributes.map((attribute) => attribute.trim())].join('; ');
  }
  const scheme = /^(Basic|Bearer|Negotiate|Digest|SAML2\.0)\s/i.exec(value);
  return scheme ? `${scheme[1]} ${MASK}` : MASK;
}

export function maskHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): HeaderList {
  const out: [string, string][] = [];
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    if (typeof value === 'string') out.push([lower, maskSecretHeaderValue(lower, value)]);
    else for (const item of value) out.push([lower, maskSecretHeaderValue(lower, item)]);
  }
  return out;
}

/** Raw header pairs (`req.rawHeaders`) in the order the client sent them. */
export function maskRawHeaders(raw: readonly string[]): HeaderList {
  const out: [string, string][] = [];
  for (let index = 0; index + 1 < raw.length; index += 2) {
    const name = (raw[index] as string).toLowerCase();
    out.push([name, maskSecretHeaderValue(name, raw[index + 1] as string)]);
  }
  return out;
}

/** Tokens, keys and JWTs in the values of ordinary headers (`X-My-Token: eyJ…`), scrubbed for display. */
export function scrubHeaders(headers: HeaderList): HeaderList {
  return headers.map(([name, value]) => [name, value.includes(MASK) ? value : redactText(value)]);
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
