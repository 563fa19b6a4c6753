import { createHash } from 'node:crypto';
import type { ServiceBinding } from '../bindings/types';
import type { Logger } from '../log';
import { keptTokensKey, type ConnectionPart } from '../secrets/secretKeys';
import type { SecretStore } from '../secrets/secretStore';
import { isFreshToken } from './tokenCache';
import type { AccessToken } from './tokenRequest';

/**
 * Where a binding's client-credentials tokens outlive the process that fetched them. Every `btp-connect` command is
 * a new process: without this it fetches a token first (a handshake and a request to the token service, 2–3 round
 * trips) although the one the previous command got is valid for hours.
 */
export interface TokenKeeper {
  /** The kept token for `key`, if it is fresh and was issued to the binding as it is now. */
  take(key: string): Promise<AccessToken | undefined>;
  /** Keeps `token` for `key`; never fails the caller (a keychain that refuses means the next process fetches). */
  keep(key: string, token: AccessToken): void;
  /** Forgets the kept token for `key` when it is `token` (the service refused it). */
  forget(key: string, token: AccessToken): void;
}

/** The kept tokens of a connection as its clients see them: a keeper per part, and the writes to wait for on close. */
export interface TokenKeeping {
  forPart(part: KeptPart, binding: ServiceBinding): TokenKeeper;
  written(): Promise<void>;
}

type KeptPart = Extract<ConnectionPart, 'destination' | 'connectivity'>;

/** Keeps the tokens of a saved connection's parts in its secret store; one value for all parts (one keychain read). */
export function keepTokensIn(secrets: SecretStore, connection: string, logger?: Logger): TokenKeeping {
  return new KeptTokens(secrets, connection, logger ? { logger } : {});
}

interface KeptFile {
  readonly version: 1;
  readonly parts: Partial<Record<KeptPart, KeptPartEntry>>;
}

interface KeptPartEntry {
  /** Which credentials the tokens were issued to (a hash: the value sits in the keychain beside the secret itself). */
  readonly issuedTo: string;
  readonly tokens: Record<string, KeptToken>;
}

type KeptToken = Pick<AccessToken, 'accessToken' | 'tokenType' | 'expiresIn' | 'expiresAt' | 'scope'>;

/**
 * At most this many tenants' tokens per part (the provider and the subscriber last acted for), and at most this
 * many characters in all: a keychain may have a small quota (Linux's kernel keyring: 20,000 bytes per user).
 */
const maxKept = 2;
const maxChars = 10_000;

/**
 * The client-credentials tokens of a saved connection (Destination and connectivity service), as one JSON value in
 * the connection's secret store next to the client secrets that could mint them anyway: keeping them there exposes
 * nothing new. Only client-credentials tokens are kept (no user's token, no refresh token). A token issued to other
 * credentials (a key was replaced) or about to expire is never returned.
 */
export class KeptTokens implements TokenKeeping {
  private readonly key;
  private loaded: Promise<Map<KeptPart, KeptPartEntry>> | undefined;
  private writing: Promise<void> = Promise.resolve();
  /** Tokens the service refused, known at once: the retry after a 401 must not take one while its removal is written. */
  private readonly refused = new Set<string>();

  constructor(
    private readonly secrets: SecretStore,
    connection: string,
    private readonly options: { readonly logger?: Logger; readonly now?: () => number } = {},
  ) {
    this.key = keptTokensKey(connection);
  }

  forPart(part: KeptPart, binding: ServiceBinding): TokenKeeper {
    const issuedTo = credentialsFingerprint(binding);
    return {
      take: async (key) => {
        const entry = (await this.load()).get(part);
        const token = entry?.issuedTo === issuedTo ? entry.tokens[key] : undefined;
        return token && isFreshToken(token, this.now()) && !this.refused.has(token.accessToken) ? token : undefined;
      },
      keep: (key, token) =>
        this.update(part, issuedTo, (tokens) => {
          delete tokens[key];
          tokens[key] = {
            accessToken: token.accessToken,
            tokenType: token.tokenType,
            expiresIn: token.expiresIn,
            expiresAt: token.expiresAt,
            ...scopeOf(token),
          };
          for (const oldest of Object.keys(tokens)) if (Object.keys(tokens).length > maxKept) delete tokens[oldest];
        }),
      forget: (key, token) => {
        this.refused.add(token.accessToken);
        this.update(part, issuedTo, (tokens) => {
          if (tokens[key]?.accessToken === token.accessToken) delete tokens[key];
        });
      },
    };
  }

