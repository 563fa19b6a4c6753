import { createHash } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import type { CertificateRecord, DestinationRecord } from '../destinationService/types';
import { BtpError, ErrorCode } from '../errors';

/** A client keystore ready for Node's TLS options: PKCS#12 as `pfx`, PEM as `cert` + `key`. */
export type ClientKeystore =
  { readonly pfx: Buffer; readonly passphrase?: string } | { readonly cert: string; readonly key: string; readonly passphrase?: string };

/**
 * Key stores (by content and password) that opened already: a PKCS#12 costs about 10 ms of key derivation, and
 * every resolution of the destination (and every WebSocket upgrade) asks again. Bounded; only digests are kept.
 */
const openedBefore = new Set<string>();

/** OpenSSL's words for a password that does not open the store (PKCS#12 MAC, encrypted PEM key). */
const wrongPassword = /mac verify failure|bad decrypt|bad password|maybe wrong password/i;

/**
 * The destination's `KeyStoreLocation` certificate as TLS options, opened once here so that a wrong
 * `KeyStorePassword` or a damaged keystore is an error naming the property, not a handshake failure later.
 * `.p12`/`.pfx` are PKCS#12 (what SAP's approuter requires); anything else is read as PEM (certificate and key).
 */
export function openClientKeystore(destination: DestinationRecord, keystore: CertificateRecord): ClientKeystore {
  const content = Buffer.from(keystore.Content, 'base64');
  const passphrase = destination.KeyStorePassword || undefined;
  const pkcs12 = /\.(p12|pfx)$/i.test(keystore.Name);
  const options: ClientKeystore = pkcs12
    ? { pfx: content, ...(passphrase ? { passphrase } : {}) }
    : { cert: content.toString('utf8'), key: content.toString('utf8'), ...(passphrase ? { passphrase } : {}) };
  const digest = createHash('sha256')
    .update(keystore.Name)
    .update('\0')
    .update(content)
    .update('\0')
    .update(passphrase ?? '')
    .digest('hex');
  if (openedBefore.has(digest)) return options;
  try {
    createSecureContext(options);
    if (openedBefore.size >= 64) openedBefore.clear();
    openedBefore.add(digest);
  } catch (cause) {
    const said = (cause as Error).message;
    const name = destination.Name ?? 'the destination';
    if (wrongPassword.test(said)) {
      throw new BtpError(
        ErrorCode.InvalidInput,
        passphrase
          ? `KeyStorePassword of destination "${name}" does not open the key store "${keystore.Name}" (${said}): set the password the key store was exported with.`
          : `The key store "${keystore.Name}" of destination "${name}" is password-protected and KeyStorePassword is not set: set it to the key store's password.`,
        { field: 'KeyStorePassword' },
      );
    }
    throw new BtpError(
      ErrorCode.InvalidInput,
      `The key store "${keystore.Name}" named in KeyStoreLocation of destination "${name}" cannot be read as ${pkcs12 ? 'PKCS#12' : 'PEM (certificate and private key)'} (${said}): upload it again${pkcs12 ? '' : ', or as .p12'}.`,
      { field: 'KeyStoreLocation' },
    );
  }
  return options;
}
