import { BtpError, ErrorCode } from '../errors';
import type { HttpAgents } from '../http/agents';
import { sendRequest } from '../http/request';
import { redactText } from '../redact';

/**
 * Which OAuth client may sign a user in through the browser, and how to tell early that the token service will
 * refuse it. XSUAA (like the Cloud Foundry UAA it is built on) sends a browser back only to a redirect URI the
 * client registered (`xs-security.json` → `oauth2-configuration.redirect-uris`) and only for a client with the
 * `authorization_code` grant; otherwise `/oauth/authorize` shows an error page ("Invalid redirect … did not match
 * one of the registered values", UaaAuthorizationEndpoint; XSUAA's page may read "The redirect_uri has an invalid
 * domain") and nothing ever reaches our loopback listener. The Destination service instance's client is created
 * by its service broker, so nobody can register a redirect URI for it: sign-in needs an xsuaa key of the user's
 * own application.
 */

/**
 * The `redirect-uris` entry the user's app needs. XSUAA refuses `http://` for any host but `localhost` when the
 * service instance is created ("For the following URIs that use 'http://' only 'localhost' is allowed as last
 * domain"), and takes `:*` for any port (UAA's legacy redirect resolver; cloudfoundry/uaa#1140).
 */
export const SIGN_IN_REDIRECT_URI_PATTERN = 'http://localhost:*/btp-connect/callback';

/** What to do about a missing or refused sign-in client; ends every `SignInNotConfigured` message. */
export function signInClientFix(connection?: string): string {
  const command =
    connection === undefined
      ? '`btp-connect login <connection> --login-key <xsuaa-key.json>`'
      : `\`btp-connect login ${connection} --login-key <xsuaa-key.json>\``;
  return (
    `Use an xsuaa service key of your own application whose xs-security.json allows the browser sign-in: ` +
    `"oauth2-configuration": {"redirect-uris": ["${SIGN_IN_REDIRECT_URI_PATTERN}"]} (and, if it lists "grant-types", "authorization_code" and "refresh_token"); ` +
    `then ${command}, or Sign In… on the connection in VS Code. The Destination service key's client cannot sign users in: its redirect URIs are not yours to set.`
  );
}

export function signInNotConfigured(
  message: string,
  connection: string | undefined,
  options: { status?: number; serviceMessage?: string; cause?: unknown } = {},
): BtpError {
  return new BtpError(ErrorCode.SignInNotConfigured, `${message} ${signInClientFix(connection)}`, {
    ...options,
    ...(connection === undefined ? {} : { details: { connection } }),
  });
}

/**
 * Asks the authorization endpoint, as a browser without a session would, whether it takes the request: UAA checks
 * client, redirect URI and grant before it asks anyone to log in, so a refusal is a 4xx page here instead of a page
 * in the user's browser while we wait in vain. Anything else (a redirect to the login page, the login form, an
 * unreachable server) lets the sign-in go on: the browser and the code exchange report those.
 */
export async function checkAuthorizationRequest(
  url: string,
  client: { readonly clientId: string; readonly connection?: string },
  context: { readonly agents: HttpAgents; readonly signal?: AbortSignal },
): Promise<void> {
  let answer: { status: number; text: string };
  try {
    answer = await sendRequest(
      { method: 'GET', url, headers: { accept: 'text/html,application/json;q=0.9' } },
      { dispatcher: context.agents.default, service: 'The token service', maxBodyBytes: 256 * 1024, ...(context.signal ? { signal: context.signal } : {}) },
    );
  } catch {
    return;
  }
  if (answer.status < 400 || answer.status > 499) return;
  const detail = refusalText(answer.text);
  throw signInNotConfigured(
    `The token service refused to start a browser sign-in for client "${client.clientId}" (HTTP ${answer.status}${detail ? `: ${detail}` : ''}).`,
    client.connection,
    { status: answer.status, ...(detail ? { serviceMessage: detail } : {}) },
  );
}

/**
 * A refusal's words: the OAuth error of a JSON body, else UAA's or XSUAA's sentence about the redirect or the grant
 * (`Invalid redirect …`, `A redirect_uri can only …`, `The redirect_uri has an invalid domain.`), else the longest
 * sentence about either (headings are shorter), else the page's text.
 */
export function refusalText(body: string): string {
  try {
    const json = JSON.parse(body) as { error?: unknown; error_description?: unknown };
    const parts = [json.error, json.error_description].filter((part): part is string => typeof part === 'string');
    if (parts.length > 0) return clip(parts.join(': '));
  } catch {
    // Not JSON: an HTML error page.
  }
  const blocks = body
    .replace(/<(script|style|title)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, ' ')
    .split(/<[^>]*>/)
    .map((block) =>
      block
        .replace(/&#(\d+);/g, (_match, code: string) => String.fromCharCode(Number(code)))
        .replace(/&(amp|lt|gt|quot);/g, (_match, name: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"' })[name] ?? '')
        .replace(/\s+/g, ' ')
        .trim(),
    )
    .filter((block) => block !== '');
  // Sentences end with ". " (URLs in them have dots too).
  const sentences = blocks.flatMap((block) => block.split(/(?<=\.)\s+/)).filter((sentence) => /\b(redirect|grant)/i.test(sentence));
  const known = sentences.find((sentence) => /^(Invalid redirect |A redirect_uri |The redirect_uri )/.test(sentence));
  const longest = sentences.reduce<string | undefined>((best, sentence) => (best === undefined || sentence.length > best.length ? sentence : best), undefined);
  return clip(known ?? longest ?? blocks.join(' '));
}

function clip(text: string): string {
  const clean = redactText(text);
  return clean.length > 300 ? `${clean.slice(0, 299)}…` : clean;
}
