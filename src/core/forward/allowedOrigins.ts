import { BtpError, ErrorCode } from '../errors';

/**
 * Browser origins besides the forward's own whose requests a forward accepts: dev servers whose proxies
 * (ui5-middleware-simpleproxy, fiori-tools-proxy, Vite, webpack-dev-server) pass the page's `Origin` on with every
 * write. Exact origins, or a loopback host with any port (`http://localhost:*`), never a wildcard host: see
 * docs/security.md for why a port wildcard is acceptable for loopback only.
 */
export class OriginAllowList {
  private readonly exact = new Set<string>();
  /** `http://localhost` for `http://localhost:*`. */
  private readonly anyPort = new Set<string>();

  constructor(entries: readonly string[] = [], field = 'allowedOrigins') {
    this.add(entries, field);
  }

  get size(): number {
    return this.exact.size + this.anyPort.size;
  }

  /** Adds origins (validated first: nothing is added when one is wrong). */
  add(entries: readonly string[], field = 'allowedOrigins'): void {
    const parsed = entries.map((entry) => parseAllowedOrigin(entry, field));
    for (const origin of parsed) (origin.anyPort ? this.anyPort : this.exact).add(origin.origin);
  }

  /** Replaces every origin (a changed setting). */
  replace(entries: readonly string[], field = 'allowedOrigins'): void {
    const next = new OriginAllowList(entries, field);
    this.exact.clear();
    this.anyPort.clear();
    for (const origin of next.exact) this.exact.add(origin);
    for (const origin of next.anyPort) this.anyPort.add(origin);
  }

  /** `origin` as the browser sent it, lower-cased. */
  allows(origin: string): boolean {
    if (this.exact.has(origin)) return true;
    if (this.anyPort.size === 0) return false;
    const colon = origin.lastIndexOf(':');
    return colon > 'https://'.length && /^\d{1,5}$/.test(origin.slice(colon + 1)) && this.anyPort.has(origin.slice(0, colon));
  }
}

/** One allow-list entry: `http(s)://host[:port]`, or `http(s)://<loopback>:*`. */
export function parseAllowedOrigin(entry: string, field: string): { readonly origin: string; readonly anyPort: boolean } {
  const text = entry.trim().toLowerCase();
  const wildcard = /^(https?:\/\/(?:localhost|127\.0\.0\.1|\[::1\])):\*$/.exec(text);
  if (wildcard?.[1]) return { origin: wildcard[1], anyPort: true };
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  const fix = `write it as the browser's address bar shows the dev server, e.g. "http://localhost:8080"`;
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new BtpError(ErrorCode.InvalidInput, `${field}: "${entry}" is no http(s) origin; ${fix}.`, { field });
  }
  if (text.includes('*')) {
    throw new BtpError(
      ErrorCode.InvalidInput,
      `${field}: "${entry}" has a wildcard; only a loopback host may take any port ("http://localhost:*"), other origins must be exact.`,
      { field },
    );
  }
  if (url.origin !== text.replace(/\/$/, '') || url.username || url.password) {
    throw new BtpError(ErrorCode.InvalidInput, `${field}: "${entry}" is not an origin (no path, query or user): ${fix}.`, { field });
  }
  return { origin: url.origin, anyPort: false };
}
