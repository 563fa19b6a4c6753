import type { TokenTenant } from '../bindings/tokenEndpoint';
import type { ServiceBinding } from '../bindings/types';
import { userSecretKey, USER_TOKEN_FIELDS } from '../secrets/secretKeys';
import { BtpError, ErrorCode, isBtpError } from '../errors';
import { Emitter } from '../events';
import type { HttpAgents } from '../http/agents';
import { silentLogger, type Logger } from '../log';
import type { SecretStore } from '../secrets/secretStore';
import { claimString, decodeJwt, tenantOf } from './jwt';
import { signInNotConfigured } from './signInClient';
import { silentAuthorizationCode, type SilentAuthorizeRequest, type SilentCode } from './silentAuthorize';
import { requestToken, type AccessToken } from './tokenRequest';
import { signInUser, userTokenClient, type UserLoginOptions } from './userLogin';

/** Who is signed in, as the UI shows it; read from the access token's claims. */
export interface SignedInUser {
  readonly userName: string;
  readonly email?: string;
  /** The user's zone (subaccount) id. */
  readonly zoneId?: string;
  readonly origin?: string;
  /** Epoch ms when the current access token expires (it is refreshed before). */
  readonly expiresAt: number;
}

export interface UserSessionOptions {
  /** The saved connection the user signs in to: its name keys the secret store entries. */
  readonly connection: string;
  /**
   * The connection's xsuaa (login) binding: its client signs the user in and refreshes the tokens. Without one the
   * session still reads, hands out and deletes a sign-in made earlier, but cannot sign in (`SignInNotConfigured`).
   */
  readonly binding?: ServiceBinding;
  readonly agents: HttpAgents;
  /** The subscriber tenant the connection acts for: the user signs in to its subdomain, and refreshes there. */
  readonly tenant?: TokenTenant;
  /** The only place tokens are kept: the OS keychain, VS Code SecretStorage, memory in tests. */
  readonly secrets: SecretStore;
  readonly logger?: Logger;
  readonly now?: () => number;
}

interface Tokens {
  readonly accessToken: string;
  readonly refreshToken?: string;
  readonly expiresAt: number;
  /** Validity the token had when issued (ms), for the refresh margin of short-lived tokens. */
  readonly lifetimeMs: number;
}

/** Refresh when less than this is left, or half a short token's life. */
const refreshMarginMs = 60_000;

/**
 * The signed-in user of one connection: keeps the access token, refreshes it shortly before it expires (one
 * refresh for any number of concurrent callers), and signs out. The refresh and access tokens live only in the
 * secret store (`connection/<name>/user/*`) and this object's memory, so the CLI and the extension share one
 * sign-in through the keychain. Tokens never reach a log or an error message.
 */
export class UserSession {
  private tokens: Tokens | undefined;
  private loading: Promise<void> | undefined;
  private refreshing: Promise<Tokens> | undefined;
  private readonly changes = new Emitter<SignedInUser | undefined>();
  private readonly logger: Logger;
  private readonly now: () => number;
  private binding: ServiceBinding | undefined;

  /** Fires after sign-in, refresh and sign-out (undefined: signed out). */
  readonly onDidChange = this.changes.event;

  constructor(private readonly options: UserSessionOptions) {
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? Date.now;
    this.binding = options.binding;
  }

  get connection(): string {
    return this.options.connection;
  }

  /** The client users sign in with: a refresh token of the session works only with it, at its XSUAA. */
  get signInClient(): { readonly clientId: string; readonly uaaDomain: string } | undefined {
    return this.binding ? { clientId: this.binding.clientId, uaaDomain: this.binding.uaaDomain } : undefined;
  }

  /** Whether the session has a client to sign users in with. */
  get canSignIn(): boolean {
    return this.binding !== undefined;
  }

  /**
   * Signs in with another binding from now on (a key chosen after the session was made). A user signed in with
   * another client is signed out: a refresh token works only with the client it was issued to.
   */
  async useBinding(binding: ServiceBinding): Promise<void> {
    const changed = this.binding?.clientId !== binding.clientId;
    this.binding = binding;
    if (changed) {
      this.loading ??= this.readStore();
      await this.loading;
      if (this.tokens) await this.signOut();
    }
  }

