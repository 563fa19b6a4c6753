/**
 * The whole property catalogue and look-ups over it: by exact name, by family prefix (`URL.headers.<h>`) and
 * case-insensitively (for "did you mean ProxyType?").
 */
import { COMMON_PROPERTIES, OAUTH_PROPERTIES, PROPERTY_FAMILIES, SAML_PROPERTIES, SAP_ASSERTION_SSO_PROPERTIES } from './httpProperties';
import { LDAP_PROPERTIES, MAIL_PROPERTIES, RFC_PROPERTIES, TCP_PROPERTIES } from './protocolProperties';
import type { PropertyFamilySpec, PropertySpec } from './propertySpec';

export type { PropertyFamilySpec, PropertySpec } from './propertySpec';

/** Every property the model knows, by wire name. */
export const PROPERTIES: ReadonlyMap<string, PropertySpec> = new Map(
  [
    ...COMMON_PROPERTIES,
    ...OAUTH_PROPERTIES,
    ...SAML_PROPERTIES,
    ...SAP_ASSERTION_SSO_PROPERTIES,
    ...RFC_PROPERTIES,
    ...MAIL_PROPERTIES,
    ...LDAP_PROPERTIES,
    ...TCP_PROPERTIES,
  ].map((spec) => [spec.name, spec]),
);

const byLowerName = new Map([...PROPERTIES.keys()].map((name) => [name.toLowerCase(), name]));

/** The catalogue entry of `name`, or undefined when the name is not a fixed known property. */
export function propertySpec(name: string): PropertySpec | undefined {
  return PROPERTIES.get(name);
}

/** The family `name` belongs to by its exact-case prefix, if any (the member may be empty: a mistake to report). */
export function propertyFamily(name: string): PropertyFamilySpec | undefined {
  return PROPERTY_FAMILIES.find((family) => name.startsWith(family.prefix));
}

/** Whether `name` is a catalogue property or a member of a family. */
export function isKnownProperty(name: string): boolean {
  return PROPERTIES.has(name) || propertyFamily(name) !== undefined;
}

/**
 * For an unknown `name` that differs from a known one only in letter case, the correctly spelled name
 * (`proxytype` → `ProxyType`, `url.headers.X` → `URL.headers.X`); undefined otherwise.
 */
export function caseInsensitiveMatch(name: string): string | undefined {
  if (isKnownProperty(name)) return undefined;
  const lower = name.toLowerCase();
  const exact = byLowerName.get(lower);
  if (exact !== undefined) return exact;
  const family = PROPERTY_FAMILIES.find((f) => lower.startsWith(f.prefix.toLowerCase()));
  return family === undefined ? undefined : family.prefix + name.slice(family.prefix.length);
}
