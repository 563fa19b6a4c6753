/**
 * The certificates of a Java KeyStore (JKS, or JCEKS) without its password. In that format only the private
 * keys are encrypted: the certificates of key entries and trusted entries are plain DER, and the password is
 * needed only for the integrity digest at the end, which is not checked here because nothing is trusted on
 * the strength of it (the certificates are shown and downloaded, never used to authenticate anything).
 */

const JKS_MAGIC = 0xfeedfeed;
const JCEKS_MAGIC = 0xcececece;

export interface KeystoreCertificate {
  readonly alias: string;
  readonly der: Buffer;
}

export function isJavaKeystore(content: Buffer): boolean {
  if (content.length < 12) return false;
  const magic = content.readUInt32BE(0);
  return magic === JKS_MAGIC || magic === JCEKS_MAGIC;
}

/** Every X.509 certificate in the keystore, with its entry's alias; throws a plain Error on a damaged file. */
export function javaKeystoreCertificates(content: Buffer): KeystoreCertificate[] {
  const reader = new Reader(content);
  const magic = reader.u32();
  if (magic !== JKS_MAGIC && magic !== JCEKS_MAGIC) throw new Error('not a Java keystore (no JKS or JCEKS magic number)');
  const version = reader.u32();
  if (version !== 1 && version !== 2) throw new Error(`unknown Java keystore version ${version}`);
  const count = reader.u32();
  const found: KeystoreCertificate[] = [];
  const certificate = (alias: string) => {
    // Version 1 keystores carry only X.509 certificates and do not name the type.
    const type = version === 2 ? reader.utf() : 'X.509';
    const der = reader.bytes(reader.u32());
    if (type === 'X.509') found.push({ alias, der });
  };
  for (let entry = 0; entry < count; entry += 1) {
    const tag = reader.u32();
    const alias = reader.utf();
    reader.skip(8); // creation date
    if (tag === 1) {
      reader.skip(reader.u32()); // the encrypted private key
      const chain = reader.u32();
      for (let index = 0; index < chain; index += 1) certificate(chain > 1 ? `${alias} (${index + 1}/${chain})` : alias);
    } else if (tag === 2) {
      certificate(alias);
    } else {
      // A JCEKS secret key is a serialized Java object of unknown length: nothing after it can be read.
      break;
    }
  }
  return found;
}

class Reader {
  private offset = 0;

  constructor(private readonly buffer: Buffer) {}

  u32(): number {
    this.need(4);
    const value = this.buffer.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  utf(): string {
    this.need(2);
    const length = this.buffer.readUInt16BE(this.offset);
    this.offset += 2;
    return this.bytes(length).toString('utf8');
  }

  bytes(length: number): Buffer {
    this.need(length);
    const slice = this.buffer.subarray(this.offset, this.offset + length);
    this.offset += length;
    return slice;
  }

  skip(length: number): void {
    this.need(length);
    this.offset += length;
  }

  private need(length: number): void {
    if (this.offset + length > this.buffer.length) throw new Error('the Java keystore ends in the middle of an entry');
  }
}
