import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ExitCode } from '../../src/cli/exitCodes';
import { Mailbox, mailboxDirectory, type MailEntry } from '../../src/sandbox/mail/mailbox';
import { runCli } from '../support/cliHarness';

// `btp-connect sandbox mailbox`: the mails of a sandbox folder's mailbox, read from the folder (no sandbox needed).

let root: string;
let directory: string;
const cli = (...argv: string[]) => runCli(['sandbox', 'mailbox', ...argv], { cwd: root, env: { XDG_STATE_HOME: join(root, 'xdg') } });

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'btp-mailbox-'));
  directory = join(root, 'sandbox');
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('btp-connect sandbox mailbox', () => {
  it('says the mailbox is empty before any mail', async () => {
    const result = await cli('--dir', directory);
    assert.equal(result.code, ExitCode.Ok, result.stderr);
    assert.match(result.stdout, new RegExp(`^${mailboxDirectory(directory).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(0 mails\\)\\n  \\(empty: `));
  });

  it('lists received mails newest first with from, to, subject and file; --json gives the entries', async () => {
    const mailbox = new Mailbox(mailboxDirectory(directory));
    const delivered: MailEntry[] = [];
    for (const subject of ['first', '=?UTF-8?Q?Gr=C3=BC=C3=9Fe?=']) {
      delivered.push(
        await mailbox.deliver(Buffer.from(`From: app@example.com\r\nTo: dev@example.com\r\nSubject: ${subject}\r\n\r\nbody\r\n`), {
          from: 'app@example.com',
          to: ['dev@example.com'],
        }),
      );
    }
    const result = await cli('--dir', directory);
    assert.equal(result.code, ExitCode.Ok, result.stderr);
    const [heading, header, ...rows] = result.stdout.trimEnd().split('\n');
    assert.equal(heading, `${mailboxDirectory(directory)} (2 mails)`);
    assert.match(header ?? '', /^RECEIVED +FROM +TO +SUBJECT +FILE$/);
    const newestFirst = [...delivered].sort((a, b) => b.file.localeCompare(a.file));
    assert.deepEqual(
      rows.map((row) => row.split(/ {2,}/).slice(1)),
      newestFirst.map((entry) => ['app@example.com', 'dev@example.com', entry.subject, entry.file]),
    );
    assert.ok(
      rows.some((row) => row.includes('Grüße')),
      'the encoded subject is shown decoded',
    );

    const json = JSON.parse((await cli('--json', '--dir', directory)).stdout) as MailEntry[];
    assert.deepEqual(json, newestFirst);
  });
});
