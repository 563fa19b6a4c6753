import { isIP } from 'node:net';
import type { ValidationIssue } from '../../core/errors';
import { ipAddressOctets } from './ip';

/**
 * Checks of the caller's options. Each returns the issues it found (none when all is well) so that one
 * error can list every problem at once.
 */

/** X.520's upper bound for CN, O and OU (ub-common-name and friends). */
const maxAttributeLength = 64;
/** Upper bound on validDays: a century keeps every date inside GeneralizedTime's four-digit years. */
export const maxValidDays = 36_500;

function issue(field: string, problem: string, message: string): ValidationIssue {
  return { field, problem, message };
}

/** A CN, O or OU value; `undefined` passes when the attribute is optional. */
export function attributeIssues(field: string, value: unknown, required: boolean): ValidationIssue[] {
  if (value === undefined && !required) return [];
  if (typeof value !== 'string' || value.trim() === '') return [issue(field, 'required', `${field} must be a non-empty string.`)];
  if ([...value].length > maxAttributeLength) {
    return [issue(field, 'too_long', `${field} has ${[...value].length} characters; X.509 allows at most ${maxAttributeLength}.`)];
  }
  if (/\p{Cc}/u.test(value)) return [issue(field, 'forbidden_char', `${field} must not contain control characters.`)];
  return [];
}

export function validDaysIssues(value: unknown): ValidationIssue[] {
  if (value === undefined) return [];
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= maxValidDays) return [];
  return [issue('validDays', 'out_of_range', `validDays must be a whole number of days from 1 to ${maxValidDays}; got ${String(value)}.`)];
}

/** A list option: `undefined` passes (the caller decides whether it may be empty), anything but an array is one issue. */
export function listIssues(field: string, value: unknown, each: (field: string, item: unknown) => ValidationIssue[]): ValidationIssue[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return [issue(field, 'invalid_type', `${field} must be an array of strings.`)];
  return value.flatMap((item, index) => each(`${field}[${index}]`, item));
}

// LDH labels, plus `_` which some real host names carry; a leading `*.` makes a wildcard name.
const dnsLabel = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/i;

export function dnsNameIssues(field: string, value: unknown): ValidationIssue[] {
  if (typeof value !== 'string' || value === '') return [issue(field, 'required', `${field} must be a non-empty host name.`)];
  if (isIP(value) !== 0) {
    return [
      issue(field, 'ip_as_dns_name', `${field} "${value}" is an IP address; list it under ipAddresses, since TLS clients never match IPs against DNS names.`),
    ];
  }
  const labels = (value.startsWith('*.') ? value.slice(2) : value).split('.');
  if (value.length > 253 || !labels.every((label) => dnsLabel.test(label))) {
    return [
      issue(
        field,
        'invalid_dns_name',
        `${field} "${value}" is not a valid DNS name (ASCII letters, digits, "-" and "_" per label; internationalized names must be given in punycode).`,
      ),
    ];
  }
  return [];
}

export function ipAddressIssues(field: string, value: unknown): ValidationIssue[] {
  if (typeof value === 'string' && ipAddressOctets(value) !== undefined) return [];
  return [issue(field, 'invalid_ip', `${field} "${String(value)}" is not an IPv4 or IPv6 address (zone ids such as %eth0 are not allowed).`)];
}

/** Type errors in either list are reported by `listIssues`; this only insists that one of them has an entry. */
export function subjectAltNameIssues(dnsNames: unknown, ipAddresses: unknown): ValidationIssue[] {
  if (dnsNames !== undefined && !Array.isArray(dnsNames)) return [];
  const dnsCount = Array.isArray(dnsNames) ? dnsNames.length : 0;
  const ipCount = Array.isArray(ipAddresses) ? ipAddresses.length : 0;
  if (dnsCount + ipCount > 0) return [];
  return [
    issue('dnsNames', 'required', 'A server certificate needs at least one entry in dnsNames or ipAddresses: TLS clients match hosts only against them.'),
  ];
}
