/**
 * PROXY protocol v2 (haproxy, "The PROXY protocol", §2.2), the standard way a TCP relay tells a backend about
 * the connection it relays. The Cloud Connector emulation sends it first on every connection to the sandbox's own
 * on-premise systems, with the proof that it is the connector in a custom TLV (see `OnPremiseNetwork`), and on TCP
 * mappings with principal propagation, the user name in a custom TLV, since raw TCP has no header to carry a user.
 */

const signature = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
/** v2, PROXY command. */
const versionCommand = 0x21;
/** AF_UNSPEC: the cloud-side addresses mean nothing on premise; only the TLVs do. */
const familyUnspecified = 0x00;
/** PP2_TYPE_AUTHORITY: the virtual host the client asked for. */
const tlvAuthority = 0x02;
/** First of the custom TLV types (PP2_TYPE_MIN_CUSTOM): the propagated user name, UTF-8. */
export const tlvUser = 0xe0;
/** Custom TLV: the Cloud Connector's proof for the sandbox's on-premise systems (raw bytes). */
export const tlvConnectorProof = 0xe1;
const maxHeaderBytes = 16 + 4096;

export interface ProxyHeaderInfo {
  readonly user?: string;
  readonly authority?: string;
  readonly proof?: Buffer;
}

export function encodeProxyHeader(info: ProxyHeaderInfo): Buffer {
  const tlvs: Buffer[] = [];
  const tlv = (type: number, content: string | Buffer) => {
    const value = (typeof content === 'string' ? Buffer.from(content, 'utf8') : content).subarray(0, 1024);
    const head = Buffer.alloc(3);
    head.writeUInt8(type, 0);
    head.writeUInt16BE(value.length, 1);
    tlvs.push(head, value);
  };
  if (info.authority !== undefined) tlv(tlvAuthority, info.authority);
  if (info.user !== undefined) tlv(tlvUser, info.user);
  if (info.proof !== undefined) tlv(tlvConnectorProof, info.proof);
  const body = Buffer.concat(tlvs);
  const head = Buffer.alloc(4);
  head.writeUInt8(versionCommand, 0);
  head.writeUInt8(familyUnspecified, 1);
  head.writeUInt16BE(body.length, 2);
  return Buffer.concat([signature, head, body]);
}

export type ProxyHeaderParse =
  | { readonly kind: 'absent' }
  | { readonly kind: 'incomplete' }
  | { readonly kind: 'invalid' }
  | { readonly kind: 'header'; readonly length: number; readonly info: ProxyHeaderInfo };

/** Looks for a header at the start of `data`; `incomplete` while the bytes so far could still be one. */
export function parseProxyHeader(data: Buffer): ProxyHeaderParse {
  const prefix = data.subarray(0, signature.length);
  if (!signature.subarray(0, prefix.length).equals(prefix)) return { kind: 'absent' };
  if (data.length < 16) return { kind: 'incomplete' };
  if (data.readUInt8(12) >> 4 !== 2) return { kind: 'invalid' };
  const length = 16 + data.readUInt16BE(14);
  if (length > maxHeaderBytes) return { kind: 'invalid' };
  if (data.length < length) return { kind: 'incomplete' };
  const family = data.readUInt8(13) >> 4;
  const addressBytes = family === 1 ? 12 : family === 2 ? 36 : family === 3 ? 216 : 0;
  let offset = 16 + addressBytes;
  let user: string | undefined;
  let authority: string | undefined;
  let proof: Buffer | undefined;
  while (offset + 3 <= length) {
    const type = data.readUInt8(offset);
    const size = data.readUInt16BE(offset + 1);
    const value = data.subarray(offset + 3, offset + 3 + size);
    if (offset + 3 + size > length) return { kind: 'invalid' };
    if (type === tlvUser) user = value.toString('utf8');
    if (type === tlvAuthority) authority = value.toString('utf8');
    if (type === tlvConnectorProof) proof = Buffer.from(value);
    offset += 3 + size;
  }
  return {
    kind: 'header',
    length,
    info: { ...(user !== undefined ? { user } : {}), ...(authority !== undefined ? { authority } : {}), ...(proof !== undefined ? { proof } : {}) },
  };
}
