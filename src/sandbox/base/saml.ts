import { randomUUID, sign, verify } from 'node:crypto';
import type { SigningKey } from './jwt';

/**
 * SAML 2.0 bearer assertions as the sandbox's Destination service issues them for SAMLAssertion and
 * OAuth2SAMLBearerAssertion destinations, and as its token service accepts them. The XML has the real
 * assertion's shape (Issuer, NameID, Conditions/Audience, attributes) but the signature is a sandbox-only
 * RSA signature over the fields that matter, not XML-DSig: only the sandbox itself verifies it.
 */

export interface SamlSubject {
  readonly nameId: string;
  readonly tenantId: string;
  readonly audience: string;
  readonly email?: string;
}

const issuer = 'btp-connect-sandbox';

function signedFields(id: string, subject: SamlSubject, notOnOrAfter: string): Buffer {
  return Buffer.from([id, subject.nameId, subject.tenantId, subject.audience, subject.email ?? '', notOnOrAfter].join('\n'));
}

export function buildAssertion(key: SigningKey, subject: SamlSubject, lifetimeSeconds = 300): string {
  const id = `_${randomUUID()}`;
  const now = new Date();
  const notOnOrAfter = new Date(now.getTime() + lifetimeSeconds * 1000).toISOString();
  const signature = sign('sha256', signedFields(id, subject, notOnOrAfter), key.privateKey).toString('base64');
  const xml = [
    `<saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" ID="${id}" IssueInstant="${now.toISOString()}" Version="2.0">`,
    `<saml2:Issuer>${issuer}</saml2:Issuer>`,
    `<saml2:Signature SignatureValue="${signature}"/>`,
    `<saml2:Subject><saml2:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified">${escapeXml(subject.nameId)}</saml2:NameID>`,
    `<saml2:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"/></saml2:Subject>`,
    `<saml2:Conditions NotBefore="${now.toISOString()}" NotOnOrAfter="${notOnOrAfter}"><saml2:AudienceRestriction>`,
    `<saml2:Audience>${escapeXml(subject.audience)}</saml2:Audience></saml2:AudienceRestriction></saml2:Conditions>`,
    `<saml2:AttributeStatement><saml2:Attribute Name="zid"><saml2:AttributeValue>${subject.tenantId}</saml2:AttributeValue></saml2:Attribute>`,
    subject.email ? `<saml2:Attribute Name="mail"><saml2:AttributeValue>${escapeXml(subject.email)}</saml2:AttributeValue></saml2:Attribute>` : '',
    `</saml2:AttributeStatement></saml2:Assertion>`,
  ].join('');
  return Buffer.from(xml).toString('base64');
}

export type SamlVerification = { ok: true; subject: SamlSubject } | { ok: false; reason: string };

export function verifyAssertion(key: SigningKey, base64: string, now = Date.now()): SamlVerification {
  const xml = Buffer.from(base64, 'base64').toString('utf8');
  const id = /<saml2:Assertion [^>]*ID="([^"]+)"/.exec(xml)?.[1];
  const signature = /<saml2:Signature SignatureValue="([^"]+)"/.exec(xml)?.[1];
  const nameId = /<saml2:NameID[^>]*>([^<]*)<\/saml2:NameID>/.exec(xml)?.[1];
  const notOnOrAfter = /NotOnOrAfter="([^"]+)"/.exec(xml)?.[1];
  const audience = /<saml2:Audience>([^<]*)<\/saml2:Audience>/.exec(xml)?.[1];
  const tenantId = /<saml2:Attribute Name="zid"><saml2:AttributeValue>([^<]*)</.exec(xml)?.[1];
  const email = /<saml2:Attribute Name="mail"><saml2:AttributeValue>([^<]*)</.exec(xml)?.[1];
  if (!id || !signature || nameId === undefined || !notOnOrAfter || audience === undefined || !tenantId) {
    return { ok: false, reason: 'not a sandbox SAML assertion' };
  }
  const subject: SamlSubject = { nameId: unescapeXml(nameId), tenantId, audience: unescapeXml(audience), ...(email ? { email: unescapeXml(email) } : {}) };
  if (!verify('sha256', signedFields(id, subject, notOnOrAfter), key.publicKey, Buffer.from(signature, 'base64'))) {
    return { ok: false, reason: 'signature invalid' };
  }
  if (Date.parse(notOnOrAfter) <= now) return { ok: false, reason: 'assertion expired' };
  return { ok: true, subject };
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function unescapeXml(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&gt;/g, '>')
    .replace(/&lt;/g, '<')
    .replace(/&amp;/g, '&');
}
