import type { DestinationServiceClient } from '../destinationService/client';
import type { DestinationLevel, DestinationRecord } from '../destinationService/types';
import { BtpError, ErrorCode } from '../errors';

/**
 * Which destinations and fragments name a certificate, so that deleting it does not silently break them. The
 * Destination service itself deletes a certificate in use without a word; the destination then fails at
 * find-destination or at the TLS handshake.
 */

/**
 * A property that names a certificate: `KeyStoreLocation`, `TrustStoreLocation` and their prefixed forms
 * (`tokenService.KeyStoreLocation`, `tokenService.TrustStoreLocation`, …), in any case.
 */
const referenceProperty = /(^|\.)(keystore|truststore)location$/i;

export interface CertificateReference {
  readonly kind: 'destination' | 'fragment';
  readonly name: string;
  readonly property: string;
  readonly level: DestinationLevel;
}

/** Every property of `records` that names certificate `certificate` (exactly; names are case-sensitive). */
export function referencesIn(
  certificate: string,
  records: readonly DestinationRecord[],
  kind: CertificateReference['kind'],
  level: DestinationLevel,
): CertificateReference[] {
  return records.flatMap((record) =>
    Object.entries(record)
      .filter(([property, value]) => referenceProperty.test(property) && typeof value === 'string' && value.trim() === certificate)
      .map(([property]) => ({ kind, name: (kind === 'fragment' ? record.FragmentName : record.Name) ?? '', property, level })),
  );
}

export type CertificateClient = Pick<DestinationServiceClient, 'list' | 'listFragments' | 'listCertificates' | 'deleteCertificate'>;

/**
 * The references that stop `name` at `level` from being deleted: destinations and fragments of that level, and
 * for a subaccount certificate also the instance's, where the instance has no certificate of that name (the
 * service then resolves the name at the subaccount).
 */
export async function certificateReferences(client: CertificateClient, level: DestinationLevel, name: string): Promise<CertificateReference[]> {
  const atLevel = async (where: DestinationLevel) => [
    ...referencesIn(name, await client.list(where), 'destination', where),
    ...referencesIn(name, await client.listFragments(where), 'fragment', where),
  ];
  const found = await atLevel(level);
  if (level === 'subaccount') {
    const shadowed = (await client.listCertificates('instance')).some((certificate) => certificate.Name === name);
    if (!shadowed) found.push(...(await atLevel('instance')));
  }
  return found;
}

/** Deletes certificate `name` unless a destination or fragment names it; `CertificateInUse` lists them. */
export async function deleteUnusedCertificate(client: CertificateClient, level: DestinationLevel, name: string): Promise<void> {
  const references = await certificateReferences(client, level, name);
  if (references.length > 0) {
    throw new BtpError(ErrorCode.CertificateInUse, `${describeReferences(name, references)} Change or delete them first, then delete the certificate.`, {
      field: 'Name',
      details: { certificate: name, level, references },
    });
  }
  await client.deleteCertificate(level, name);
}

/** `Certificate "x" is named by destination "a" (KeyStoreLocation) and fragment "f" (TrustStoreLocation, instance level).` */
export function describeReferences(certificate: string, references: readonly CertificateReference[]): string {
  const items = references.map(
    (reference) => `${reference.kind} "${reference.name}" (${reference.property}${reference.level === 'instance' ? ', instance level' : ''})`,
  );
  return `Certificate "${certificate}" is named by ${items.join(', ')}.`;
}
