import { BtpError, ErrorCode } from '../errors';
import { stripTrailingSlashes } from './fields';
import type { ServiceBinding } from './types';

/** Which URL a token request for a binding goes to, the way @sap/xssec picks it (spec §2.3). */

export interface TokenTenant {
  /** Zone (tenant) id, e.g. a JWT's `zid`: the request goes to the bare `uaadomain` with header `x-zid`. */
  readonly zid?: string | undefined;
  /** Subaccount subdomain: the request goes to `<subdomain>.<uaadomain>`. */
  readonly subdomain?: string | undefined;
}

export interface TokenEndpoint {
  readonly url: string;
  readonly headers: Record<string, string>;
}

/**
 * - `zid` → `https://<uaadomain>/oauth/token` with `x-zid: <zid>`;
 * - only `subdomain` → `https://<subdomain>.<uaadomain>/oauth/token`;
 * - neither → `<url>/oauth/token` (`<certurl>/oauth/token` for X.509), the only form that may be plain http.
 * With X.509 credentials a leading `authentication.` of uaadomain becomes `authentication.cert.` (the mTLS host).
 */
export function tokenEndpoint(binding: ServiceBinding, tenant: TokenTenant = {}): TokenEndpoint {
  const { zid, subdomain } = tenant;
  if (zid !== undefined && zid !== '') {
    if (!/^[A-Za-z0-9._-]+$/.test(zid)) {
      throw invalidTenant('zid', 'The zone id (zid) may hold only letters, digits, ".", "_" and "-"; use the zid claim of the token as it is.');
    }
    return { url: `https://${tokenDomain(binding)}/oauth/token`, headers: { 'x-zid': zid } };
  }
  if (subdomain !== undefined && subdomain !== '') {
    if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(subdomain)) {
      throw invalidTenant('subdomain', 'The subdomain must be one DNS label (letters, digits, "-"), such as the "identityzone" of the key.');
    }
    return { url: `https://${subdomain}.${tokenDomain(binding)}/oauth/token`, headers: {} };
  }
  const base = binding.auth.kind === 'x509' ? binding.auth.certUrl : binding.url;
  return { url: `${stripTrailingSlashes(base)}/oauth/token`, headers: {} };
}

function tokenDomain(binding: ServiceBinding): string {
  const domain = binding.uaaDomain;
  if (binding.auth.kind !== 'x509' || !domain.startsWith('authentication.') || domain.startsWith('authentication.cert.')) return domain;
  return `authentication.cert.${domain.slice('authentication.'.length)}`;
}

function invalidTenant(field: string, message: string): BtpError {
  return new BtpError(ErrorCode.InvalidInput, message, { issues: [{ field, problem: 'invalid_value', message }] });
}
