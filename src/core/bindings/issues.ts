import { BtpError, ErrorCode, type ValidationIssue } from '../errors';

/**
 * Collecting validation issues for one service key, and the shared wording of their messages. Messages name
 * the field, say what is wrong and how to fix it, and never quote the value of a secret field.
 */

export const COPY_HINT = 'Copy the whole key from the BTP cockpit or `cf service-key`, not only part of it.';

const FIELD_DESCRIPTIONS: Readonly<Record<string, string>> = {
  clientid: 'the OAuth client ID',
  clientsecret: 'the OAuth client secret',
  certificate: 'the client certificate',
  key: 'the private key of the client certificate',
  certurl: 'the token service URL for X.509 certificates',
  url: 'the XSUAA token service URL',
  uri: 'the Destination service URL',
  uaadomain: 'the XSUAA domain',
  identityzone: 'the subaccount subdomain',
  tenantid: 'the subaccount tenant ID',
  xsappname: 'the XSUAA application name',
  token_service_url: 'the XSUAA token service URL',
  onpremise_proxy_host: 'the connectivity proxy host',
  onpremise_proxy_http_port: 'the connectivity proxy HTTP port',
  onpremise_proxy_port: 'the connectivity proxy HTTP port, older name',
  onpremise_socks5_proxy_port: 'the connectivity proxy SOCKS5 port',
  onpremise_proxy_rfc_port: 'the connectivity proxy RFC port',
  onpremise_proxy_ldap_port: 'the connectivity proxy LDAP port',
};

/** `"uri" (the Destination service URL)`, or just `"x"` for fields without a description. */
export function describeField(field: string): string {
  const description = FIELD_DESCRIPTIONS[field];
  return description === undefined ? `"${field}"` : `"${field}" (${description})`;
}

export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  return typeof value === 'object' ? 'object' : typeof value;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A field counts as present when it is neither missing, null nor an empty/blank string. */
export function isPresent(value: unknown): boolean {
  return value !== undefined && value !== null && !(typeof value === 'string' && value.trim() === '');
}

export class IssueCollector {
  readonly issues: ValidationIssue[] = [];
  private readonly flagged = new Set<string>();

  /** `subject` names the key in messages, e.g. `destination service key`. */
  constructor(readonly subject: string) {}

  add(field: string, problem: string, message: string): void {
    this.issues.push({ field, problem, message });
    this.flagged.add(field);
  }

  /** True when `field` already has an issue (later checks skip it so each field is reported once). */
  isFlagged(field: string): boolean {
    return this.flagged.has(field);
  }

  get empty(): boolean {
    return this.issues.length === 0;
  }

  required(field: string, extra = ''): void {
    this.add(field, 'required', `The ${this.subject} has no ${describeField(field)}.${extra} ${COPY_HINT}`);
  }

  wrongType(field: string, value: unknown, expected: string): void {
    this.add(
      field,
      'invalid_type',
      `The ${describeField(field)} of the ${this.subject} is a ${typeName(value)}, but it must be ${expected}. Use the key exactly as BTP issued it.`,
    );
  }
}

/** The single `BindingInvalid` error for a key with issues; the message lists every issue. */
export function issuesError(collector: IssueCollector, source: string | undefined): BtpError {
  const from = source === undefined ? '' : ` from ${source}`;
  const lines = collector.issues.map((issue) => `  - ${issue.message}`).join('\n');
  return new BtpError(ErrorCode.BindingInvalid, `The ${collector.subject}${from} is not valid:\n${lines}`, {
    issues: collector.issues,
    ...(source === undefined ? {} : { details: { source } }),
  });
}
