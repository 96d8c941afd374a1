/**
 * The simulator's XML-DSig verifier (conformance/dmp/dsig.ts) with xml-crypto as the cross-check: both verify the
 * gateway's real VIHF and XAdES signatures and documents xml-crypto signs in other layouts; each tampered document
 * is rejected by ours for the reason it gives. The cases where xml-crypto accepts what ours rejects say so.
 */
import { createPrivateKey, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DOMParser } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { verifyDsig, type SignatureLocation } from '../../../conformance/dmp/dsig.js';
import { certFromBase64 } from '../../../conformance/dmp/pki-check.js';
import { kid, NSS } from '../../../conformance/dmp/xml.js';
import { readXml } from '../../../conformance/dmp/xml-read.js';
import { ALG } from '../../../src/adapters/signing/algorithms.js';
import { signatureValueOf, type C14nMethod } from '../../../src/adapters/signing/dsig.js';
import { signedVihf } from '../../../src/adapters/signing/vihf.js';
import { signSubmissionSet } from '../../../src/adapters/signing/xades.js';
import { XdsDmpRoute } from '../../../src/adapters/dmp/xds-route.js';
import { pki, request, routeOptions, uniqueCopy } from './setup.js';

const o = routeOptions(pki(), 'https://127.0.0.1:1');
const privateKey = createPrivateKey(o.signer.keyPem);
const signerKey = certFromBase64(o.signer.certDerBase64).publicKey;
const otherRsaKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
const ecKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;

const VIHF_AT: SignatureLocation = { path: '/saml:Assertion/ds:Signature', namespaces: { saml: NSS.saml, ds: NSS.ds } };
const XADES_AT: SignatureLocation = { path: '/ds:Signature', namespaces: { ds: NSS.ds } };

/** xml-crypto with its defaults, on the first ds:Signature of the document. */
const xmlCrypto = (xml: string, key: KeyObject): boolean => {
  try {
    const sig = new DOMParser().parseFromString(xml, 'text/xml').getElementsByTagNameNS(NSS.ds, 'Signature')[0];
    assert.ok(sig);
    const v = new SignedXml({ publicCert: key, getCertFromKeyInfo: () => null });
    v.loadSignature(sig);
    return v.checkSignature(xml);
  } catch {
    return false;
  }
};

/** The assertion as the simulator verifies it: taken from an envelope and serialized on its own. */
const asReceived = (vihfXml: string): string => {
  const env = readXml(Buffer.from(`<s:Envelope xmlns:s="${NSS.soap}"><s:Header>${vihfXml}</s:Header></s:Envelope>`));
  const assertion = kid(kid(env.documentElement, NSS.soap, 'Header'), NSS.saml, 'Assertion');
  assert.ok(assertion);
  return assertion.serialize();
};

/** A new SignatureValue over the SignedInfo as it now is (SignedInfo uses the ds prefix only, declared on ds:Signature). */
const resign = (xml: string, c14n: C14nMethod, digest: 'sha1' | 'sha256' = 'sha256'): string => {
  const signedInfo = /<ds:SignedInfo>[\s\S]*?<\/ds:SignedInfo>/.exec(xml)?.[0];
  assert.ok(signedInfo);
  return xml.replace(/<ds:SignatureValue>[^<]*</, `<ds:SignatureValue>${signatureValueOf(signedInfo, c14n, privateKey, digest)}<`);
};

const changed = (xml: string, from: string | RegExp, to: string): string => {
  const out = xml.replace(from, to);
  assert.notEqual(out, xml, `the case changes the document (${String(from)})`);
  return out;
};

interface Case {
  readonly xml: string;
  /** true: both verify; a RegExp: ours rejects with that reason. */
  readonly ours: true | RegExp;
  /** xml-crypto's verdict, when it differs from ours. */
  readonly xmlCrypto?: boolean;
  readonly key?: KeyObject;
}

const run = (cases: Record<string, Case>, at: SignatureLocation): void => {
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => {
      const key = c.key ?? signerKey;
      const v = verifyDsig(c.xml, at, key);
      if (c.ours === true) {
        assert.deepEqual(v, { verified: true });
      } else {
        assert.equal(v.verified, false);
        assert.match(v.error ?? '', c.ours);
      }
      assert.equal(xmlCrypto(c.xml, key), c.xmlCrypto ?? c.ours === true);
    });
  }
};

const SIG_PROPS = 'http://uri.etsi.org/01903/v1.1.1#SignedProperties';
const ZEROS = Buffer.alloc(32).toString('base64');

