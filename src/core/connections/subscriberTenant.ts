import { BtpError, ErrorCode } from '../errors';

/**
 * The subscriber tenant a connection acts for instead of its provider subaccount: by subdomain (what XSUAA puts in
 * front of `uaadomain`, and what a browser sign-in needs) or by zone id (sent as `x-zid`).
 */
export type SubscriberTenant = { readonly subdomain: string; readonly zid?: never } | { readonly zid: string; readonly subdomain?: never };

/** XSUAA zone ids are GUIDs; anything else that is one DNS label is taken as a subdomain. */
const guidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const subdomainPattern = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const zidPattern = /^[A-Za-z0-9._-]{1,200}$/;

/**
 * `sub1` → subdomain, a GUID → zone id; `id:<zid>` and `subdomain:<name>` say which when the form does not.
 * Refused with the field named and the forms that work.
 */
export function parseSubscriberTenant(text: string, field = 'tenant'): SubscriberTenant {
  const value = text.trim();
  const fix = 'Give the subscriber subaccount\'s subdomain (e.g. "customer-a"), its tenant (zone) id as a GUID, or "id:<zone id>".';
  if (value.startsWith('id:')) {
    const zid = value.slice(3);
    if (zidPattern.test(zid)) return { zid };
    throw new BtpError(ErrorCode.InvalidInput, `The tenant id "${zid}" may hold only letters, digits, ".", "_" and "-". ${fix}`, { field });
  }
  const name = value.startsWith('subdomain:') ? value.slice('subdomain:'.length) : value;
  if (name !== value || !guidPattern.test(name)) {
    if (subdomainPattern.test(name)) return { subdomain: name.toLowerCase() };
    throw new BtpError(ErrorCode.InvalidInput, `"${text}" is no tenant subdomain or id. ${fix}`, { field });
  }
  return { zid: name.toLowerCase() };
}

/** A tenant as read from connections.json: undefined for anything this version did not write. */
export function readSubscriberTenant(value: unknown): SubscriberTenant | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { subdomain, zid } = value as Record<string, unknown>;
  if (typeof subdomain === 'string' && zid === undefined && subdomainPattern.test(subdomain)) return { subdomain };
  if (typeof zid === 'string' && subdomain === undefined && zidPattern.test(zid)) return { zid };
  return undefined;
}

/** Whether two tenant choices name the same tenant the same way (undefined: the provider). */
export function sameTenant(a: SubscriberTenant | undefined, b: SubscriberTenant | undefined): boolean {
  return a?.subdomain === b?.subdomain && a?.zid === b?.zid;
}

/** The tenant as the user typed it, for lists and messages: its subdomain, else `id:<zid>`. */
export function tenantText(tenant: SubscriberTenant): string {
  return tenant.subdomain ?? `id:${tenant.zid}`;
}
