/**
 * Just enough DER decoding to pull the subject, the public key and the extensions out of an existing
 * certificate: walking tag-length-value elements, nothing typed. Malformed input throws `RangeError`.
 */

export interface DerElement {
  readonly tag: number;
  /** Offset of the tag byte. */
  readonly start: number;
  readonly contentStart: number;
  /** Offset just past the content. */
  readonly end: number;
}

export function readElement(der: Uint8Array, offset = 0, limit = der.length): DerElement {
  const tag = der[offset];
  const first = der[offset + 1];
  if (tag === undefined || first === undefined || offset + 2 > limit) throw new RangeError(`DER truncated at offset ${offset}`);
  if ((tag & 0x1f) === 0x1f) throw new RangeError(`DER high tag numbers are not supported (offset ${offset})`);
  let length = first;
  let contentStart = offset + 2;
  if (first & 0x80) {
    const count = first & 0x7f;
    // 0x80 is BER's indefinite length, which DER forbids; over 4 length bytes cannot fit a certificate.
    if (count === 0 || count > 4) throw new RangeError(`DER length form 0x${first.toString(16)} is not supported (offset ${offset})`);
    length = 0;
    for (let i = 0; i < count; i += 1) {
      const byte = der[contentStart + i];
      if (byte === undefined) throw new RangeError(`DER truncated at offset ${contentStart + i}`);
      length = length * 256 + byte;
    }
    contentStart += count;
  }
  const end = contentStart + length;
  if (end > limit) throw new RangeError(`DER element at offset ${offset} runs past its container`);
  return { tag, start: offset, contentStart, end };
}

/** The elements directly inside a constructed element. */
export function childrenOf(der: Uint8Array, parent: DerElement): DerElement[] {
  const children: DerElement[] = [];
  for (let offset = parent.contentStart; offset < parent.end;) {
    const child = readElement(der, offset, parent.end);
    children.push(child);
    offset = child.end;
  }
  return children;
}

export function contentOf(der: Uint8Array, element: DerElement): Buffer {
  return Buffer.from(der.subarray(element.contentStart, element.end));
}

/** The whole encoding (tag, length and content), e.g. to copy a Name verbatim. */
export function encodingOf(der: Uint8Array, element: DerElement): Buffer {
  return Buffer.from(der.subarray(element.start, element.end));
}
