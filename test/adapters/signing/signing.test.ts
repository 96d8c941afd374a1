import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DOMParser, type Element } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { ensureTestPki } from '../../../certs/pki.js';
import { loadPkcs12Identity } from '../../../src/adapters/signing/keystore.js';
import { signedVihf, type VihfSettings } from '../../../src/adapters/signing/vihf.js';
import { signSubmissionSet } from '../../../src/adapters/signing/xades.js';

const pki = ensureTestPki(join(tmpdir(), 'dmp-gateway-test-pki'), 'test-only-passphrase');
const now = new Date();
const cert = loadPkcs12Identity(readFileSync(pki.entities.structureSign.p12Path), pki.passphrase, now, 'signature');
const settings: VihfSettings = {
  version: '3.0', nameId: 'RESP-001', subjectName: 'dmp-gateway, test, laboratoire', structureId: '1120459876', sectorOfActivity: 'SA25^1.2.250.1.71.4.2.4',
  roles: [{ code: 'AUTOMATE', codeSystem: '1.2.250.1.213.1.1.4.6', displayName: 'Automate' }], authenticationMode: 'INDIRECTE',
  authnContextClassRef: 'urn:oasis:names:tc:SAML:2.0:ac:classes:TLSClient', lpsName: 'dmp-gateway', lpsVersion: '0.1.0', lpsHomologation: 'TEST', digest: 'sha256',
};

const verify = (xml: string, sigNode: Element): boolean => {
  const v = new SignedXml({ publicCert: cert.certPem });
  v.loadSignature(sigNode);
  return v.checkSignature(xml);
};
const DS = 'http://www.w3.org/2000/09/xmldsig#';

describe('structure certificate from PKCS#12', () => {
  it('reads the key, the leaf and its DN; refuses a wrong passphrase with a catalogue error', () => {
    assert.equal(cert.subjectDn, 'CN=LBM TEST CACHET SIGNATURE,OU=120459876,O=LABORATOIRE DE TEST,C=FR');
    assert.equal(cert.fingerprint256, pki.entities.structureSign.fingerprint256);
    assert.throws(() => loadPkcs12Identity(readFileSync(pki.entities.structureSign.p12Path), 'wrong', now, 'signature'), { code: 'DMP_CERTIFICATE_UNUSABLE' });
    assert.throws(() => loadPkcs12Identity(readFileSync(pki.entities.structureSign.p12Path), pki.passphrase, new Date(now.getTime() + 20 * 365 * 86400e3), 'signature'), /not valid now/);
  });
});

describe('VIHF (standards.md §4.3)', () => {
  const xml = signedVihf(cert, settings, { assertionId: '_a1', issueInstant: new Date('2026-01-01T00:00:00Z'), patientIns: { value: '279035121518989', oid: '1.2.250.1.213.1.4.10' } });
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const sigNode = doc.getElementsByTagNameNS(DS, 'Signature')[0]!;

  it('is signed with exc-c14n / RSA-SHA256 right after Issuer, and verifies', () => {
    assert.equal(sigNode.previousSibling?.nodeName, 'saml2:Issuer');
    assert.match(xml, /SignatureMethod Algorithm="http:\/\/www\.w3\.org\/2001\/04\/xmldsig-more#rsa-sha256"/);
    assert.match(xml, /<ds:Reference URI="#_a1">/);
    assert.equal(verify(xml, sigNode), true);
  });

  it('carries the DMP attributes', () => {
    const attrs = Object.fromEntries(Array.from(doc.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:assertion', 'Attribute')).map((a) => [a.getAttribute('Name'), a.textContent]));
    assert.equal(attrs['VIHF_Version'], '3.0');
    assert.equal(attrs['urn:oasis:names:tc:xacml:2.0:resource:resource-id'], '279035121518989^^^&1.2.250.1.213.1.4.10&ISO^NH');
    assert.equal(attrs['Ressource_URN'], 'urn:dmp');
    assert.match(xml, /<Role xsi:type="CE" code="AUTOMATE" codeSystem="1\.2\.250\.1\.213\.1\.1\.4\.6"/);
    assert.equal(doc.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:assertion', 'Issuer')[0]?.textContent, cert.subjectDn);
  });

  it('fails verification once an attribute is changed', () => {
    const tampered = xml.replace('279035121518989^^^', '180032B02040123^^^');
    const tDoc = new DOMParser().parseFromString(tampered, 'text/xml');
    assert.equal(verify(tampered, tDoc.getElementsByTagNameNS(DS, 'Signature')[0]!), false);
  });
});

describe('XAdES submission-set signature (standards.md §4.5)', () => {
  const cda = Buffer.from('<ClinicalDocument xmlns="urn:hl7-org:v3"/>');
  const xml = signSubmissionSet(cert, { signatureId: '2.25.99', submissionSetUniqueId: '2.25.42', documents: [{ uniqueId: '1.2.3.4', bytes: cda }], signingTime: new Date('2026-01-01T00:00:00Z'), digest: 'sha1' });
  const doc = new DOMParser().parseFromString(xml, 'text/xml');

  it('references the Manifest and the SignedProperties and verifies', () => {
    const refs = Array.from(doc.getElementsByTagNameNS(DS, 'SignedInfo')[0]!.getElementsByTagNameNS(DS, 'Reference')).map((r) => `${r.getAttribute('URI')} ${r.getAttribute('Type')}`);
    assert.deepEqual(refs, ['#IHEManifest http://www.w3.org/2000/09/xmldsig#Manifest', '#S0-SignedProperties http://uri.etsi.org/01903/v1.1.1#SignedProperties']);
    assert.equal(doc.documentElement?.getAttribute('Id'), '2.25.99');
    const v = new SignedXml({ publicCert: cert.certPem });
    v.loadSignature(doc.documentElement);
    assert.equal(v.checkSignature(xml), true);
  });

  it('holds the document digest in the Manifest, and the signing certificate', () => {
    const manifestRefs = Array.from(doc.getElementsByTagNameNS(DS, 'Manifest')[0]!.getElementsByTagNameNS(DS, 'Reference'));
    assert.deepEqual(manifestRefs.map((r) => r.getAttribute('URI')), ['urn:oid:2.25.42', 'urn:oid:1.2.3.4']);
    assert.equal(manifestRefs[1]!.getElementsByTagNameNS(DS, 'DigestValue')[0]?.textContent, createHash('sha1').update(cda).digest('base64'));
    assert.match(xml, /<ds:SignatureProperty Id="purposeOfSignature" Target="#2\.25\.99">1\.2\.840\.10065\.1\.12\.1\.14</);
    assert.match(xml, new RegExp(`<ds:X509SerialNumber>${cert.serialDecimal}<`));
  });

  it('fails verification when a manifest digest is altered', () => {
    const tampered = xml.replace(createHash('sha1').update(cda).digest('base64'), createHash('sha1').update('other').digest('base64'));
    const tDoc = new DOMParser().parseFromString(tampered, 'text/xml');
    const v = new SignedXml({ publicCert: cert.certPem });
    v.loadSignature(tDoc.documentElement!);
    assert.equal(v.checkSignature(tampered), false);
  });
});
