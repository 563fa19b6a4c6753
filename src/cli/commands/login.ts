import { spawn } from 'node:child_process';
import { BtpError, ErrorCode } from '../../core/errors';
import { HttpAgents } from '../../core/http/agents';
import { SIGN_IN_REDIRECT_URI_PATTERN } from '../../core/oauth/signInClient';
import { UserSession, type SignedInUser } from '../../core/oauth/userSession';
import { stringOption, type Command } from '../command';
import { connectionStore } from '../context';
import { ExitCode } from '../exitCodes';
import { line, type CliIo } from '../io';
import { cliNetwork } from '../network';
import { readLoginKey } from '../loginKey';

export const loginCommand: Command = {
  name: 'login',
  summary: 'Sign a user in to a connection in the browser; forwards then act for that user',
  usage: `Usage: btp-connect login <connection> [--login-key <file|->] [--no-browser] [--login-hint <hint>] [--timeout <seconds>] [--ca <file>] [--no-system-ca]

Signs you in through the browser (OAuth authorization code with PKCE at <url>/oauth/authorize of XSUAA) with the
client of an xsuaa service key of your own application, saved with the connection (at the subscriber tenant's
subdomain when the connection acts for one: \`tenant\`). Forwards of the connection
then act for you: PrincipalPropagation destinations reach on-premise systems as your user, and
OAuth2UserTokenExchange, OAuth2JWTBearer and OAuth2SAMLBearerAssertion destinations get your token
(X-user-token), OAuth2TokenExchange your token as subject token, OAuth2RefreshToken your refresh token (a
destination of this key's client only), OAuth2AuthorizationCode a fresh code per lookup. The tokens go to the OS keychain next to the connection's secrets; \`logout\` deletes them.

The Destination service key's client cannot sign users in: XSUAA redirects a browser only to the redirect URIs
a client registered, and that client's are not yours to set. The browser returns to a one-shot listener on
http://localhost:<any free port>/btp-connect/callback, so your app's xs-security.json needs
  "oauth2-configuration": {"redirect-uris": ["${SIGN_IN_REDIRECT_URI_PATTERN}"]}
(XSUAA allows http:// only for localhost; if it lists "grant-types", keep "authorization_code" and "refresh_token").

  --login-key <file|->  save this xsuaa service key as the connection's sign-in key first (- reads standard input)
  --no-browser          print the sign-in URL instead of opening a browser (SSH sessions, scripts)
  --login-hint <hint>   XSUAA login_hint, e.g. '{"origin":"my-idp"}' to skip choosing the identity provider
  --timeout <seconds>   how long to wait for the browser (default 300)
  --ca <file>           also trust this CA (PEM), e.g. the sandbox's ca.pem
  --no-system-ca        do not trust the OS certificate store

The token requests honour HTTPS_PROXY / HTTP_PROXY / NO_PROXY, as every command does.

BTP_CONNECT_BROWSER names the program that opens the URL (it gets the URL as its one argument); without it
the system's default browser opens (xdg-open, open, rundll32).`,
  options: {
    'login-key': { type: 'string' },
    'no-browser': { type: 'boolean' },
    'login-hint': { type: 'string' },
    timeout: { type: 'string' },
    ca: { type: 'string' },
    'no-system-ca': { type: 'boolean' },
  },
  async run(values, positionals, io) {
    const name = onlyConnection(positionals, 'login');
    const timeout = stringOption(values, 'timeout');
    const timeoutSeconds = timeout === undefined ? 300 : Number(timeout);
    if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > 3600) {
      throw new BtpError(ErrorCode.InvalidInput, `--timeout "${timeout}" is not a number of seconds between 1 and 3600.`, { field: 'timeout' });
    }
    const store = connectionStore(io);
    const loginKey = stringOption(values, 'login-key');
    if (loginKey !== undefined) {
      await store.load(name); // an unknown connection fails before anything is read or stored
      const login = await readLoginKey(loginKey, io);
      await store.setLogin(name, login);
      line(io, `Saved the xsuaa key of client ${login.clientId} as the sign-in key of "${name}"; its secret is in the ${io.secretStore().description}.`);
    }
    const bindings = await store.load(name);
    // A connection acting for a subscriber tenant signs its user in at the tenant's subdomain.
    const tenant = await store.tenant(name);
    const ca = stringOption(values, 'ca');
    const agents = new HttpAgents({ network: await cliNetwork({ ...(ca ? { ca } : {}), 'no-system-ca': values['no-system-ca'] === true }, io) });
    const session = new UserSession({
      connection: name,
      ...(bindings.login ? { binding: bindings.login } : {}),
      ...(tenant ? { tenant } : {}),
      agents,
      secrets: io.secretStore(),
    });
    try {
      const printOnly = values['no-browser'] === true;
      const loginHint = stringOption(values, 'login-hint');
      const user = await session.signIn({
        timeoutMs: timeoutSeconds * 1000,
        ...(loginHint ? { loginHint } : {}),
        openBrowser: async (url) => {
          line(
            io,
            printOnly ? `Open this URL in a browser to sign in to "${name}":` : `Signing in to "${name}" in your browser. If none opens, open this URL:`,
          );
          line(io, `  ${url}`);
          if (!printOnly) await openBrowser(url, io);
          line(io, `Waiting for the browser (up to ${describeSeconds(timeoutSeconds)})…`);
        },
      });
      line(io, `Signed in to "${name}" as ${describeUser(user)}; the tokens are in the ${io.secretStore().description}.`);
      return ExitCode.Ok;
    } finally {
      session.dispose();
      await agents.close();
    }
  },
};

