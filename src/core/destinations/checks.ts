/**
 * Small pure checks and the issue collector the validator modules share. Browser-safe.
 * No message ever contains a property value: values may be secrets, or carry line breaks into logs.
 */
import type { ValidationIssue } from '../errors';
import { LOCATION_ID_MAX_BYTES } from './model';

/** Stable `problem` codes of destination issues. */
export const DestinationProblem = {
  NotObject: 'not_object',
  NotString: 'not_string',
  EmptyName: 'empty_property_name',
  ForbiddenChar: 'forbidden_char',
  Required: 'required',
  InvalidName: 'invalid_name',
  UnknownValue: 'unknown_value',
  InvalidUrl: 'invalid_url',
  UrlCredentials: 'credentials_in_url',
  HttpsOnPremise: 'https_on_premise',
  LocationIdIgnored: 'location_id_ignored',
  InvalidLocationId: 'invalid_location_id',
  RequiresOnPremise: 'requires_on_premise',
  ProxyTypeMismatch: 'proxy_type_mismatch',
  NotBoolean: 'not_boolean',
  NotInteger: 'not_integer',
  OutOfRange: 'out_of_range',
  InvalidFormat: 'invalid_format',
  InvalidHeaderName: 'invalid_header_name',
  InvalidAddress: 'invalid_address',
  DidYouMean: 'did_you_mean',
  Misplaced: 'misplaced_property',
  Deprecated: 'deprecated',
  Unsupported: 'unsupported_for_type',
  NoClientCredential: 'no_client_credential',
  ForwardAuthToken: 'forward_auth_token_conflict',
} as const;
export type DestinationProblem = (typeof DestinationProblem)[keyof typeof DestinationProblem];

/** CR, LF and NUL: they would split headers, properties files and log lines. */
export const FORBIDDEN_CHARS = /[\r\n\0]/;

/** A property name made safe to print: control characters escaped, e.g. `a\nb` → `a\\nb`. */
export function printableName(name: string): string {
  // eslint-disable-next-line no-control-regex
  return name.replace(/[\u0000-\u001f\u007f]/g, (c) => (c === '\r' ? '\\r' : c === '\n' ? '\\n' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

/** RFC 9110 token, the syntax of an HTTP header name. */
export const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export interface UrlProblem {
  readonly problem: DestinationProblem;
  readonly why: string;
}

/** Checks an absolute URL with one of `schemes` (without ':'), a host and no user-info; undefined = fine. */
export function urlProblem(value: string, schemes: readonly string[]): UrlProblem | undefined {
  const list = schemes.map((s) => `${s}://`).join(' or ');
  if (value.trim() !== value || /\s/.test(value)) return { problem: DestinationProblem.InvalidUrl, why: 'contains spaces' };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { problem: DestinationProblem.InvalidUrl, why: `is not an absolute URL; write it as ${list}host[:port][/path]` };
  }
  if (!schemes.includes(url.protocol.slice(0, -1))) return { problem: DestinationProblem.InvalidUrl, why: `must start with ${list}` };
  if (url.hostname === '') return { problem: DestinationProblem.InvalidUrl, why: 'has no host' };
  if (url.username !== '' || url.password !== '') {
    return { problem: DestinationProblem.UrlCredentials, why: 'contains a user name or password before the host' };
  }
  return undefined;
}

/** Why a Cloud Connector location id is unusable; undefined = fine (the empty string is the default location). */
export function locationIdProblem(value: string): string | undefined {
  if (!/^[\x20-\x7e]*$/.test(value)) return 'may contain printable ASCII characters only';
  if (value.length > LOCATION_ID_MAX_BYTES)
    return `is longer than ${LOCATION_ID_MAX_BYTES} characters (its base64 must fit the one-byte length of the SOCKS5 handshake)`;
  return undefined;
}

/** Why a TCP `Address` is unusable; undefined = fine. Accepts `host:port` and `tcp://host:port`. */
export function addressProblem(value: string): string | undefined {
  const rest = value.startsWith('tcp://') ? value.slice('tcp://'.length) : value;
  if (/[\s/@?#]/.test(rest) || rest.includes('://')) return 'must be host:port or tcp://host:port';
  let url: URL;
  try {
    url = new URL(`tcp://${rest}`);
  } catch {
    return 'must be host:port or tcp://host:port with a port from 1 to 65535';
  }
  if (url.hostname === '' || url.port === '' || url.port === '0') return 'must be host:port or tcp://host:port with a port from 1 to 65535';
  return undefined;
}

/** Collects issues; the validator modules share one per run. */
export class IssueList {
  readonly issues: ValidationIssue[] = [];

  error(field: string, problem: DestinationProblem, message: string): void {
    this.issues.push({ field, problem, message, severity: 'error' });
  }

  warn(field: string, problem: DestinationProblem, message: string): void {
    this.issues.push({ field, problem, message, severity: 'warning' });
  }
}

/** Read access to the destination under validation: only own, string, CR/LF/NUL-free values count. */
export class DestinationView {
  constructor(
    readonly input: Readonly<Record<string, unknown>>,
    /** Names whose value is unusable (not a string, or with forbidden characters); already reported. */
    readonly unusable: ReadonlySet<string>,
  ) {}

  /** The value of `name` when it is usable and not empty. */
  get(name: string): string | undefined {
    if (!Object.hasOwn(this.input, name) || this.unusable.has(name)) return undefined;
    const value = this.input[name];
    return typeof value === 'string' && value !== '' ? value : undefined;
  }

  /** Whether `name` is present at all (usable or not, empty or not). */
  present(name: string): boolean {
    return Object.hasOwn(this.input, name);
  }

  /** Whether `name` has a usable non-empty value, or was present but already reported as unusable. */
  has(name: string): boolean {
    return this.get(name) !== undefined || (this.present(name) && this.unusable.has(name));
  }
}
