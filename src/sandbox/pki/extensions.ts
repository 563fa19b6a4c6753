import { createHash } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import * as der from './der';
import { childrenOf, contentOf, readElement } from './der-reader';
import { ipAddressOctets } from './ip';
import { Oid } from './oids';

/** Bit numbers of the KeyUsage BIT STRING (RFC 5280 §4.2.1.3). */
export const KeyUsage = {
  digitalSignature: 0,
  keyEncipherment: 2,
  keyCertSign: 5,
  cRLSign: 6,
} as const;

/** One `Extension`; DER omits `critical` when it has its default, FALSE. */
function extension(oid: string, critical: boolean, value: Buffer): Buffer {
  return der.sequence(der.objectIdentifier(oid), ...(critical ? [der.boolean(true)] : []), der.octetString(value));
}

/**
 * Critical in both cases, as mkcert and public CAs do. A leaf's `cA` is FALSE, the DER default, so its
 * value is an empty SEQUENCE.
 */
export function basicConstraints(isCa: boolean): Buffer {
  return extension(Oid.basicConstraints, true, isCa ? der.sequence(der.boolean(true)) : der.sequence());
}

export function keyUsage(bits: readonly number[]): Buffer {
  return extension(Oid.keyUsage, true, der.namedBitString(bits));
}

export function extendedKeyUsage(purposes: readonly string[]): Buffer {
  return extension(Oid.extKeyUsage, false, der.sequence(...purposes.map((purpose) => der.objectIdentifier(purpose))));
}

/**
 * Names are checked by the caller. Non-critical because the subject always has a CN; TLS clients match
 * hosts against these entries only, never against the CN.
 */
export function subjectAltName(dnsNames: readonly string[], ipAddresses: readonly string[]): Buffer {
  const names = [
    ...dnsNames.map((name) => der.implicit(2, Buffer.from(name, 'ascii'))),
    ...ipAddresses.map((address) => {
      const octets = ipAddressOctets(address);
      if (octets === undefined) throw new RangeError(`"${address}" is not an IP address`);
      return der.implicit(7, octets);
    }),
  ];
  return extension(Oid.subjectAltName, false, der.sequence(...names));
}

export function subjectKeyIdentifier(keyId: Buffer): Buffer {
  return extension(Oid.subjectKeyIdentifier, false, der.octetString(keyId));
}

/** Only the `keyIdentifier` field ([0] IMPLICIT); it lets verifiers pick the right CA key quickly. */
export function authorityKeyIdentifier(keyId: Buffer): Buffer {
  return extension(Oid.authorityKeyIdentifier, false, der.sequence(der.implicit(0, keyId)));
}

/**
 * RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING's value (without its unused-bits
 * byte), which is what OpenSSL writes too. SHA-1 is fine here: this is an identifier, not a signature.
 */
export function keyIdentifier(publicKey: KeyObject): Buffer {
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const [, subjectPublicKey] = childrenOf(spki, readElement(spki));
  if (subjectPublicKey?.tag !== der.Tag.BitString) throw new RangeError('SubjectPublicKeyInfo has no public key BIT STRING');
  return createHash('sha1').update(contentOf(spki, subjectPublicKey).subarray(1)).digest();
}
