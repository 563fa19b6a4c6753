/**
 * The few DER (X.690) encoders an X.509 certificate needs. Every function returns one complete
 * tag-length-value; callers nest them. Only low tag numbers (< 31) occur in X.509, so tags are one byte.
 */

export const Tag = {
  Boolean: 0x01,
  Integer: 0x02,
  BitString: 0x03,
  OctetString: 0x04,
  Null: 0x05,
  ObjectIdentifier: 0x06,
  Utf8String: 0x0c,
  Ia5String: 0x16,
  UtcTime: 0x17,
  GeneralizedTime: 0x18,
  Sequence: 0x30,
  Set: 0x31,
} as const;

/** Definite-length octets: short form below 128, else 0x80|n followed by n big-endian length bytes. */
export function encodeLength(length: number): Buffer {
  if (!Number.isSafeInteger(length) || length < 0) throw new RangeError(`DER length ${length} is not a non-negative integer`);
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, content: Uint8Array | readonly Uint8Array[]): Buffer {
  const body = content instanceof Uint8Array ? Buffer.from(content) : Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), encodeLength(body.length), body]);
}

export function sequence(...items: readonly Uint8Array[]): Buffer {
  return tlv(Tag.Sequence, items);
}

/** DER orders the members of a SET OF by their encodings, so equal input always gives equal bytes. */
export function set(...items: readonly Uint8Array[]): Buffer {
  return tlv(
    Tag.Set,
    [...items].sort((a, b) => Buffer.compare(a, b)),
  );
}

/**
 * A non-negative INTEGER. Byte input is an unsigned big-endian magnitude: redundant leading zeros are
 * dropped (DER wants the minimal form) and one is added back when the high bit would read as a sign.
 */
export function integer(value: bigint | number | Uint8Array): Buffer {
  let bytes: Buffer;
  if (value instanceof Uint8Array) {
    bytes = Buffer.from(value);
  } else {
    const big = BigInt(value);
    if (big < 0n) throw new RangeError('Negative DER INTEGERs are not supported');
    const hex = big.toString(16);
    bytes = Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex');
  }
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start += 1;
  bytes = bytes.subarray(start);
  if (bytes.length === 0) bytes = Buffer.from([0]);
  if ((bytes[0] ?? 0) & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return tlv(Tag.Integer, bytes);
}

export function boolean(value: boolean): Buffer {
  return tlv(Tag.Boolean, Buffer.from([value ? 0xff : 0x00]));
}

export function nullValue(): Buffer {
  return tlv(Tag.Null, Buffer.alloc(0));
}

/** Dotted text such as `2.5.29.17`; arcs after the first two are base-128 with continuation bits. */
export function objectIdentifier(dotted: string): Buffer {
  const arcs = dotted.split('.').map((arc) => (/^\d+$/.test(arc) ? Number(arc) : Number.NaN));
  const [first, second, ...rest] = arcs;
  if (first === undefined || second === undefined || arcs.some((arc) => !Number.isSafeInteger(arc)) || first > 2 || (first < 2 && second > 39)) {
    throw new RangeError(`"${dotted}" is not a valid object identifier`);
  }
  const bytes: number[] = [];
  for (const arc of [first * 40 + second, ...rest]) {
    const groups = [arc % 128];
    for (let high = Math.floor(arc / 128); high > 0; high = Math.floor(high / 128)) groups.unshift((high % 128) | 0x80);
    bytes.push(...groups);
  }
  return tlv(Tag.ObjectIdentifier, Buffer.from(bytes));
}

export function utf8String(text: string): Buffer {
  return tlv(Tag.Utf8String, Buffer.from(text, 'utf8'));
}

export function octetString(content: Uint8Array): Buffer {
  return tlv(Tag.OctetString, content);
}

export function bitString(content: Uint8Array, unusedBits = 0): Buffer {
  return tlv(Tag.BitString, [Buffer.from([unusedBits]), content]);
}

/**
 * A named BIT STRING such as KeyUsage, given the numbers of the bits that are set (bit 0 is the most
 * significant bit of the first byte). DER drops trailing zero bits, so the length depends on the highest bit.
 */
export function namedBitString(bits: readonly number[]): Buffer {
  if (bits.length === 0) return bitString(Buffer.alloc(0));
  const highest = Math.max(...bits);
  const bytes = Buffer.alloc(Math.floor(highest / 8) + 1);
  for (const bit of bits) bytes[Math.floor(bit / 8)] = (bytes[Math.floor(bit / 8)] ?? 0) | (0x80 >> (bit % 8));
  return bitString(bytes, 7 - (highest % 8));
}

/**
 * An X.509 Time: RFC 5280 §4.1.2.5 requires UTCTime for years 1950-2049 and GeneralizedTime otherwise,
 * always in UTC with whole seconds and a `Z`.
 */
export function time(date: Date): Buffer {
  const year = date.getUTCFullYear();
  if (year < 0 || year > 9999) throw new RangeError(`Year ${year} cannot be written as an X.509 time`);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const rest = `${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}Z`;
  if (year >= 1950 && year < 2050) return tlv(Tag.UtcTime, Buffer.from(`${pad(year % 100)}${rest}`, 'ascii'));
  return tlv(Tag.GeneralizedTime, Buffer.from(`${pad(year, 4)}${rest}`, 'ascii'));
}

/** `[n] EXPLICIT`: a constructed context tag wrapping a complete encoding. */
export function explicit(tagNumber: number, inner: Uint8Array): Buffer {
  return tlv(0xa0 | tagNumber, inner);
}

/** `[n] IMPLICIT` over a primitive type: the context tag replaces the type's own tag. */
export function implicit(tagNumber: number, content: Uint8Array): Buffer {
  return tlv(0x80 | tagNumber, content);
}
