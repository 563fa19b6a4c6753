import { createHash } from 'node:crypto';

/**
 * Redaction for anything that might reach a log, an error or a UI: header maps, JSON-ish objects, URLs and
 * free text. A redacted value keeps its length and a short hash so two log lines can still be correlated.
 */

const secretHeaderNames = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-csrf-token',
  'x-user-token',
  'x-refresh-token',
  'x-code',
  'x-code-verifier',
  'x-subject-token',
  'x-actor-token',
  'x-client-assertion',
  'x-samlassertion',
  'sap-connectivity-authentication',
  'sap-connectivity-technical-authentication',
]);

const secretKeyNames = new Set(
  [
    'password',
    'passwd',
    'clientsecret',
    'client_secret',
    'secret',
    'token',
    'access_token',
    'refresh_token',
    'id_token',
    'assertion',
    'code',
    'code_verifier',
    'key',
    'privatekey',
    'passphrase',
    'tokenservicepassword',
    'keystorepassword',
    'truststorepassword',
    'value',
    'authorization',
  ].map((name) => name.toLowerCase()),
);

export function fingerprint(value: string): string {
  return `***(len=${value.length}, sha256:${createHash('sha256').update(value).digest('hex').slice(0, 8)})`;
}

/** True for property names that hold secrets, e.g. `Password`, `clientSecret`, `mail.password`, `jco.client.passwd`. */
export function isSecretKey(name: string): boolean {
  const lower = name.toLowerCase();
  const last = lower.slice(lower.lastIndexOf('.') + 1);
  return secretKeyNames.has(lower) || secretKeyNames.has(last) || lower.endsWith('password') || lower.endsWith('secret');
}

export function isSecretHeader(name: string): boolean {
  return secretHeaderNames.has(name.toLowerCase());
}

/** Deep copy of a JSON-like value with secret-named properties replaced by fingerprints. */
export function redactObject(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactObject);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] = isSecretKey(key) && typeof inner === 'string' ? fingerprint(inner) : redactObject(inner);
  }
  return out;
}

const jwtPattern = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
// A credential has a digit or a token symbol, or is long: "Basic authentication" stays prose.
const bearerPattern = /\b(Bearer|Basic)\s+((?=[A-Za-z._~+/-]*[0-9+/._~=-])[A-Za-z0-9._~+/-]{8,}=*|[A-Za-z0-9._~+/-]{24,}=*)/gi;
const userinfoPattern = /\b([a-z][a-z0-9+.-]*:\/\/)([^/@\s:]+)(:[^/@\s]*)?@/gi;
const queryTokenPattern =
  /((?:^|[?&\s])(?:access_token|refresh_token|id_token|token|client_secret|client_assertion|assertion|subject_token|actor_token|password|code|code_verifier)=)([^&#\s]+)/gi;
const pemPattern = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g;

/** Best-effort scrub of free text (error messages, child-process stderr) before it is logged or shown. */
export function redactText(text: string): string {
  return text
    .replace(pemPattern, '[private key redacted]')
    .replace(jwtPattern, (jwt) => fingerprint(jwt))
    .replace(bearerPattern, (_all, scheme: string, token: string) => `${scheme} ${fingerprint(token)}`)
    .replace(userinfoPattern, (_all, scheme: string) => `${scheme}***@`)
    .replace(queryTokenPattern, (_all, name: string, token: string) => `${name}${fingerprint(decodeURIComponentSafe(token))}`);
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
