import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSigningKey } from '../../../../src/sandbox/base/jwt';
import { buildAssertion, verifyAssertion } from '../../../../src/sandbox/base/saml';
import type { SamlSubject } from '../../../../src/sandbox/base/saml';

// RSA key generation is the slow part: two keys serve every test.
const key = createSigningKey();
const otherKey = createSigningKey();

describe('sandbox SAML assertion', () => {
  const subject: SamlSubject = { nameId: 'demo-user', tenantId: 'tenant-a', audience: 'https://tenant-a.localhost', email: 'demo@example.com' };
  const xmlOf = (assertion: string) => Buffer.from(assertion, 'base64').toString('utf8');
  const reencode = (xml: string) => Buffer.from(xml).toString('base64');

  it('round-trips the subject through build and verify', () => {
    assert.deepEqual(verifyAssertion(key, buildAssertion(key, subject)), { ok: true, subject });
    const { email: _email, ...withoutEmail } = subject;
    assert.deepEqual(verifyAssertion(key, buildAssertion(key, withoutEmail)), { ok: true, subject: withoutEmail });
  });

  it('is base64 of a SAML 2.0 assertion with a unique ID', () => {
    const first = xmlOf(buildAssertion(key, subject));
    const second = xmlOf(buildAssertion(key, subject));
    assert.match(first, /^<saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" ID="_[0-9a-f-]{36}"/);
    assert.match(first, /<saml2:NameID [^>]*>demo-user<\/saml2:NameID>/);
    assert.notEqual(/ID="([^"]+)"/.exec(first)?.[1], /ID="([^"]+)"/.exec(second)?.[1]);
  });

  it('fails when the NameID, audience or tenant is changed', () => {
    const xml = xmlOf(buildAssertion(key, subject));
    const tampered = [
      xml.replace('>demo-user</saml2:NameID>', '>admin</saml2:NameID>'),
      xml.replace('<saml2:Audience>https://tenant-a.localhost<', '<saml2:Audience>https://tenant-b.localhost<'),
      xml.replace('<saml2:AttributeValue>tenant-a<', '<saml2:AttributeValue>tenant-b<'),
    ];
    for (const changed of tampered) {
      assert.notEqual(changed, xml, 'the replacement applied');
      assert.deepEqual(verifyAssertion(key, reencode(changed)), { ok: false, reason: 'signature invalid' });
    }
  });

  it('fails when the mail attribute is changed', () => {
    const xml = xmlOf(buildAssertion(key, subject));
    const changed = xml.replace('>demo@example.com<', '>attacker@example.com<');
    assert.notEqual(changed, xml);
    assert.equal(verifyAssertion(key, reencode(changed)).ok, false);
  });

  it('fails for an assertion signed with another key', () => {
    assert.deepEqual(verifyAssertion(key, buildAssertion(otherKey, subject)), { ok: false, reason: 'signature invalid' });
  });

  it('fails once NotOnOrAfter is reached', () => {
    const assertion = buildAssertion(key, subject, 60);
    const notOnOrAfter = Date.parse(/NotOnOrAfter="([^"]+)"/.exec(xmlOf(assertion))?.[1] ?? '');
    assert.ok(Number.isFinite(notOnOrAfter));
    assert.equal(verifyAssertion(key, assertion, notOnOrAfter - 1).ok, true);
    assert.deepEqual(verifyAssertion(key, assertion, notOnOrAfter), { ok: false, reason: 'assertion expired' });
    assert.deepEqual(verifyAssertion(key, buildAssertion(key, subject, -1)), { ok: false, reason: 'assertion expired' });
  });

  it('refuses text that is not a sandbox assertion', () => {
    for (const input of ['', reencode('<xml/>'), 'not base64 at all', reencode(xmlOf(buildAssertion(key, subject)).replace(/ SignatureValue="[^"]+"/, ''))]) {
      assert.deepEqual(verifyAssertion(key, input), { ok: false, reason: 'not a sandbox SAML assertion' });
    }
  });

  it('escapes <, & and " in names and restores them on verify', () => {
    const awkward: SamlSubject = { nameId: 'a<b & "c">', tenantId: 'tenant-a', audience: 'https://x.example/?a=1&b="2"', email: 'o"brien&co<x>@example.com' };
    const assertion = buildAssertion(key, awkward);
    const xml = xmlOf(assertion);
    assert.ok(xml.includes('>a&lt;b &amp; &quot;c&quot;&gt;</saml2:NameID>'), xml);
    assert.ok(xml.includes('<saml2:Audience>https://x.example/?a=1&amp;b=&quot;2&quot;</saml2:Audience>'), xml);
    assert.ok(!xml.includes('a<b'), 'no raw markup from the name');
    assert.deepEqual(verifyAssertion(key, assertion), { ok: true, subject: awkward });
  });

  it('does not double-unescape names that contain entity text', () => {
    const literal: SamlSubject = { nameId: '&lt;not-a-tag&gt; &amp;amp;', tenantId: 'tenant-a', audience: 'aud' };
    assert.deepEqual(verifyAssertion(key, buildAssertion(key, literal)), { ok: true, subject: literal });
  });
});
