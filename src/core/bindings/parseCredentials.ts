import { isIP } from 'node:net';
import { readClientAuth } from './auth';
import { KIND_MARKER, KIND_REQUIREMENTS, detectKind, keyPhrase, withArticle } from './detect';
import { checkForbiddenChars, readHost, readPort, readString, readUrl } from './fields';
import { COPY_HINT, IssueCollector, isPlainObject, isPresent, issuesError, typeName } from './issues';
import { mergeMeta } from './meta';
import type { ConnectivityBinding, ParseOptions, ServiceBinding, ServiceKind } from './types';

/**
 * Validates one credentials object (the JSON of a service key) and builds the binding. All problems are
 * collected and thrown as one `BindingInvalid` error; no message quotes a secret.
 */
export function parseCredentials(credentials: unknown, options: ParseOptions = {}): ServiceBinding {
  if (!isPlainObject(credentials)) {
    const issues = new IssueCollector(keyPhrase(options.expected));
    if (credentials === undefined || credentials === null) {
      issues.add('credentials', 'required', `The ${issues.subject} has no credentials. ${COPY_HINT}`);
    } else {
      issues.add(
        'credentials',
        'invalid_type',
        `The ${issues.subject} must be a JSON object like {"clientid": "...", ...}, but it is a ${typeName(credentials)}. ${COPY_HINT}`,
      );
    }
    throw issuesError(issues, options.source);
  }
  const c = credentials;
  const kind = resolveKind(c, options);
  const issues = new IssueCollector(keyPhrase(kind));
  if (kind === undefined) {
    issues.add('credentials', 'unknown_kind', `Cannot tell which service this key is for: ${KIND_REQUIREMENTS}. ${COPY_HINT}`);
  }
  checkForbiddenChars(c, issues);

  const clientId = readString(c, 'clientid', issues, { required: true });
  const auth = readClientAuth(c, issues);
  const url = readTokenUrl(c, kind, issues);
  const uaaDomain =
    readHost(c, 'uaadomain', issues, { example: 'authentication.eu10.hana.ondemand.com', allowPort: true }) ??
    (url === undefined ? undefined : deriveUaaDomain(url));
  const identityZone = readString(c, 'identityzone', issues);
  const tenantId = readString(c, 'tenantid', issues);
  const xsappname = readString(c, 'xsappname', issues, { required: kind === 'xsuaa', extra: kind === 'xsuaa' ? identityServiceHint(c) : '' });
  // Without a strong marker a key with only `xsappname` looks like an xsuaa key: say so next to the missing field.
  const looksXsuaa =
    options.expected !== undefined && options.expected !== 'xsuaa' && detectKind(c) === 'xsuaa'
      ? ` Without it this looks like an xsuaa service key, but ${withArticle(options.expected)} key is needed.`
      : '';
  const uri = kind === 'destination' ? readUrl(c, 'uri', issues, { required: true, extra: looksXsuaa }) : undefined;
  const proxy = kind === 'connectivity' ? readProxy(c, issues, looksXsuaa) : undefined;

  if (!issues.empty || kind === undefined || clientId === undefined || auth === undefined || url === undefined || uaaDomain === undefined) {
    throw issuesError(issues, options.source);
  }
  const meta = mergeMeta(options.meta);
  const base = {
    clientId,
    auth,
    url,
    uaaDomain,
    ...(identityZone === undefined ? {} : { identityZone }),
    ...(tenantId === undefined ? {} : { tenantId }),
    ...(xsappname === undefined ? {} : { xsappname }),
    credentials: { ...c },
    ...(meta === undefined ? {} : { meta }),
  };
  if (kind === 'destination' && uri !== undefined) return { kind, ...base, uri };
  if (kind === 'connectivity' && proxy !== undefined) return { kind, ...base, ...proxy };
  if (kind === 'xsuaa') return { kind, ...base };
  throw issuesError(issues, options.source);
}

