import { readString, readUrl } from './fields';
import { describeField, isPresent, type IssueCollector } from './issues';
import type { ClientAuth } from './types';

/** The client authentication of a key: client secret, or X.509 certificate + private key + `certurl`. */

/** X.509 when `credential-type` says so (`x509`, IAS-style `X509_GENERATED`...), or a certificate/key pair comes without a secret. */
export function isX509Key(credentials: Readonly<Record<string, unknown>>): boolean {
  const type = credentials['credential-type'];
  if (typeof type === 'string' && type.trim().toLowerCase().startsWith('x509')) return true;
  return isPresent(credentials.certificate) && isPresent(credentials.key) && !isPresent(credentials.clientsecret);
}

export function readClientAuth(credentials: Readonly<Record<string, unknown>>, issues: IssueCollector): ClientAuth | undefined {
  if (!isX509Key(credentials)) {
    const clientSecret = readString(credentials, 'clientsecret', issues, {
      required: true,
      extra: ' It has no X.509 "certificate" and "key" either.',
    });
    return clientSecret === undefined ? undefined : { kind: 'secret', clientSecret };
  }
  const extra = ' An X.509 key needs "certificate", "key" and "certurl".';
  const certificate = readPem(credentials, 'certificate', '-----BEGIN CERTIFICATE-----', '"-----BEGIN CERTIFICATE-----"', issues, extra);
  const key = readPem(credentials, 'key', 'PRIVATE KEY-----', '"-----BEGIN ... PRIVATE KEY-----"', issues, extra);
  const certUrl = readUrl(credentials, 'certurl', issues, { required: true, httpsOnly: true, extra });
  if (certificate === undefined || key === undefined || certUrl === undefined) return undefined;
  return { kind: 'x509', certificate, key, certUrl };
}

/** A PEM field that must contain `marker`; the message never quotes the value. */
function readPem(
  credentials: Readonly<Record<string, unknown>>,
  field: 'certificate' | 'key',
  marker: string,
  markerText: string,
  issues: IssueCollector,
  extra: string,
): string | undefined {
  const value = readString(credentials, field, issues, { required: true, extra });
  if (value === undefined) return undefined;
  if (!value.includes(marker)) {
    issues.add(
      field,
      'invalid_pem',
      `The ${describeField(field)} of the ${issues.subject} is not in PEM format: it lacks the ${markerText} line. Copy the whole value from the key, including its BEGIN and END lines.`,
    );
    return undefined;
  }
  return value;
}
