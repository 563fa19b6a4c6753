import { BtpError, ErrorCode } from '../errors';

/**
 * What this machine says about its outbound HTTP proxy, as written: from the environment (CLI) or from VS Code's
 * settings (the extension builds this and passes it in; the core never reads settings itself).
 */
export interface ProxySettings {
  /** The proxy for https:// targets; when unset, `httpProxy` serves them too (undici's rule). */
  readonly httpsProxy?: Setting;
  /** The proxy for http:// targets. */
  readonly httpProxy?: Setting;
  /** NO_PROXY-style list of hosts reached directly. Loopback is always direct. */
  readonly noProxy?: string;
  /** A ready `Proxy-Authorization` value (VS Code's http.proxyAuthorization); wins over credentials in the URL. */
  readonly authorization?: Setting;
  /** Verify an https:// proxy's own certificate (VS Code's http.proxyStrictSSL); default true. */
  readonly strictSsl?: boolean;
}

/** A value and the name it was read from, so that messages can say which variable or setting to change. */
export interface Setting {
  readonly value: string;
  /** `HTTPS_PROXY`, `https_proxy`, `http.proxy`, … */
  readonly name: string;
}

/** A checked proxy URL: where it is, and how it authenticates. Only `uri` carries the credentials. */
export interface ProxyEndpoint {
  /** The URL as undici takes it, credentials included. Never log or show it: use `display`. */
  readonly uri: string;
  /** `http://proxy.corp:3128`: no credentials, for messages. */
  readonly display: string;
  /** `proxy.corp:3128` */
  readonly hostPort: string;
  readonly protocol: 'http:' | 'https:';
  /** Where the URL came from (`HTTPS_PROXY`, `http.proxy`). */
  readonly source: string;
  /** What the proxy gets as credentials: a user and password in the URL, a Proxy-Authorization setting, or nothing. */
  readonly credentials: 'url' | 'authorization' | 'none';
}

/**
 * The proxy variables of an environment. Lower-case names first, as curl and undici read them; REQUEST_METHOD
 * marks a CGI process, where HTTP_PROXY can come from a request's `Proxy:` header (httpoxy), so it is ignored there.
 */
export function proxySettingsFromEnv(env: NodeJS.ProcessEnv): ProxySettings {
  const read = (names: readonly string[]): Setting | undefined => {
    for (const name of names) {
      const value = env[name]?.trim();
      if (value) return { value, name };
    }
    return undefined;
  };
  const httpsProxy = read(['https_proxy', 'HTTPS_PROXY']);
  const httpProxy = read(env.REQUEST_METHOD ? ['http_proxy'] : ['http_proxy', 'HTTP_PROXY']);
  const noProxy = read(['no_proxy', 'NO_PROXY'])?.value;
  return { ...(httpsProxy ? { httpsProxy } : {}), ...(httpProxy ? { httpProxy } : {}), ...(noProxy ? { noProxy } : {}) };
}

/**
 * Checks a proxy URL. `proxy.corp:3128` without a scheme means http:// (as curl reads it). Errors name the
 * variable or setting and show the URL without its password.
 */
export function parseProxyUrl(setting: Setting, authorization?: Setting): ProxyEndpoint {
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(setting.value) ? setting.value : `http://${setting.value}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid(setting, `is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid(setting, `uses ${url.protocol}//; only http:// and https:// proxies are supported`);
  if (!url.hostname) throw invalid(setting, 'names no host');
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) throw invalid(setting, 'has a path or query; give only scheme, host and port');
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const hostPort = `${url.hostname}:${port}`;
  const credentials = authorization ? 'authorization' : url.username || url.password ? 'url' : 'none';
  return { uri: url.href, display: `${url.protocol}//${hostPort}`, hostPort, protocol: url.protocol, source: setting.name, credentials };
}

/** The URL as it may be shown: the password (and the user, which may be an e-mail address) replaced. */
export function redactProxyUrl(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^/@\s]*@/i, (_all, scheme: string | undefined) => `${scheme ?? ''}***@`);
}

function invalid(setting: Setting, problem: string): BtpError {
  return new BtpError(
    ErrorCode.InvalidInput,
    `${setting.name} "${redactProxyUrl(setting.value)}" ${problem}: use http://host:port, with user:password@ before the host when the proxy wants credentials.`,
    { field: setting.name },
  );
}
