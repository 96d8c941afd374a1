/**
 * Our XML-DSig signer (libxml2 C14N + node:crypto) against xml-crypto: for the same inputs, xml-crypto's signature
 * (the way the gateway signed before) and ours must be the same bytes. RSA PKCS#1 v1.5 is deterministic, so any
 * difference in canonical form, digest, SignedInfo or layout shows here.
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SignedXml } from 'xml-crypto';
import { ensureTestPki } from '../../../certs/pki.js';
import { ALG, digestUri, signatureUri, type DigestName } from '../../../src/adapters/signing/algorithms.js';
import { loadPkcs12Identity, type CertificateIdentity } from '../../../src/adapters/signing/keystore.js';
import { buildVihfAssertion, signVihf, type VihfSettings } from '../../../src/adapters/signing/vihf.js';
import { MANIFEST_ID, signSubmissionSet, SIGNED_PROPERTIES_ID, type XadesRequest } from '../../../src/adapters/signing/xades.js';

const pki = ensureTestPki(join(tmpdir(), 'dmp-gateway-test-pki'), 'test-only-passphrase');
const cert = loadPkcs12Identity(readFileSync(pki.entities.structureSign.p12Path), pki.passphrase, new Date(), 'signature');
const keyInfo = (c: CertificateIdentity) => ({ prefix }: { prefix?: string | null }): string => {
  const x = prefix ? `${prefix}:` : '';
  return `<${x}X509Data><${x}X509Certificate>${c.certDerBase64}</${x}X509Certificate></${x}X509Data>`;
};

/** The VIHF signature as xml-crypto makes it. */
const xmlCryptoVihf = (assertionXml: string, digest: DigestName): string => {
  const sig = new SignedXml({ privateKey: cert.keyPem, publicCert: cert.certPem, getKeyInfoContent: keyInfo(cert), signatureAlgorithm: signatureUri(digest), canonicalizationAlgorithm: ALG.excC14n });
  sig.addReference({ xpath: "/*[local-name(.)='Assertion']", transforms: [ALG.enveloped, ALG.excC14n], digestAlgorithm: digestUri(digest) });
  sig.computeSignature(assertionXml, { prefix: 'ds', location: { reference: "/*/*[local-name(.)='Issuer']", action: 'after' } });
  return sig.getSignedXml();
};

/** The XAdES signature as xml-crypto makes it, from the objects our signer wrote (what is signed is compared here). */
const xmlCryptoXades = (ours: string, r: XadesRequest): string => {
  const objects = [...ours.matchAll(/<ds:Object>(.*?)<\/ds:Object>/g)].map((m) => ({ content: m[1] ?? '' }));
  assert.equal(objects.length, 3);
  const dm = digestUri(r.digest);
  const sig = new SignedXml({ privateKey: cert.keyPem, publicCert: cert.certPem, getKeyInfoContent: keyInfo(cert), signatureAlgorithm: signatureUri(r.digest), canonicalizationAlgorithm: ALG.c14nWithComments, objects });
  sig.addReference({ xpath: `//*[@Id='${MANIFEST_ID}']`, transforms: [ALG.c14nWithComments], digestAlgorithm: dm, type: 'http://www.w3.org/2000/09/xmldsig#Manifest' });
  sig.addReference({ xpath: `//*[@Id='${SIGNED_PROPERTIES_ID}']`, transforms: [ALG.c14nWithComments], digestAlgorithm: dm, type: 'http://uri.etsi.org/01903/v1.1.1#SignedProperties' });
  sig.computeSignature('<detached/>', { prefix: 'ds', attrs: { Id: r.signatureId } });
  return `<?xml version="1.0" encoding="UTF-8"?>${sig.getSignatureXml()}`;
};

const settings = (digest: DigestName, subjectName: string): VihfSettings => ({
  version: '3.0', nameId: 'RESP-001', subjectName, structureId: '1120459876', sectorOfActivity: 'SA25^1.2.250.1.71.4.2.4',
  roles: [{ code: 'AUTOMATE', codeSystem: '1.2.250.1.213.1.1.4.6', displayName: 'Automate' }, { code: 'SM26', codeSystem: '1.2.250.1.213.1.1.4.5', displayName: 'Biologie médicale' }],
  authenticationMode: 'INDIRECTE', authnContextClassRef: 'urn:oasis:names:tc:SAML:2.0:ac:classes:TLSClient', lpsName: 'dmp-gateway', lpsVersion: '0.1.0', lpsHomologation: 'TEST', digest,
});

describe('XML-DSig with libxml2 C14N: the same bytes as xml-crypto', () => {
  for (const digest of ['sha256', 'sha1'] as const) {
    for (const subject of ['dmp-gateway, test, laboratoire', 'Labo « Les Pins » & fils <SIL> "v2"', 'éàü 日本 \t tab']) {
      it(`VIHF, ${digest}, subject ${JSON.stringify(subject)}`, () => {
        const assertion = buildVihfAssertion(cert, settings(digest, subject), { assertionId: '_7c2e0b9e-1c4e-4a59-9d58-0c6a1f2b3c4d', issueInstant: new Date('2026-03-04T05:06:07.089Z'), patientIns: { value: '279035121518989', oid: '1.2.250.1.213.1.4.10' } });
        assert.equal(signVihf(assertion, cert, digest), xmlCryptoVihf(assertion, digest));
      });
    }
    for (const docs of [1, 3]) {
      it(`XAdES, ${digest}, ${docs} document(s)`, () => {
        const r: XadesRequest = {
          signatureId: '2.25.3141592653589793', submissionSetUniqueId: '2.25.2718281828', signingTime: new Date('2026-03-04T05:06:07.089Z'), digest,
          documents: Array.from({ length: docs }, (_, i) => ({ uniqueId: `1.2.250.1.999.${i}`, bytes: Buffer.from(`<ClinicalDocument xmlns="urn:hl7-org:v3"><id root="${i}"/></ClinicalDocument>`) })),
        };
        const ours = signSubmissionSet(cert, r);
        assert.equal(ours, xmlCryptoXades(ours, r));
      });
    }
  }

  it('refuses what is not an assertion with an ID and an Issuer, with the catalogue code', () => {
    assert.throws(() => signVihf('<saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion"/>', cert, 'sha256'), { code: 'DMP_SIGNATURE_FAILED' });
    assert.throws(() => signVihf('<saml2:Assertion ID="_x" xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion"><saml2:Issuer>x</saml2:Issuer>', cert, 'sha256'), { code: 'DMP_SIGNATURE_FAILED' });
  });
});