describe('simulator XML-DSig: the gateway\'s VIHF', () => {
  const vihf = signedVihf(o.signer, o.vihf, { assertionId: `_${randomUUID()}`, issueInstant: new Date(), patientIns: { value: '279035121518989', oid: '1.2.250.1.213.1.4.10' } });
  const vihfSha1 = signedVihf(o.signer, { ...o.vihf, digest: 'sha1' }, { assertionId: `_${randomUUID()}`, issueInstant: new Date(), patientIns: { value: '279035121518989', oid: '1.2.250.1.213.1.4.10' } });
  const id = /ID="([^"]+)"/.exec(vihf)?.[1] ?? '';
  const exc = ALG.excC14n;
  const transforms = `<ds:Transform Algorithm="${ALG.enveloped}"/><ds:Transform Algorithm="${exc}"/>`;
  run({
    'as signed': { xml: asReceived(vihf), ours: true },
    'as signed, SHA-1': { xml: asReceived(vihfSha1), ours: true },
    'a comment added in the signed content (a same-document reference drops comments)': { xml: asReceived(changed(vihf, '<saml2:Subject>', '<saml2:Subject><!-- x -->')), ours: true },
    'an attribute value changed after signing': { xml: asReceived(changed(vihf, '>INDIRECTE<', '>DIRECTE<')), ours: /digest of #_.* does not match/ },
    'whitespace added between signed elements': { xml: asReceived(changed(vihf, '<saml2:Subject>', '<saml2:Subject> ')), ours: /does not match its DigestValue/ },
    'DigestValue changed': { xml: asReceived(changed(vihf, /<ds:DigestValue>[^<]*</, `<ds:DigestValue>${ZEROS}<`)), ours: /does not match its DigestValue/ },
    'DigestValue changed, SignatureValue made again': { xml: asReceived(resign(changed(vihf, /<ds:DigestValue>[^<]*</, `<ds:DigestValue>${ZEROS}<`), exc)), ours: /does not match its DigestValue/ },
    'SignatureValue changed': { xml: asReceived(changed(vihf, /<ds:SignatureValue>(.)/, (/<ds:SignatureValue>A/.test(vihf) ? '<ds:SignatureValue>B' : '<ds:SignatureValue>A'))), ours: /SignatureValue does not verify/ },
    'SignatureValue that is not base64': { xml: asReceived(changed(vihf, '<ds:SignatureValue>', '<ds:SignatureValue>*')), ours: /SignatureValue is not base64/, xmlCrypto: true },
    'verified with another RSA key': { xml: asReceived(vihf), key: otherRsaKey, ours: /SignatureValue does not verify/ },
    'verified with an EC key': { xml: asReceived(vihf), key: ecKey, ours: /needs an RSA key/ },
    'Id of the assertion on KeyInfo (ID wrapping, another name)': { xml: asReceived(changed(vihf, '<ds:KeyInfo>', `<ds:KeyInfo Id="${id}">`)), ours: /several elements have this id/ },
    'ID of the assertion on KeyInfo (ID wrapping, same name)': { xml: asReceived(changed(vihf, '<ds:KeyInfo>', `<ds:KeyInfo ID="${id}">`)), ours: /several elements have this id/ },
    'namespace prefix ID declared with the id': { xml: asReceived(changed(vihf, '<ds:KeyInfo>', `<ds:KeyInfo xmlns:ID="${id}">`)), ours: /several elements have this id/ },
    'reference to no element (made again)': { xml: asReceived(resign(changed(vihf, `URI="#${id}"`, 'URI="#elsewhere"'), exc)), ours: /no element has this id/ },
    'reference with a quote': { xml: asReceived(changed(vihf, `URI="#${id}"`, 'URI="#a\'b"')), ours: /not a usable id/ },
    'empty reference URI, the whole document (made again)': { xml: asReceived(resign(changed(vihf, `URI="#${id}"`, 'URI=""'), exc)), ours: /not a same-document #id/, xmlCrypto: true },
    'enveloped-signature transform left out (made again)': { xml: asReceived(resign(changed(vihf, transforms, `<ds:Transform Algorithm="${exc}"/>`), exc)), ours: /does not match its DigestValue/ },
    'transforms in the other order (made again)': { xml: asReceived(resign(changed(vihf, transforms, `<ds:Transform Algorithm="${exc}"/><ds:Transform Algorithm="${ALG.enveloped}"/>`), exc)), ours: /transforms .* are not supported/, xmlCrypto: true },
    'an XPath transform (made again)': { xml: asReceived(resign(changed(vihf, transforms, `${transforms}<ds:Transform Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116"><ds:XPath>1</ds:XPath></ds:Transform>`), exc)), ours: /parameters are not supported/ },
    'InclusiveNamespaces on the C14N transform (made again)': {
      xml: asReceived(resign(changed(vihf, `<ds:Transform Algorithm="${exc}"/>`, `<ds:Transform Algorithm="${exc}"><ec:InclusiveNamespaces xmlns:ec="${exc}" PrefixList="xsi"/></ds:Transform>`), exc)),
      ours: /parameters are not supported/,
    },
    'C14N 1.1 as CanonicalizationMethod': { xml: asReceived(changed(vihf, `<ds:CanonicalizationMethod Algorithm="${exc}"/>`, '<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2006/12/xml-c14n11"/>')), ours: /canonicalization .* is not supported/ },
    'HMAC-SHA1 as SignatureMethod': { xml: asReceived(changed(vihf, ALG.rsaSha256, 'http://www.w3.org/2000/09/xmldsig#hmac-sha1')), ours: /signature algorithm .* is not supported/ },
    'MD5 as DigestMethod': { xml: asReceived(changed(vihf, `<ds:DigestMethod Algorithm="${ALG.sha256}"/>`, '<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#md5"/>')), ours: /digest algorithm .* is not supported/ },
    'two SignedInfo': { xml: asReceived(changed(vihf, /(<ds:SignedInfo>[\s\S]*<\/ds:SignedInfo>)/, '$1$1')), ours: /must start with one ds:SignedInfo and one ds:SignatureValue/ },
    'a document type declaration': { xml: `<!DOCTYPE saml2:Assertion>${asReceived(vihf)}`, ours: /document type declaration/, xmlCrypto: true },
  }, VIHF_AT);
});

