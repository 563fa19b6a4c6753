import { GrantType } from '../../core/oauth/tokenRequest';
import type { ClientKind, ClientRecord } from '../base/world';

/**
 * What XSUAA registers for an OAuth client besides its credentials: the grant types it may use and the redirect
 * URIs a browser may be sent back to (`xs-security.json` → `oauth2-configuration` → `grant-types`,
 * `redirect-uris`). The sandbox derives it from the client's kind, so state written by older sandboxes gets it too.
 */
export interface OAuth2Configuration {
  readonly grantTypes: readonly string[];
  /** Patterns as XSUAA takes them: `*` for a host label, `:*` for any port, `**` for any path. */
  readonly redirectUris: readonly string[];
}

/**
 * The demo application's `redirect-uris`, as the README tells users to write theirs: XSUAA accepts `http://` only
 * for `localhost` ("Malformed redirect URIs detected. For the following URIs that use 'http://' only 'localhost'
 * is allowed as last domain", seen at `cf create-service`), and a port wildcard `:*` (cloudfoundry/uaa#1140).
 */
export const LOOPBACK_REDIRECT_URIS: readonly string[] = ['http://localhost:*/**'];

const serviceInstanceClient: OAuth2Configuration = {
  // The Destination and Connectivity service instances' clients are created by their service brokers, not from the
  // user's xs-security.json: technical tokens and the user exchange, no browser sign-in and no redirect URI.
  grantTypes: [GrantType.ClientCredentials, GrantType.JwtBearer],
  redirectUris: [],
};

const byKind: Readonly<Record<ClientKind, OAuth2Configuration>> = {
  destination: serviceInstanceClient,
  connectivity: serviceInstanceClient,
  // The `xsuaa` instance of the demo app (XSUAA's default grant types of the application plan).
  application: {
    grantTypes: [GrantType.AuthorizationCode, GrantType.RefreshToken, GrantType.ClientCredentials, GrantType.Password, GrantType.JwtBearer],
    redirectUris: LOOPBACK_REDIRECT_URIS,
  },
  // The OAuth server behind the seeded OAuth destinations: every flow the Destination service can run against it.
  backend: { grantTypes: Object.values(GrantType), redirectUris: LOOPBACK_REDIRECT_URIS },
};

export function oauth2ConfigurationOf(client: ClientRecord): OAuth2Configuration {
  return byKind[client.kind];
}

/**
 * The registered pattern `requested` matches, if any (UAA's Ant-style matching: host labels, `:*` ports and
 * `**` paths). A URL with user info or a fragment never matches: nothing may ride along to the redirect target.
 */
export function matchRedirectUri(configuration: OAuth2Configuration, requested: string | null): URL | undefined {
  if (!requested || requested.includes('#')) return undefined;
  let url: URL;
  try {
    url = new URL(requested);
  } catch {
    return undefined;
  }
  if (url.username || url.password) return undefined;
  return configuration.redirectUris.some((pattern) => patternMatches(pattern, url)) ? url : undefined;
}

const patternShape = /^([a-z][a-z0-9+.-]*):\/\/([^/:?#]+)(?::(\d+|\*))?(\/[^?#]*)?$/i;

function patternMatches(pattern: string, url: URL): boolean {
  const parts = patternShape.exec(pattern);
  if (!parts) return false;
  const [, scheme = '', host = '', port, path = ''] = parts;
  if (`${scheme.toLowerCase()}:` !== url.protocol) return false;
  if (!globRegExp(host.toLowerCase(), '[a-z0-9_-]+').test(url.hostname)) return false;
  // `:*` needs an explicit port (a loopback listener always has one); no port in the pattern means the default one.
  if (port === '*' ? url.port === '' : (port ?? '') !== url.port) return false;
  return pathRegExp(path).test(`${url.pathname}${url.search}`);
}

/** `*` stands for `wildcard` (one host label); everything else is literal. */
function globRegExp(glob: string, wildcard: string): RegExp {
  return new RegExp(`^${glob.split('*').map(escape).join(wildcard)}$`);
}

/** Ant paths: `**` any characters (`/**` also nothing), `*` any characters within one segment. */
function pathRegExp(path: string): RegExp {
  let source = '';
  for (let index = 0; index < path.length; index++) {
    if (path.startsWith('/**', index)) {
      source += '(?:/.*)?';
      index += 2;
    } else if (path.startsWith('**', index)) {
      source += '.*';
      index += 1;
    } else if (path[index] === '*') {
      source += '[^/]*';
    } else {
      source += escape(path[index] ?? '');
    }
  }
  return new RegExp(`^${source === '' ? '/?' : source}$`);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