/** The kind to validate against; throws `wrong_kind` when a strong marker names another service than `expected`. */
function resolveKind(c: Readonly<Record<string, unknown>>, options: ParseOptions): ServiceKind | undefined {
  const detected = detectKind(c);
  const { expected } = options;
  if (expected === undefined) return detected;
  if (detected !== undefined && detected !== expected && detected !== 'xsuaa') {
    const issues = new IssueCollector(keyPhrase(undefined));
    const marker = KIND_MARKER[detected];
    issues.add(
      marker,
      'wrong_kind',
      `This is ${withArticle(detected)} service key, ${withArticle(expected)} key is needed (the key has "${marker}"). Use a key of ${withArticle(expected)} service instance, from the BTP cockpit or \`cf service-key\`.`,
    );
    throw issuesError(issues, options.source);
  }
  return expected;
}

/** `url`, or for connectivity keys `token_service_url` when `url` is missing. */
function readTokenUrl(c: Readonly<Record<string, unknown>>, kind: ServiceKind | undefined, issues: IssueCollector): string | undefined {
  if (kind === 'connectivity' && !isPresent(c.url) && isPresent(c.token_service_url)) {
    return readUrl(c, 'token_service_url', issues, { required: true });
  }
  const extra = kind === 'connectivity' ? ' It has no "token_service_url" either.' : '';
  return readUrl(c, 'url', issues, { required: true, extra });
}

type ProxyFields = Pick<ConnectivityBinding, 'proxyHost' | 'httpPort' | 'socks5Port' | 'rfcPort' | 'ldapPort'>;

function readProxy(c: Readonly<Record<string, unknown>>, issues: IssueCollector, looksXsuaa: string): ProxyFields | undefined {
  const proxyHost = readHost(c, 'onpremise_proxy_host', issues, {
    required: true,
    example: 'connectivityproxy.internal.cf.eu10.hana.ondemand.com',
    extra: looksXsuaa,
  });
  // `onpremise_proxy_http_port` replaced `onpremise_proxy_port`; real keys carry both, as strings.
  const httpPort = readPort(c, 'onpremise_proxy_http_port', issues);
  const legacyPort = readPort(c, 'onpremise_proxy_port', issues);
  if (!isPresent(c.onpremise_proxy_http_port) && !isPresent(c.onpremise_proxy_port)) {
    issues.required('onpremise_proxy_http_port', ' It has no "onpremise_proxy_port" (the older name) either.');
  }
  const socks5Port = readPort(c, 'onpremise_socks5_proxy_port', issues);
  const rfcPort = readPort(c, 'onpremise_proxy_rfc_port', issues);
  const ldapPort = readPort(c, 'onpremise_proxy_ldap_port', issues);
  const port = httpPort ?? legacyPort;
  if (proxyHost === undefined || port === undefined) return undefined;
  return {
    proxyHost,
    httpPort: port,
    ...(socks5Port === undefined ? {} : { socks5Port }),
    ...(rfcPort === undefined ? {} : { rfcPort }),
    ...(ldapPort === undefined ? {} : { ldapPort }),
  };
}

/**
 * An SAP Cloud Identity Services (`identity`, IAS) key has no `xsappname` and a `url` on `*.accounts.ondemand.com`
 * (or `accounts400` for canary tenants): say what it is instead of only that the field is missing.
 */
function identityServiceHint(c: Readonly<Record<string, unknown>>): string {
  let host = '';
  try {
    host = typeof c.url === 'string' ? new URL(c.url).hostname : '';
  } catch {
    return '';
  }
  return /\.accounts(400)?\.ondemand\.com$/i.test(host)
    ? ' It looks like an SAP Cloud Identity Services (identity) key: BTP Connect signs users in through XSUAA only, so use a key of an xsuaa service instance.'
    : '';
}

/**
 * `uaadomain` when a key lacks it: the host of `url` minus its first label, port kept
 * (`https://sub.authentication.eu10.hana.ondemand.com` → `authentication.eu10.hana.ondemand.com`).
 * An IP address or single-label host (`127.0.0.1:8080`, `localhost:4443`) is kept whole.
 */
export function deriveUaaDomain(url: string): string {
  const { host, hostname, port } = new URL(url);
  if (isIP(hostname) !== 0 || hostname.startsWith('[') || !hostname.includes('.')) return host;
  const rest = hostname.slice(hostname.indexOf('.') + 1);
  return port === '' ? rest : `${rest}:${port}`;
}