describe('simulator XML-DSig: the gateway\'s XAdES submission-set signature', () => {
  const xades = signSubmissionSet(o.signer, { signatureId: '2.25.1', submissionSetUniqueId: '2.25.2', documents: [{ uniqueId: '2.25.3', bytes: Buffer.from('<doc/>') }], signingTime: new Date(), digest: 'sha256' });
  const three = signSubmissionSet(o.signer, { signatureId: '2.25.1', submissionSetUniqueId: '2.25.2', documents: [1, 2, 3].map((i) => ({ uniqueId: `2.25.3${i}`, bytes: Buffer.from(`<doc n="${i}"/>`) })), signingTime: new Date(), digest: 'sha1' });
  const withComments = ALG.c14nWithComments;
  run({
    'as signed': { xml: xades, ours: true },
    'as signed, SHA-1, three documents': { xml: three, ours: true },
    'a comment added in the Manifest (a same-document reference drops comments)': { xml: changed(xades, '<ds:Manifest Id="IHEManifest">', '<ds:Manifest Id="IHEManifest"><!-- x -->'), ours: true },
    'a comment added in SignedInfo (canonicalised with comments)': { xml: changed(xades, '<ds:SignedInfo>', '<ds:SignedInfo><!-- x -->'), ours: /SignatureValue does not verify/ },
    'signed properties changed': { xml: changed(xades, /<xades:SigningTime>\d{4}/, '<xades:SigningTime>1999'), ours: /digest of #S0-SignedProperties does not match/ },
    'a document digest in the Manifest changed': { xml: changed(xades, /(<ds:Reference URI="urn:oid:2\.25\.3"><ds:DigestMethod [^>]*><ds:DigestValue>)[^<]*/, `$1${ZEROS}`), ours: /digest of #IHEManifest does not match/ },
    'second element with ID="IHEManifest"': { xml: changed(xades, '</ds:Signature>', '<ds:Object ID="IHEManifest"/></ds:Signature>'), ours: /several elements have this id/ },
    'second element with Id="IHEManifest"': { xml: changed(xades, '</ds:Signature>', '<ds:Object Id="IHEManifest"/></ds:Signature>'), ours: /several elements have this id/ },
    'the Manifest id under ID instead of Id': { xml: changed(xades, '<ds:Manifest Id="IHEManifest">', '<ds:Manifest ID="IHEManifest">'), ours: /digest of #IHEManifest does not match/ },
    'the Manifest moved under an element declaring a namespace (C14N 1.0 renders it)': {
      xml: changed(xades, /(<ds:Manifest [\s\S]*<\/ds:Manifest>)/, '<w:Wrap xmlns:w="urn:w">$1</w:Wrap>'), ours: /digest of #IHEManifest does not match/,
    },
    'xml:lang added on ds:Signature (C14N 1.0 makes SignedInfo and the references inherit it)': { xml: changed(xades, '<ds:Signature Id="2.25.1"', '<ds:Signature xml:lang="fr" Id="2.25.1"'), ours: /digest of #IHEManifest does not match/, xmlCrypto: true },
    'a reference typed SignedProperties pointing to the Manifest (made again)': {
      xml: resign(changed(xades, `URI="#S0-SignedProperties" Type="${SIG_PROPS}"`, `URI="#IHEManifest" Type="${SIG_PROPS}"`), withComments), ours: /digest of #IHEManifest does not match/,
    },
  }, XADES_AT);
});

describe('simulator XML-DSig: what the gateway sends, and other layouts signed by xml-crypto', () => {
  it('the VIHF and the XAdES of a prepared ITI-41 verify with both', async () => {
    const { xml, id } = uniqueCopy('TSH_1');
    const pp = await new XdsDmpRoute(o).prepare(request(xml, id));
    assert.equal(pp.kind, 'iti41');
    if (pp.kind === 'iti41') {
      const vihf = asReceived(pp.vihfXml);
      const xades = Buffer.from(pp.attachments[1]?.bytes ?? []).toString('utf8');
      assert.deepEqual([verifyDsig(vihf, VIHF_AT, signerKey), verifyDsig(xades, XADES_AT, signerKey)], [{ verified: true }, { verified: true }]);
      assert.deepEqual([xmlCrypto(vihf, signerKey), xmlCrypto(xades, signerKey)], [true, true]);
    }
  });

  const sign = (xml: string, o2: { c14n: string; transforms: string[]; xpath: string; digest: string; algorithm: string; location: { reference: string; action: 'append' | 'after' } }): string => {
    const s = new SignedXml({ privateKey: o.signer.keyPem, publicCert: o.signer.certPem, signatureAlgorithm: o2.algorithm, canonicalizationAlgorithm: o2.c14n });
    s.addReference({ xpath: o2.xpath, transforms: o2.transforms, digestAlgorithm: o2.digest });
    s.computeSignature(xml, { prefix: 'ds', location: o2.location });
    return s.getSignedXml();
  };
  const doc = '<r:Root xmlns:r="urn:r" xmlns="urn:default" xmlns:u="urn:unused"><Outer xmlns:o="urn:o"><o:Item Id="it1" o:a="1"> text &amp; <!-- c --> <Leaf/></o:Item></Outer><r:Sig/></r:Root>';
  const cases: Record<string, Parameters<typeof sign>[1] & { at: string }> = {
    'enveloped, exclusive C14N, RSA-SHA512, signature deep in the document': {
      c14n: ALG.excC14n, transforms: [ALG.enveloped, ALG.excC14n], xpath: '/*', digest: 'http://www.w3.org/2001/04/xmlenc#sha512', algorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
      location: { reference: "//*[local-name(.)='Sig']", action: 'append' }, at: '//ds:Signature',
    },
    'detached reference to an element under declared namespaces, C14N 1.0': {
      c14n: 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315', transforms: ['http://www.w3.org/TR/2001/REC-xml-c14n-20010315'], xpath: "//*[@Id='it1']", digest: ALG.sha1, algorithm: ALG.rsaSha1,
      location: { reference: "//*[local-name(.)='Sig']", action: 'append' }, at: '//ds:Signature',
    },
    'enveloped-signature transform on an element that does not hold the signature (nothing to remove)': {
      c14n: ALG.excC14n, transforms: [ALG.enveloped, ALG.excC14n], xpath: "//*[@Id='it1']", digest: ALG.sha256, algorithm: ALG.rsaSha256,
      location: { reference: "//*[local-name(.)='Sig']", action: 'append' }, at: '//ds:Signature',
    },
    'exclusive C14N with comments in the transform and in SignedInfo': {
      c14n: 'http://www.w3.org/2001/10/xml-exc-c14n#WithComments', transforms: ['http://www.w3.org/2001/10/xml-exc-c14n#WithComments'], xpath: "//*[@Id='it1']", digest: ALG.sha256, algorithm: ALG.rsaSha256,
      location: { reference: "//*[local-name(.)='Outer']", action: 'append' }, at: '//ds:Signature',
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => {
      const signed = sign(doc, c);
      assert.equal(xmlCrypto(signed, signerKey), true);
      assert.deepEqual(verifyDsig(signed, { path: c.at, namespaces: { ds: NSS.ds } }, signerKey), { verified: true });
      const tampered = changed(signed, '<Leaf/>', '<Leaf a="1"/>');
      assert.equal(xmlCrypto(tampered, signerKey), false);
      assert.match(verifyDsig(tampered, { path: c.at, namespaces: { ds: NSS.ds } }, signerKey).error ?? '', /does not match its DigestValue/);
    });
  }
});
