/**
 * An LDAP Notice of Disconnection (RFC 4511 §4.4.1): the unsolicited ExtendedResponse (message ID 0) a server sends
 * before it closes a connection on its own, so that a client reports why (`ldapsearch` prints the result code and
 * the diagnostic message) instead of an unexplained close.
 */

export const LdapResult = { unavailable: 52, unwillingToPerform: 53 } as const;

const noticeOfDisconnectionOid = '1.3.6.1.4.1.1466.20036';

export function noticeOfDisconnection(resultCode: number, message: string): Buffer {
  const response = Buffer.concat([
    tlv(0x0a, Buffer.from([resultCode])), // resultCode ENUMERATED
    tlv(0x04, Buffer.alloc(0)), // matchedDN
    tlv(0x04, Buffer.from(message.slice(0, 1000), 'utf8')), // diagnosticMessage
    tlv(0x8a, Buffer.from(noticeOfDisconnectionOid, 'latin1')), // responseName [10]
  ]);
  return tlv(0x30, Buffer.concat([tlv(0x02, Buffer.from([0])), tlv(0x78, response)]));
}

/** BER type-length-value with a definite length (short form below 128, else one or two length bytes). */
function tlv(type: number, value: Buffer): Buffer {
  const length = value.length;
  const head =
    length < 0x80 ? Buffer.from([type, length]) : length < 0x100 ? Buffer.from([type, 0x81, length]) : Buffer.from([type, 0x82, length >> 8, length & 0xff]);
  return Buffer.concat([head, value]);
}
