import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { noticeOfDisconnection } from '../../../../../src/sandbox/onPremise/ldap/notice';
import { directoryLdif, directoryReader, sshaHash } from '../../../../../src/sandbox/onPremise/ldap/tree';

// The sandbox LDAP directory's own bytes: the Notice of Disconnection its gate sends, and the password hash slapd
// checks binds against (compared with OpenLDAP's slappasswd where installed).

const oid = Buffer.from('1.3.6.1.4.1.1466.20036', 'latin1');
const slappasswd = '/usr/sbin/slappasswd';

describe('sandbox LDAP directory: wire and hash', () => {
  it('the Notice of Disconnection is an unsolicited ExtendedResponse (RFC 4511 §4.4.1), byte for byte', () => {
    const expected = Buffer.concat([
      Buffer.from([0x30, 0x25, 0x02, 0x01, 0x00, 0x78, 0x20]),
      Buffer.from([0x0a, 0x01, 53, 0x04, 0x00, 0x04, 0x01, 0x78]),
      Buffer.from([0x8a, oid.length]),
      oid,
    ]);
    assert.deepEqual(noticeOfDisconnection(53, 'x'), expected);
  });

  it('long diagnostic messages get long-form BER lengths (one, then two length bytes)', () => {
    const oneByte = noticeOfDisconnection(52, 'm'.repeat(200));
    assert.deepEqual([...oneByte.subarray(0, 3)], [0x30, 0x81, oneByte.length - 3]);
    const message = oneByte.indexOf(Buffer.from('m'.repeat(200)));
    assert.deepEqual([...oneByte.subarray(message - 3, message)], [0x04, 0x81, 200]);
    const twoBytes = noticeOfDisconnection(52, 'm'.repeat(600));
    assert.deepEqual([...twoBytes.subarray(0, 4)], [0x30, 0x82, (twoBytes.length - 4) >> 8, (twoBytes.length - 4) & 0xff]);
  });

  it(
    '{SSHA} as OpenLDAP computes it: slappasswd’s hash, recomputed from its salt, is the same',
    { skip: !existsSync(slappasswd) && 'slappasswd is not installed (apt-get install slapd)' },
    async () => {
      const folder = await mkdtemp(join(tmpdir(), 'btp-ssha-'));
      try {
        // The password from a file (-T), not argv.
        await writeFile(join(folder, 'password'), 'a demo password', { mode: 0o600 });
        const { stdout } = await promisify(execFile)(slappasswd, ['-h', '{SSHA}', '-T', join(folder, 'password')]);
        const theirs = stdout.trim();
        const salt = Buffer.from(theirs.slice('{SSHA}'.length), 'base64').subarray(20);
        assert.equal(sshaHash('a demo password', salt), theirs);
        assert.notEqual(sshaHash('another password', salt), theirs);
      } finally {
        await rm(folder, { recursive: true, force: true });
      }
    },
  );

  it('the tree holds the reader’s password only as a salted hash', () => {
    const ldif = directoryLdif();
    assert.doesNotMatch(ldif, new RegExp(directoryReader.password));
    assert.match(ldif, new RegExp(`^dn: ${directoryReader.dn}\n(.+\n)*userPassword: \\{SSHA\\}[A-Za-z0-9+/]{38}==\n`, 'm'));
    assert.notEqual(directoryLdif().match(/\{SSHA\}\S+/)?.[0], ldif.match(/\{SSHA\}\S+/)?.[0], 'a fresh salt each time');
  });
});
