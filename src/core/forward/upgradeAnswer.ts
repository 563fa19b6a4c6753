import type { Socket } from 'node:net';

/** The upstream's answer to an upgrade request, parsed strictly enough to be filtered and written again. */
export interface UpgradeAnswer {
  readonly status: number;
  readonly reason: string;
  readonly headers: Record<string, string | string[]>;
  /** Bytes that came after the head (the first frames, or the start of an error body). */
  readonly rest: Buffer;
}

const maxHeadBytes = 16 * 1024;
const statusLine = /^HTTP\/1\.[01] (\d{3})(?: ([\t\x20-\x7e]*))?$/;
const headerLine = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[\t ]*([\t\x20-\x7e\x80-\xff]*?)[\t ]*$/;

/**
 * Reads the response head of an upgrade from `socket`. Anything a client parser could read differently — a bare
 * CR or LF, NUL, folded lines, a head over 16 KiB — rejects, so that nothing the upstream sends reaches the
 * client unfiltered (F1).
 */
export function readUpgradeAnswer(socket: Socket): Promise<UpgradeAnswer> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const done = (error?: Error, answer?: UpgradeAnswer) => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('error', onError);
      if (error) reject(error);
      else resolve(answer as UpgradeAnswer);
    };
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buffered.length > maxHeadBytes) done(new Error('the upstream answered the upgrade with a head over 16 KiB'));
        return;
      }
      if (end > maxHeadBytes) return done(new Error('the upstream answered the upgrade with a head over 16 KiB'));
      socket.pause();
      const parsed = parseHead(buffered.subarray(0, end).toString('latin1'));
      if (typeof parsed === 'string') return done(new Error(parsed));
      done(undefined, { ...parsed, rest: buffered.subarray(end + 4) });
    };
    const onEnd = () => done(new Error('the upstream closed the connection without answering the upgrade'));
    const onError = (error: Error) => done(error);
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('error', onError);
  });
}

function parseHead(text: string): Omit<UpgradeAnswer, 'rest'> | string {
  const lines = text.split('\r\n');
  const first = statusLine.exec(lines[0] ?? '');
  if (!first) return 'the upstream answered the upgrade with no valid status line';
  const headers: Record<string, string | string[]> = {};
  for (const line of lines.slice(1)) {
    const match = headerLine.exec(line);
    if (!match) return 'the upstream answered the upgrade with a malformed header line';
    const name = (match[1] as string).toLowerCase();
    const value = match[2] as string;
    const existing = headers[name];
    headers[name] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return { status: Number(first[1]), reason: first[2] ?? '', headers };
}

/** A response head as bytes; values were parsed or set by us, names are tokens. */
export function serializeHead(status: number, reason: string, headers: Readonly<Record<string, string | string[] | number | undefined>>): string {
  const lines = [`HTTP/1.1 ${status} ${reason}`];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${item}`);
  }
  return `${lines.join('\r\n')}\r\n\r\n`;
}
