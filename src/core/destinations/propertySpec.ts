/**
 * The shape of one entry in the property catalogue: what a form shows (label, description, input kind) and
 * what the validator checks (kind, allowed values, range, pattern). Browser-safe: no Node modules.
 */
import { isSecretProperty } from './model';

/** How a form renders the value; `secret` properties are rendered masked whatever their kind. */
export type PropertyKind = 'text' | 'url' | 'boolean' | 'enum' | 'integer';

export interface PropertySpec {
  /** The wire name, exactly as the Destination service spells it. */
  readonly name: string;
  /** Short human label for a form. */
  readonly label: string;
  /** One or two sentences of help. */
  readonly description?: string;
  readonly kind: PropertyKind;
  /** Allowed values of an `enum` property (case-sensitive on the wire). */
  readonly values?: readonly string[];
  /** An unknown `enum` value is only a warning (the documented list may be incomplete). */
  readonly lenientValues?: boolean;
  /** Inclusive range of an `integer` property; outside it → warning (services fall back to a default). */
  readonly min?: number;
  readonly max?: number;
  /** Outside `min`..`max` is an error rather than a warning (ports). */
  readonly strictRange?: boolean;
  /** Extra format rule for `text`, e.g. `sap-client` = three digits; `hint` says what is expected. */
  readonly pattern?: { readonly regex: RegExp; readonly hint: string };
  /** The value is a credential: mask it, keep it in the keychain, drop it from exports. */
  readonly secret: boolean;
  /** Deprecation note; a destination that sets the property gets a warning carrying it. */
  readonly deprecated?: string;
  /** Where the name or rule is a guess rather than read from SAP documentation or SAP client code. */
  readonly unverified?: string;
}

/** A user-named family such as `URL.headers.<header>`. */
export interface PropertyFamilySpec {
  /** The prefix including the final dot, e.g. `URL.headers.`. */
  readonly prefix: string;
  readonly label: string;
  readonly description: string;
  /** `header` members must be valid HTTP header names (RFC 9110 token). */
  readonly member: 'header' | 'query' | 'body';
}

type Extra = Omit<Partial<PropertySpec>, 'name' | 'label' | 'kind' | 'secret'>;

/** Builds a spec; `secret` always comes from `isSecretProperty` so the two can never disagree. */
export function prop(name: string, label: string, kind: PropertyKind = 'text', extra: Extra = {}): PropertySpec {
  return { name, label, kind, ...extra, secret: isSecretProperty(name) };
}

export const bool = (name: string, label: string, description?: string, extra: Extra = {}): PropertySpec =>
  prop(name, label, 'boolean', { ...extra, ...(description === undefined ? {} : { description }) });

export const oneOf = (name: string, label: string, values: readonly string[], description?: string, extra: Extra = {}): PropertySpec =>
  prop(name, label, 'enum', { ...extra, values, ...(description === undefined ? {} : { description }) });
