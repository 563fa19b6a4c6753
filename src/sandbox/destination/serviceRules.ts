/**
 * What the sandbox Destination service itself refuses on create/update. It is deliberately lighter than the
 * core validator (which runs in our CLI and editor): a service accepts what the real one accepts, so that SAP
 * tools writing through it are not blocked by rules that only our UI enforces.
 */

import { certificateContentProblem, certificateNameProblem } from '../../core/certificates/certificateFiles';

export type Rules = (value: Record<string, unknown>) => string | undefined;

const namePattern = /^[A-Za-z0-9_-]{1,200}$/;
const types = new Set(['HTTP', 'RFC', 'MAIL', 'LDAP', 'TCP']);
const forbidden = /[\r\n\0]/;

function stringsOnly(value: Record<string, unknown>): string | undefined {
  for (const [name, inner] of Object.entries(value)) {
    if (typeof inner !== 'string') return `Property "${name}" must be a string`;
    if (forbidden.test(name) || forbidden.test(inner)) return `Property "${name}" contains a line break or NUL character`;
  }
  return undefined;
}

export const destinationRules: Rules = (value) => {
  const problem = stringsOnly(value);
  if (problem) return problem;
  if (typeof value.Name !== 'string' || !namePattern.test(value.Name)) {
    return 'Name is required and may contain only letters, digits, "_" and "-" (at most 200 characters)';
  }
  if (typeof value.Type !== 'string' || !types.has(value.Type)) return 'Type is required and must be one of HTTP, RFC, MAIL, LDAP, TCP';
  if (value.Type === 'HTTP') {
    try {
      new URL(String(value.URL));
    } catch {
      return 'URL is required for HTTP destinations and must be an absolute URL';
    }
  }
  return undefined;
};

export const fragmentRules: Rules = (value) => {
  const problem = stringsOnly(value);
  if (problem) return problem;
  if (typeof value.FragmentName !== 'string' || !namePattern.test(value.FragmentName)) {
    return 'FragmentName is required and may contain only letters, digits, "_" and "-"';
  }
  return undefined;
};

/**
 * Certificates as SAP's service takes them: the name's extension declares the format (PEM, CER, CRT, P12, PFX,
 * JKS), `Content` is the file in strict base64, and the file must be what its name says.
 */
export const certificateRules: Rules = (value) => {
  const problem = stringsOnly(value);
  if (problem) return problem;
  if (typeof value.Name !== 'string') return 'Name is required, e.g. "truststore.pem"';
  const nameProblem = certificateNameProblem(value.Name);
  if (nameProblem) return nameProblem;
  if (typeof value.Content !== 'string' || !strictBase64.test(value.Content) || value.Content.length % 4 !== 0) {
    return 'Content is required and must be the certificate or keystore file in base64 (no line breaks or spaces)';
  }
  return certificateContentProblem(value.Name, Buffer.from(value.Content, 'base64'));
};

const strictBase64 = /^[A-Za-z0-9+/]+={0,2}$/;
