/**
 * The few header fields a mailbox listing shows, read from a raw RFC 5322 message: the header section ends at the
 * first empty line, folded lines are unfolded (RFC 5322 §2.2.3), encoded words are decoded (RFC 2047, as mail
 * clients write non-ASCII subjects and names). Unknown charsets and broken words stay as they were.
 */
export interface MailHeaders {
  readonly from?: string;
  readonly to?: string;
  readonly subject?: string;
  readonly date?: string;
  readonly messageId?: string;
}

export function parseMailHeaders(raw: Buffer | string): MailHeaders {
  const text = typeof raw === 'string' ? raw : raw.toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  const section = end >= 0 ? text.slice(0, end) : text;
  const fields = new Map<string, string>();
  for (const line of section.replace(/\r?\n(?=[ \t])/g, '').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    // The first occurrence counts (a relay may prepend its own copies of trace fields, not of these).
    if (!fields.has(name)) fields.set(name, decodeWords(line.slice(colon + 1).trim()));
  }
  const pick = (name: string) => fields.get(name);
  const result: Record<string, string> = {};
  for (const [key, name] of [
    ['from', 'from'],
    ['to', 'to'],
    ['subject', 'subject'],
    ['date', 'date'],
    ['messageId', 'message-id'],
  ] as const) {
    const value = pick(name);
    if (value !== undefined) result[key] = value;
  }
  return result;
}

/** `=?charset?B|Q?text?=` words decoded; whitespace between two adjacent encoded words dropped (RFC 2047 §6.2). */
export function decodeWords(value: string): string {
  // Header bytes were read as latin1: bring 8-bit UTF-8 text (RFC 6532) back first.
  const text = /[\x80-\xff]/.test(value) ? Buffer.from(value, 'latin1').toString('utf8') : value;
  return text
    .replace(/(=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=)\s+(?==\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=)/g, '$1')
    .replace(/=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g, (word, charset: string, encoding: string, encoded: string) => {
      const bytes = encoding.toUpperCase() === 'B' ? Buffer.from(encoded, 'base64') : qBytes(encoded);
      try {
        return new TextDecoder(charset.replace(/\*.*$/, '').toLowerCase(), { fatal: true }).decode(bytes);
      } catch {
        return word;
      }
    });
}

function qBytes(encoded: string): Buffer {
  const bytes: number[] = [];
  for (let index = 0; index < encoded.length; index++) {
    const char = encoded[index] as string;
    if (char === '_') bytes.push(0x20);
    else if (char === '=' && /^[0-9a-fA-F]{2}$/.test(encoded.slice(index + 1, index + 3))) {
      bytes.push(parseInt(encoded.slice(index + 1, index + 3), 16));
      index += 2;
    } else bytes.push(char.charCodeAt(0));
  }
  return Buffer.from(bytes);
}
