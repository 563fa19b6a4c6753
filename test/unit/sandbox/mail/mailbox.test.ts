import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeWords, parseMailHeaders } from '../../../../src/sandbox/mail/headers';
import { listMailboxFolder, Mailbox, mailboxDirectory } from '../../../../src/sandbox/mail/mailbox';

const message = (subject: string, extra = '') =>
  Buffer.from(
    `From: "Ann" <ann@example.com>\r\nTo: bob@example.com\r\nSubject: ${subject}\r\nDate: Mon, 07 Dec 2026 10:00:00 +0000\r\n${extra}\r\nBody line\r\nSubject: not a header\r\n`,
  );

describe('sandbox mailbox', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'btp-connect-mailbox-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('stores each mail as <timestamp>-<id>.eml (raw, with Return-Path and X-Original-To) and lists them newest first', async () => {
    const folder = mailboxDirectory(join(root, 'sandbox'));
    const mailbox = new Mailbox(folder);
    assert.deepEqual(await mailbox.list(), [], 'no folder yet: no mail');
    const first = await mailbox.deliver(message('first'), { from: 'ann@example.com', to: ['bob@example.com', 'hidden@example.com'] });
    const second = await mailbox.deliver(message('second'), { to: ['bob@example.com'] });
    assert.match(first.file, /^\d{4}-\d{2}-\d{2}T\d{6}\.\d{3}Z-[0-9a-f]{8}\.eml$/);
    assert.equal(first.path, join(folder, first.file));
    const raw = await readFile(first.path ?? '', 'utf8');
    assert.equal(raw, `Return-Path: <ann@example.com>\r\nX-Original-To: bob@example.com, hidden@example.com\r\n${message('first').toString()}`);
    assert.match(await readFile(second.path ?? '', 'utf8'), /^Return-Path: <>\r\nX-Original-To: bob@example.com\r\nFrom:/);
    // Written by rename: no temp file stays behind.
    assert.deepEqual((await readdir(folder)).sort(), [first.file, second.file].sort());

    const listed = await listMailboxFolder(folder);
    assert.deepEqual(
      listed.map((entry) => entry.subject),
      second.file > first.file ? ['second', 'first'] : ['first', 'second'],
    );
    const entry = listed.find((item) => item.file === first.file);
    assert.deepEqual(entry, { ...first, size: Buffer.byteLength(raw) });
    assert.equal(entry?.from, '"Ann" <ann@example.com>');
    assert.equal(entry?.to, 'bob@example.com');
    assert.equal(entry?.date, 'Mon, 07 Dec 2026 10:00:00 +0000');
  });

  it('lists only finished .eml files: a temp file of a write in progress and other files are not mails', async () => {
    const folder = join(root, 'other');
    const mailbox = new Mailbox(folder);
    const entry = await mailbox.deliver(message('kept'), { to: ['bob@example.com'] });
    await writeFile(join(folder, `${entry.file}.123.1.tmp`), 'half a mail');
    await writeFile(join(folder, 'notes.txt'), 'x');
    assert.deepEqual(
      (await listMailboxFolder(folder)).map((item) => item.file),
      [entry.file],
    );
    assert.deepEqual(await listMailboxFolder(join(root, 'missing')), []);
  });

  it('without a folder keeps the mails in memory, listed the same way', async () => {
    const mailbox = new Mailbox();
    const entry = await mailbox.deliver(message('in memory'), { from: 'ann@example.com', to: ['bob@example.com'] });
    assert.equal(entry.path, undefined);
    assert.deepEqual(await mailbox.list(), [entry]);
    assert.match(mailbox.rawOf(entry.file)?.toString() ?? '', /^Return-Path: <ann@example\.com>\r\n/);
  });
});

describe('mail headers', () => {
  it('reads the header section only, unfolds folded lines and takes the first occurrence', () => {
    const headers = parseMailHeaders('Subject: a long\r\n subject\r\n\tfolded\r\nFrom: x@example.com\nSubject: second copy\r\n\r\nTo: body@example.com\r\n');
    assert.deepEqual(headers, { subject: 'a long subject\tfolded', from: 'x@example.com' });
  });

  it('decodes RFC 2047 words (B and Q, joined when adjacent) and 8-bit UTF-8; keeps what it cannot decode', () => {
    assert.equal(decodeWords('=?UTF-8?Q?Quarterly_report_=E2=9C=93?='), 'Quarterly report ✓');
    assert.equal(decodeWords('=?utf-8?B?R3LDvMOfZQ==?= =?utf-8?Q?_aus_K=C3=B6ln?= und mehr'), 'Grüße aus Köln und mehr');
    assert.equal(decodeWords('=?ISO-8859-1?Q?M=FCller?= <m@example.com>'), 'Müller <m@example.com>');
    assert.equal(decodeWords('=?x-unknown?Q?abc?='), '=?x-unknown?Q?abc?=');
    assert.equal(parseMailHeaders(Buffer.from('Subject: Grüße\r\n\r\n', 'utf8')).subject, 'Grüße');
  });
});