export const logoutCommand: Command = {
  name: 'logout',
  summary: "Sign the user out of a connection and delete the user's tokens from the keychain",
  usage: `Usage: btp-connect logout <connection>

Deletes the signed-in user's tokens of the connection from the OS keychain. Forwards started afterwards act
for nobody: PrincipalPropagation destinations fail until you sign in again.`,
  options: {},
  async run(_values, positionals, io) {
    const name = onlyConnection(positionals, 'logout');
    const bindings = await connectionStore(io).load(name);
    const agents = new HttpAgents({ network: await cliNetwork({}, io) });
    const session = new UserSession({ connection: name, ...(bindings.login ? { binding: bindings.login } : {}), agents, secrets: io.secretStore() });
    try {
      const user = await session.signOut();
      line(
        io,
        user
          ? `Signed ${user.userName} out of "${name}"; the tokens are deleted from the ${io.secretStore().description}.`
          : `Nobody was signed in to "${name}".`,
      );
      return ExitCode.Ok;
    } finally {
      session.dispose();
      await agents.close();
    }
  },
};

/**
 * The signed-in user of a saved connection, wired into forwards: find-destination gets the user's token as
 * `X-user-token`, the connectivity proxy as `SAP-Connectivity-Authentication` for PrincipalPropagation
 * destinations. Key files and VCAP_SERVICES have no user: then nothing changes.
 */
function onlyConnection(positionals: string[], command: string): string {
  const [name, ...rest] = positionals;
  if (!name || rest.length > 0) throw new BtpError(ErrorCode.InvalidInput, `Name one saved connection, e.g. \`${command} dev\`.`, { field: 'connection' });
  return name;
}

/** Starts the browser without a shell (the URL is one argument); a failure is reported, not fatal: the URL is printed. */
async function openBrowser(url: string, io: CliIo): Promise<void> {
  const custom = io.env.BTP_CONNECT_BROWSER;
  const [command, args] = custom
    ? [custom, [url]]
    : process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['rundll32', ['url.dll,FileProtocolHandler', url]]
        : ['xdg-open', [url]];
  try {
    await new Promise<void>((resolvePromise, reject) => {
      const child = spawn(command, args, { stdio: 'ignore', detached: true, env: io.env });
      child.once('error', reject);
      child.once('spawn', () => {
        child.unref();
        resolvePromise();
      });
    });
  } catch (error) {
    line(io, `Could not start ${command} (${(error as NodeJS.ErrnoException).code ?? String(error)}); open the URL above yourself.`);
  }
}

function describeUser(user: SignedInUser): string {
  return user.email && user.email !== user.userName ? `${user.userName} (${user.email})` : user.userName;
}

function describeSeconds(seconds: number): string {
  return seconds % 60 === 0 ? `${seconds / 60} minute${seconds === 60 ? '' : 's'}` : `${seconds} s`;
}
