/** The object identifiers the sandbox PKI writes, in dotted form. */
export const Oid = {
  // Name attributes (X.520)
  commonName: '2.5.4.3',
  organizationName: '2.5.4.10',
  organizationalUnitName: '2.5.4.11',
  // Signature algorithm (RFC 4055)
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
  // Certificate extensions (RFC 5280 §4.2)
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  // Extended key usage purposes
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
} as const;
