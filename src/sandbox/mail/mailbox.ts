import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../core/fs/atomicWrite';
import { parseMailHeaders, type MailHeaders } from './headers';

/** The mailbox's folder inside the sandbox folder. */
export const MAILBOX_FOLDER = 'mailbox';

export function mailboxDirectory(sandboxDirectory: string): string {
  return join(sandboxDirectory, MAILBOX_FOLDER);
}

/** SMTP's envelope: what MAIL FROM and RCPT TO said (Bcc recipients are only here). */
export interface Envelope {
  readonly from?: string;
  readonly to: readonly string[];
}

/** One received mail as a listing shows it. */
export interface MailEntry extends MailHeaders {
  /** `<timestamp>-<id>.eml`; names sort by arrival. */
  readonly file: string;
  /** Its full path; absent for a sandbox without a folder (mail kept in memory). */
  readonly path?: string;
  /** When the sandbox received it (ISO 8601). */
  readonly receivedAt: string;
  readonly size: number;
}

/** How much of a file the listing reads: the header section, not the attachments. */
const headerBytes = 64 * 1024;
/** A sandbox without a folder keeps this many mails, the newest. */
const memoryLimit = 1000;
const fileName = /^(\d{4}-\d{2}-\d{2}T\d{6}(?:\.\d{3})?Z)-[0-9a-f]+\.eml$/;

/**
 * Where the sandbox's SMTP server puts what it accepts: one raw RFC 5322 file per mail, written atomically (a reader
 * never sees half a mail), or, without a sandbox folder, memory.
 */
export class Mailbox {
  private readonly memory: { entry: MailEntry; raw: Buffer }[] = [];

  /** `directory` is the mailbox folder itself (`mailboxDirectory(sandbox folder)`). */
  constructor(readonly directory?: string) {}

  async deliver(message: Buffer, envelope: Envelope): Promise<MailEntry> {
    const received = new Date();
    const file = `${received.toISOString().replace(/:/g, '')}-${randomBytes(4).toString('hex')}.eml`;
    // Trace fields as the delivering MTA adds them (Postfix: Return-Path, X-Original-To), so Bcc recipients show.
    const trace = `Return-Path: <${envelope.from ?? ''}>\r\n${envelope.to.length > 0 ? `X-Original-To: ${envelope.to.join(', ')}\r\n` : ''}`;
    const raw = Buffer.concat([Buffer.from(trace, 'utf8'), message]);
    const entry = { file, receivedAt: received.toISOString(), size: raw.length, ...parseMailHeaders(raw.subarray(0, headerBytes)) };
    if (!this.directory) {
      this.memory.push({ entry, raw });
      if (this.memory.length > memoryLimit) this.memory.shift();
      return entry;
    }
    await mkdir(this.directory, { recursive: true, mode: 0o700 });
    const path = join(this.directory, file);
    await writeFileAtomic(path, raw);
    return { ...entry, path };
  }

  /** Newest first. */
  async list(): Promise<MailEntry[]> {
    if (this.directory) return listMailboxFolder(this.directory);
    return this.memory.map((item) => item.entry).reverse();
  }

  /** The raw mail of a sandbox without a folder (with one, read `entry.path`). */
  rawOf(file: string): Buffer | undefined {
    return this.memory.find((item) => item.entry.file === file)?.raw;
  }
}

/** The mails in a mailbox folder, newest first; a folder not created yet (no mail so far) lists none. */
export async function listMailboxFolder(directory: string): Promise<MailEntry[]> {
  let names: string[];
  try {
    names = await readdir(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const entries: MailEntry[] = [];
  for (const name of names
    .filter((item) => item.endsWith('.eml'))
    .sort()
    .reverse()) {
    const path = join(directory, name);
    try {
      entries.push(await readEntry(path, name));
    } catch (error) {
      // Deleted between readdir and open (someone tidying the folder): not a mail any more.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return entries;
}

async function readEntry(path: string, file: string): Promise<MailEntry> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(headerBytes);
    const { bytesRead } = await handle.read(buffer, 0, headerBytes, 0);
    const info = await handle.stat();
    const stamp = fileName.exec(file)?.[1];
    const receivedAt = stamp ? new Date(stamp.replace(/T(\d{2})(\d{2})(\d{2})/, 'T$1:$2:$3')) : info.mtime;
    return {
      file,
      path,
      receivedAt: (Number.isNaN(receivedAt.getTime()) ? info.mtime : receivedAt).toISOString(),
      size: info.size,
      ...parseMailHeaders(buffer.subarray(0, bytesRead)),
    };
  } finally {
    await handle.close();
  }
}
