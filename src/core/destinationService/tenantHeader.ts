import type { DestinationBinding } from '../bindings/types';
import type { SubscriberTenant } from '../connections/subscriberTenant';
import type { DestinationRecord, FindOptions } from './types';

/**
 * Spec §3.4: find-destination takes `X-tenant` only for OAuth2ClientCredentials whose `tokenServiceURLType` is
 * Common, and cannot fetch that destination's token without it (the subdomain goes into its token URL).
 */
export function needsTenantHeader(destination: DestinationRecord | undefined): boolean {
  return destination?.Authentication === 'OAuth2ClientCredentials' && destination.tokenServiceURLType === 'Common';
}

/**
 * The inputs for such a destination: `X-tenant` with `subdomain` instead of the user's token (the service refuses
 * both together, and a client-credentials token needs no user), as the SAP Cloud SDK sends it. Others unchanged.
 */
export function withTenantHeader(inputs: FindOptions, destination: DestinationRecord | undefined, subdomain: string | undefined): FindOptions {
  if (!needsTenantHeader(destination) || subdomain === undefined) return inputs;
  const { userToken: _userToken, ...rest } = inputs;
  return { ...rest, tenant: subdomain };
}

/**
 * The subdomain `X-tenant` names for a connection: the subscriber's it acts for, else the provider subaccount's from
 * the Destination service key (`identityzone`, else the first label of `url` under `uaadomain`). Undefined for a
 * tenant given by zone id only: the header takes a subdomain.
 */
export function tenantHeaderSubdomain(binding: DestinationBinding, tenant: SubscriberTenant | undefined): string | undefined {
  if (tenant) return tenant.subdomain;
  if (binding.identityZone) return binding.identityZone;
  try {
    const host = new URL(binding.url).host;
    const suffix = `.${binding.uaaDomain}`;
    return host.endsWith(suffix) && host.length > suffix.length ? host.slice(0, -suffix.length) : undefined;
  } catch {
    return undefined;
  }
}