  /** The user, once `load` or `signIn` found one. */
  get user(): SignedInUser | undefined {
    return this.tokens?.accessToken ? userOf(this.tokens) : undefined;
  }

  /**
   * Reads a sign-in saved earlier (by this or another process); resolves to its user, or undefined. A saved
   * refresh token without a usable access token is refreshed at once, so that the user is known.
   */
  async load(): Promise<SignedInUser | undefined> {
    this.loading ??= this.readStore();
    await this.loading;
    if (this.tokens && !this.tokens.accessToken) {
      try {
        await this.refresh(this.tokens);
      } catch (error) {
        if (!isBtpError(error, ErrorCode.SignInRequired)) throw error;
      }
    }
    return this.user;
  }

  /** The browser sign-in; the tokens replace any earlier user's, in memory and in the secret store. */
  async signIn(login: Omit<UserLoginOptions, 'binding' | 'agents' | 'connection'>): Promise<SignedInUser> {
    const binding = this.binding;
    if (!binding) throw signInNotConfigured(`Connection "${this.connection}" has no xsuaa service key to sign users in with.`, this.connection);
    const token = await signInUser({
      ...login,
      binding,
      connection: this.connection,
      agents: this.options.agents,
      ...(this.options.tenant ? { tenant: this.options.tenant } : {}),
      logger: login.logger ?? this.logger,
    });
    const tokens = this.accept(token, undefined);
    if (!claimString(decodeJwt(tokens.accessToken)?.payload ?? {}, 'user_name')) {
      throw new BtpError(ErrorCode.SignInFailed, 'The token service answered the sign-in with a token that names no user (no "user_name" claim).');
    }
    await this.store(tokens);
    this.loading = Promise.resolve();
    this.tokens = tokens;
    const user = userOf(tokens);
    this.logger.info(`${user.userName} signed in to connection "${this.connection}"`);
    this.changes.fire(user);
    return user;
  }

  /**
   * A valid access token of the signed-in user; refreshed first when less than 60 s (or half of a short token's
   * life) remain, or when `forceRefresh`. Fails with `SignInRequired` when nobody is signed in or the sign-in
   * expired.
   */
  async accessToken(options: { readonly forceRefresh?: boolean } = {}): Promise<string> {
    this.loading ??= this.readStore();
    await this.loading;
    const tokens = this.tokens;
    if (!tokens) throw this.signInRequired('nobody is signed in');
    if (!options.forceRefresh && this.now() < tokens.expiresAt - Math.min(refreshMarginMs, tokens.lifetimeMs / 2)) return tokens.accessToken;
    return (await this.refresh(tokens)).accessToken;
  }

  /** For forwards: the user's access token, or undefined when nobody is signed in (never throws for that). */
  async userToken(): Promise<string | undefined> {
    this.loading ??= this.readStore();
    await this.loading;
    return this.tokens ? this.accessToken() : undefined;
  }

  /**
   * The signed-in user's refresh token, for `OAuth2RefreshToken` destinations of the sign-in's own client. The
   * access token is made valid first, so that a sign-in the token service revoked fails here with `SignInRequired`.
   */
  async refreshToken(): Promise<string | undefined> {
    await this.accessToken();
    return this.tokens?.refreshToken;
  }

  /** A fresh authorization code of the signed-in user for another client (`OAuth2AuthorizationCode`), without a browser. */
  async authorizationCode(request: Omit<SilentAuthorizeRequest, 'userToken'>): Promise<SilentCode> {
    return silentAuthorizationCode({ ...request, userToken: await this.accessToken() }, this.options.agents);
  }

  /**
   * Forgets the user: drops the tokens from memory and deletes them from the secret store (no token call).
   * Resolves to the user who was signed in, when known.
   */
  async signOut(): Promise<SignedInUser | undefined> {
    this.loading ??= this.readStore();
    await this.loading;
    const user = this.user;
    this.tokens = undefined;
    this.refreshing = undefined;
    this.loading = Promise.resolve();
    for (const field of USER_TOKEN_FIELDS) await this.options.secrets.delete(userSecretKey(this.connection, field));
    if (user) this.logger.info(`${user.userName} signed out of connection "${this.connection}"`);
    this.changes.fire(undefined);
    return user;
  }

