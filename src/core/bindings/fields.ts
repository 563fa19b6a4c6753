import { describeField, isPresent, typeName, type IssueCollector } from './issues';

/**
 * Readers for single credential fields. Each returns the usable value or `undefined`, having recorded an
 * issue in the collector when the field is wrong (or when it is missing and required). Messages describe
 * what is wrong and never repeat the value: a secret may have been pasted into any field.
 */

type Credentials = Readonly<Record<string, unknown>>;

/** Fields whose values are PEM blocks and may span lines (LF or CRLF). */
const PEM_FIELDS = new Set(['certificate', 'key']);

/**
 * Flags every string value holding CR, LF or NUL. PEM values (`certificate`, `key`, and values that start with
 * `-----BEGIN `, like `verificationkey`) may hold LF and CRLF, never a lone CR or NUL. Nested values are walked.
 */
export function checkForbiddenChars(credentials: Credentials, issues: IssueCollector): void {
  const visit = (value: string, path: string, topLevel: string): void => {
    const pem = (path === topLevel && PEM_FIELDS.has(path)) || value.trimStart().startsWith('-----BEGIN ');
    const bad = pem ? /\r(?!\n)|\0/.test(value) : /[\r\n\0]/.test(value);
    if (bad && !issues.isFlagged(path)) {
      const allowed = pem ? ' (a PEM value may have line breaks, but no NUL or lone CR characters)' : '';
      issues.add(
        path,
        'forbidden_char',
        `The ${describeField(path)} of the ${issues.subject} contains a line break or NUL character, which is not allowed there${allowed}. Copy the value again as BTP shows it.`,
      );
    }
  };
  // Depth first with an explicit stack, not recursion: pasted JSON may nest thousands deep, and a stack overflow
  // would escape as a RangeError instead of a BindingInvalid. Paths are spelled out only for strings.
  interface Step {
    readonly value: unknown;
    readonly segment: string;
    readonly parent: Step | undefined;
  }
  const pathOf = (step: Step): string => {
    const segments: string[] = [];
    for (let at: Step | undefined = step; at; at = at.parent) segments.push(at.segment);
    return segments.reverse().join('');
  };
  for (const [name, value] of Object.entries(credentials)) {
    const pending: Step[] = [{ value, segment: name, parent: undefined }];
    for (let step = pending.pop(); step; step = pending.pop()) {
      const current = step.value;
      if (typeof current === 'string') visit(current, pathOf(step), name);
      else if (Array.isArray(current)) {
        for (let index = current.length - 1; index >= 0; index--) pending.push({ value: current[index], segment: `[${index}]`, parent: step });
      } else if (typeof current === 'object' && current !== null) {
        const entries = Object.entries(current);
        for (let index = entries.length - 1; index >= 0; index--) {
          const [key, inner] = entries[index] as [string, unknown];
          pending.push({ value: inner, segment: `.${key}`, parent: step });
        }
      }
    }
  }
}

/** The field's value when it is there and not flagged yet; a missing required one is reported. */
function presentValue(
  credentials: Credentials,
  field: string,
  issues: IssueCollector,
  options: { readonly required?: boolean; readonly extra?: string },
): unknown {
  if (issues.isFlagged(field)) return undefined;
  const value = credentials[field];
  if (isPresent(value)) return value;
  if (options.required) issues.required(field, options.extra);
  return undefined;
}

/** A string field; blank counts as missing. `extra` is appended to the "has no" message. */
export function readString(
  credentials: Credentials,
  field: string,
  issues: IssueCollector,
  options: { readonly required?: boolean; readonly extra?: string } = {},
): string | undefined {
  const value = presentValue(credentials, field, issues, options);
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    issues.wrongType(field, value, 'a string');
    return undefined;
  }
  return value;
}

/** Why `value` is not an acceptable absolute URL, or `undefined` when it is. */
function urlProblem(value: string, httpsOnly: boolean): string | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return `it does not start with ${httpsOnly ? 'https://' : 'http:// or https://'}`;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    return 'it is not a valid URL';
  }
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && !httpsOnly)) {
    return `its scheme is ${parsed.protocol}`;
  }
  if (parsed.hostname === '') return 'it has no host';
  if (parsed.username !== '' || parsed.password !== '') return 'it holds a user name or password';
  if (parsed.search !== '' || parsed.hash !== '') return 'it has a query or fragment';
  return undefined;
}

/** Trailing slashes removed so that `url + '/oauth/token'` never has `//`. */
export function stripTrailingSlashes(value: string): string {
  return value.replace(/\/+$/, '');
}

/** An absolute http(s) URL (https only when `httpsOnly`), returned trimmed and without trailing slashes. */
export function readUrl(
  credentials: Credentials,
  field: string,
  issues: IssueCollector,
  options: { readonly required?: boolean; readonly httpsOnly?: boolean; readonly extra?: string } = {},
): string | undefined {
  const raw = readString(credentials, field, issues, options);
  if (raw === undefined) return undefined;
  const value = raw.trim();
  const problem = urlProblem(value, options.httpsOnly ?? false);
  if (problem !== undefined) {
    const shape = options.httpsOnly ? 'an absolute https:// URL' : 'an absolute http(s) URL';
    issues.add(
      field,
      'invalid_url',
      `The ${describeField(field)} of the ${issues.subject} must be ${shape}, but ${problem}. Copy the value from the key unchanged.`,
    );
    return undefined;
  }
  return stripTrailingSlashes(value);
}

/** A TCP port given as a number or a string of digits (real keys use strings), 1..65535. */
export function readPort(
  credentials: Credentials,
  field: string,
  issues: IssueCollector,
  options: { readonly required?: boolean; readonly extra?: string } = {},
): number | undefined {
  const value = presentValue(credentials, field, issues, options);
  if (value === undefined) return undefined;
  let port: number | undefined;
  if (typeof value === 'number') port = value;
  else if (typeof value === 'string' && /^\s*\d{1,5}\s*$/.test(value)) port = Number(value);
  if (port === undefined || !Number.isInteger(port) || port < 1 || port > 65535) {
    // Only a number is shown back: any other text might be a secret pasted into the wrong field.
    const shown =
      typeof value === 'number' || (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value))
        ? `got ${String(value).trim()}`
        : typeof value === 'string'
          ? 'got text that is not a number'
          : `got a ${typeName(value)}`;
    issues.add(
      field,
      'invalid_port',
      `The ${describeField(field)} of the ${issues.subject} must be a port number from 1 to 65535 (${shown}). Copy the value from the key unchanged.`,
    );
    return undefined;
  }
  return port;
}

/** A host name (optionally `:port`) without scheme or path, as in `uaadomain`. */
export function readHost(
  credentials: Credentials,
  field: string,
  issues: IssueCollector,
  options: { readonly required?: boolean; readonly example: string; readonly allowPort?: boolean; readonly extra?: string },
): string | undefined {
  const raw = readString(credentials, field, issues, options);
  if (raw === undefined) return undefined;
  const value = raw.trim();
  const pattern = options.allowPort ? /^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::\d{1,5})?$/ : /^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/;
  if (!pattern.test(value)) {
    issues.add(
      field,
      'invalid_host',
      `The ${describeField(field)} of the ${issues.subject} must be a host name such as ${options.example}, without scheme, path or spaces. Copy the value from the key unchanged.`,
    );
    return undefined;
  }
  return value;
}
