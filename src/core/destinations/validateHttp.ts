/**
 * Rules for `Type: HTTP`: URL, proxy type interplay and the per-authentication-type requirements of the
 * AUTHENTICATIONS table.
 */
import { AUTHENTICATIONS, requiredFor } from './authentication';
import { DestinationProblem, urlProblem, type DestinationView, type IssueList } from './checks';
import { isAuthenticationType, type ProxyType } from './model';
import { requireAll } from './requirements';

export function validateHttp(view: DestinationView, out: IssueList, proxyType: ProxyType | undefined): void {
  const url = view.get('URL');
  if (url !== undefined) {
    const bad = urlProblem(url, ['http', 'https']);
    if (bad?.problem === DestinationProblem.UrlCredentials) {
      out.error(
        'URL',
        bad.problem,
        'URL contains a user name or password before the host; remove them from the URL and put them in User and Password (with BasicAuthentication).',
      );
    } else if (bad !== undefined) {
      out.error('URL', bad.problem, `URL ${bad.why}; an HTTP destination needs an absolute http:// or https:// URL with a host.`);
    } else if (proxyType === 'OnPremise' && url.toLowerCase().startsWith('https://')) {
      out.warn(
        'URL',
        DestinationProblem.HttpsOnPremise,
        "URL uses https:// on an OnPremise destination; use http:// with the Cloud Connector's virtual host (the Cloud Connector does the TLS, and SAP clients would send CONNECT, which the connectivity proxy refuses).",
      );
    }
  }

  const authentication = view.get('Authentication');
  if (!isAuthenticationType(authentication)) return; // missing or unknown: reported by the common rules
  const spec = AUTHENTICATIONS[authentication];
  const context = `for Authentication ${authentication}`;
  requireAll(view, out, requiredFor(spec, view.input), context);

  const proxyReported = proxyType === undefined && view.get('ProxyType') !== undefined; // an unknown value, reported already
  if (spec.requiresProxyType !== undefined && proxyType !== spec.requiresProxyType && !proxyReported) {
    const field = view.present('ProxyType') ? 'ProxyType' : 'Authentication';
    const current = view.get('ProxyType') === undefined ? `not set (${proxyType ?? 'Internet'})` : proxyType;
    out.error(
      field,
      DestinationProblem.RequiresOnPremise,
      `Authentication ${authentication} works only with ProxyType ${spec.requiresProxyType}, but ProxyType is ${current}; set ProxyType to ${spec.requiresProxyType} or choose another Authentication.`,
    );
  }
  if (spec.clientCredentialOneOf !== undefined && !spec.clientCredentialOneOf.some((name) => view.has(name))) {
    out.warn(
      'clientSecret',
      DestinationProblem.NoClientCredential,
      `clientSecret is not set and no other client credential is configured for Authentication ${authentication}; set clientSecret (or tokenService.KeyStoreLocation for an X.509 client certificate, or clientAssertion.destinationName), unless callers pass a client assertion.`,
    );
  }
  if (spec.deprecated !== undefined) {
    out.warn('Authentication', DestinationProblem.Deprecated, `Authentication ${authentication}: ${spec.deprecated}.`);
  }

  for (const name of ['HTML5.ForwardAuthToken', 'forwardAuthToken']) {
    if (view.get(name) !== 'true') continue;
    if (authentication !== 'NoAuthentication' || proxyType === 'OnPremise') {
      out.warn(
        name,
        DestinationProblem.ForwardAuthToken,
        `${name} is "true" together with ${authentication === 'NoAuthentication' ? 'ProxyType OnPremise' : `Authentication ${authentication}`}; the approuter refuses such destinations, so set ${name} to "false" or use NoAuthentication with a non-OnPremise proxy type.`,
      );
    }
  }
}