  /** Resolves when every `keep` and `forget` so far has reached the secret store (or failed to). */
  written(): Promise<void> {
    return this.writing;
  }

  private update(part: KeptPart, issuedTo: string, change: (tokens: Record<string, KeptToken>) => void): void {
    // One write after another. Each starts from the value as stored now, not as this process read it first: another
    // process (the window, another command) may have kept, replaced or removed tokens meanwhile.
    this.writing = this.writing.then(async () => {
      const parts = parseKept((await this.secrets.get(this.key)) ?? '');
      const previous = parts.get(part);
      const tokens = previous?.issuedTo === issuedTo ? { ...previous.tokens } : {};
      change(tokens);
      for (const [key, token] of Object.entries(tokens)) if (!isFreshToken(token, this.now()) || this.refused.has(token.accessToken)) delete tokens[key];
      if (Object.keys(tokens).length === 0) parts.delete(part);
      else parts.set(part, { issuedTo, tokens });
      let text = JSON.stringify({ version: 1, parts: Object.fromEntries(parts) } satisfies KeptFile);
      // Over the budget: only the token kept last of each part stays.
      if (text.length > maxChars) {
        for (const [name, entry] of parts) parts.set(name, { issuedTo: entry.issuedTo, tokens: Object.fromEntries(Object.entries(entry.tokens).slice(-1)) });
        text = JSON.stringify({ version: 1, parts: Object.fromEntries(parts) } satisfies KeptFile);
      }
      // Nothing to keep, or tokens too long even one per part: nothing stays (not an older value either).
      if (parts.size === 0 || text.length > maxChars) {
        parts.clear();
        await this.secrets.delete(this.key);
      } else await this.secrets.set(this.key, text);
      this.loaded = Promise.resolve(parts);
    });
    this.writing = this.writing.catch((error: unknown) => this.options.logger?.debug(`tokens not kept: ${(error as Error).message}`));
  }

  private load(): Promise<Map<KeptPart, KeptPartEntry>> {
    this.loaded ??= this.secrets.get(this.key).then(
      (text) => (text === undefined ? new Map() : parseKept(text)),
      (error: unknown) => {
        this.options.logger?.debug(`kept tokens not read: ${(error as Error).message}`);
        return new Map<KeptPart, KeptPartEntry>();
      },
    );
    return this.loaded;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}

/** Anything unexpected (another version's format, a damaged value) is as if nothing were kept. */
function parseKept(text: string): Map<KeptPart, KeptPartEntry> {
  const parts = new Map<KeptPart, KeptPartEntry>();
  try {
    const file = JSON.parse(text) as Partial<KeptFile>;
    if (file.version !== 1 || typeof file.parts !== 'object' || file.parts === null) return parts;
    for (const part of ['destination', 'connectivity'] as const) {
      const entry = file.parts[part];
      if (typeof entry?.issuedTo !== 'string' || typeof entry.tokens !== 'object' || entry.tokens === null) continue;
      parts.set(part, { issuedTo: entry.issuedTo, tokens: Object.fromEntries(Object.entries(entry.tokens).filter(([, token]) => isKeptToken(token))) });
    }
  } catch {
    // As if nothing were kept: the next token fetched replaces it.
  }
  return parts;
}

function isKeptToken(value: unknown): value is KeptToken {
  const token = value as Partial<KeptToken> | null;
  return (
    typeof token === 'object' &&
    token !== null &&
    typeof token.accessToken === 'string' &&
    typeof token.tokenType === 'string' &&
    Number.isFinite(token.expiresIn) &&
    Number.isFinite(token.expiresAt)
  );
}

function scopeOf(token: AccessToken): { scope?: string } {
  return token.scope === undefined ? {} : { scope: token.scope };
}

/** The client, its token service and its secret or certificate: a token is valid only for exactly these. */
function credentialsFingerprint(binding: ServiceBinding): string {
  const auth =
    binding.auth.kind === 'secret' ? ['secret', binding.auth.clientSecret] : ['x509', binding.auth.certUrl, binding.auth.certificate, binding.auth.key];
  return createHash('sha256')
    .update(JSON.stringify([binding.kind, binding.clientId, binding.url, binding.uaaDomain, ...auth]))
    .digest('base64url');
}