  dispose(): void {
    this.changes.dispose();
  }

  private refresh(current: Tokens): Promise<Tokens> {
    this.refreshing ??= this.doRefresh(current).finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async doRefresh(current: Tokens): Promise<Tokens> {
    if (!current.refreshToken) throw this.signInRequired('the sign-in has expired and the token service issued no refresh token');
    const binding = this.binding;
    if (!binding) throw this.signInRequired('the sign-in has expired and the connection has no xsuaa service key to refresh it with');
    let token: AccessToken;
    try {
      token = await requestToken(
        userTokenClient(binding, this.options.tenant),
        { type: 'refresh_token', refreshToken: current.refreshToken },
        { agents: this.options.agents, ...(this.options.now ? { now: this.options.now } : {}) },
      );
    } catch (error) {
      if (!isBtpError(error, ErrorCode.TokenRejected)) throw error;
      // The refresh token is expired or revoked: it will never work again.
      await this.signOut();
      throw this.signInRequired('the sign-in has expired or was revoked', error);
    }
    if (this.tokens !== current) return this.tokens ?? Promise.reject(this.signInRequired('the user signed out'));
    const tokens = this.accept(token, current.refreshToken);
    await this.store(tokens);
    this.tokens = tokens;
    this.logger.debug(`refreshed the token of ${userOf(tokens).userName} for connection "${this.connection}"`);
    this.changes.fire(userOf(tokens));
    return tokens;
  }

  private accept(token: AccessToken, previousRefreshToken: string | undefined): Tokens {
    const refreshToken = token.refreshToken ?? previousRefreshToken;
    return { accessToken: token.accessToken, ...(refreshToken ? { refreshToken } : {}), expiresAt: token.expiresAt, lifetimeMs: token.expiresIn * 1000 };
  }

  private async readStore(): Promise<void> {
    const secrets = this.options.secrets;
    const refreshToken = await secrets.get(userSecretKey(this.connection, 'refresh_token'));
    const accessToken = await secrets.get(userSecretKey(this.connection, 'access_token'));
    if (!accessToken && !refreshToken) return;
    const claims = accessToken ? decodeJwt(accessToken)?.payload : undefined;
    const exp = typeof claims?.exp === 'number' ? claims.exp * 1000 : 0;
    const iat = typeof claims?.iat === 'number' ? claims.iat * 1000 : exp;
    // Without a readable access token ('' , expired at 0) the first use refreshes.
    this.tokens = {
      accessToken: exp > 0 && accessToken ? accessToken : '',
      ...(refreshToken ? { refreshToken } : {}),
      expiresAt: exp,
      lifetimeMs: Math.max(0, exp - iat),
    };
  }

  private async store(tokens: Tokens): Promise<void> {
    const secrets = this.options.secrets;
    if (tokens.refreshToken) await secrets.set(userSecretKey(this.connection, 'refresh_token'), tokens.refreshToken);
    else await secrets.delete(userSecretKey(this.connection, 'refresh_token'));
    await secrets.set(userSecretKey(this.connection, 'access_token'), tokens.accessToken);
  }

  private signInRequired(reason: string, cause?: unknown): BtpError {
    return new BtpError(
      ErrorCode.SignInRequired,
      `Connection "${this.connection}" needs a signed-in user and ${reason}: sign in again (\`btp-connect login ${this.connection}\`, or Sign In on the connection in VS Code).`,
      { ...(cause === undefined ? {} : { cause }), details: { connection: this.connection } },
    );
  }
}

function userOf(tokens: Tokens): SignedInUser {
  const claims = decodeJwt(tokens.accessToken)?.payload ?? {};
  const email = claimString(claims, 'email');
  const zoneId = tenantOf(claims);
  const origin = claimString(claims, 'origin');
  return {
    userName: claimString(claims, 'user_name') ?? claimString(claims, 'sub') ?? 'unknown user',
    ...(email ? { email } : {}),
    ...(zoneId ? { zoneId } : {}),
    ...(origin ? { origin } : {}),
    expiresAt: tokens.expiresAt,
  };
}
