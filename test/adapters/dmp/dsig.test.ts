/**
 * The simulator's XML-DSig verification narrows xml-crypto's id lookup to the attribute each reference resolves by:
 * on signed and tampered VIHF and XAdES documents, its verdict and error are xml-crypto's own with its defaults.
 */
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { XMLSerializer, type Element } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { idAttributesFor, verifyWithXmlCrypto } from '../../../conformance/dmp/dsig.js';
import { certFromBase64 } from '../../../conformance/dmp/pki-check.js';
import { descendants, kid, NSS, parseStrict, txt } from '../../../conformance/dmp/xml.js';
import { signedVihf } from '../../../src/adapters/signing/vihf.js';
import { signSubmissionSet } from '../../../src/adapters/signing/xades.js';
import { pki, routeOptions } from './setup.js';

const o = routeOptions(pki(), 'https://127.0.0.1:1');

type Verdict = { verified: boolean; error?: string } | { thrown: string };

/** xml-crypto as the simulator used it before: default id attributes (Id, ID, id). */
const withDefaults = (sig: Element, xml: string, key: ReturnType<typeof certFromBase64>['publicKey']): Verdict => {
  try {
    const v = new SignedXml({ publicCert: key, getCertFromKeyInfo: () => null });
    v.loadSignature(sig);
    try {
      return { verified: v.checkSignature(xml) };
    } catch (e) {
      return { verified: false, error: (e as Error).message };
    }
  } catch (e) {
    return { thrown: (e as Error).message };
  }
};

const narrowed = (sig: Element, scope: Element, xml: string, key: ReturnType<typeof certFromBase64>['publicKey']): Verdict => {
  try {
    return { ...verifyWithXmlCrypto(sig, scope, xml, key) };
  } catch (e) {
    return { thrown: (e as Error).message };
  }
};

describe('simulator XML-DSig: the narrowed id lookup gives xml-crypto\'s own verdicts', () => {
  const vihf = signedVihf(o.signer, o.vihf, { assertionId: `_${randomUUID()}`, issueInstant: new Date(), patientIns: { value: '279035121518989', oid: '1.2.250.1.213.1.4.10' } });
  const id = /ID="([^"]+)"/.exec(vihf)?.[1] ?? '';
  const vihfCases: Record<string, string> = {
    'as signed': vihf,
    'Id of the assertion on KeyInfo (another name)': vihf.replace('<ds:KeyInfo>', `<ds:KeyInfo Id="${id}">`),
    'ID of the assertion on KeyInfo (same name)': vihf.replace('<ds:KeyInfo>', `<ds:KeyInfo ID="${id}">`),
    'namespace prefix ID declared with the id': vihf.replace('<ds:KeyInfo>', `<ds:KeyInfo xmlns:ID="${id}">`),
    'attribute changed after signing': vihf.replace('>INDIRECTE<', '>DIRECTE<'),
    'reference to no element': vihf.replace(`URI="#${id}"`, 'URI="#elsewhere"'),
    'reference with a quote': vihf.replace(`URI="#${id}"`, 'URI="#a\'b"'),
    'empty reference': vihf.replace(`URI="#${id}"`, 'URI=""'),
  };
  for (const [name, xml] of Object.entries(vihfCases)) {
    it(`VIHF, ${name}`, () => {
      // As the simulator does: the assertion taken from an envelope, serialized on its own.
      const env = parseStrict(`<s:Envelope xmlns:s="${NSS.soap}"><s:Header>${xml}</s:Header></s:Envelope>`);
      const assertion = kid(kid(env.documentElement, NSS.soap, 'Header'), NSS.saml, 'Assertion');
      const sig = kid(assertion, NSS.ds, 'Signature');
      assert.ok(assertion && sig);
      const key = certFromBase64(txt(descendants(sig, NSS.ds, 'X509Certificate')[0])).publicKey;
      const serialized = new XMLSerializer().serializeToString(assertion);
      assert.deepEqual(narrowed(sig, assertion, serialized, key), withDefaults(sig, serialized, key));
    });
  }

  const xades = signSubmissionSet(o.signer, { signatureId: '2.25.1', submissionSetUniqueId: '2.25.2', documents: [{ uniqueId: '2.25.3', bytes: Buffer.from('<doc/>') }], signingTime: new Date(), digest: 'sha256' });
  const xadesCases: Record<string, string> = {
    'as signed': xades,
    'second element with ID="IHEManifest"': xades.replace('</ds:Signature>', '<ds:Object ID="IHEManifest"/></ds:Signature>'),
    'second element with Id="IHEManifest"': xades.replace('</ds:Signature>', '<ds:Object Id="IHEManifest"/></ds:Signature>'),
    'Manifest id under ID instead of Id': xades.replace('<ds:Manifest Id="IHEManifest">', '<ds:Manifest ID="IHEManifest">'),
    'signed properties changed': xades.replace(/<xades:SigningTime>\d{4}/, '<xades:SigningTime>1999'),
  };
  for (const [name, xml] of Object.entries(xadesCases)) {
    it(`XAdES, ${name}`, () => {
      assert.notEqual(name !== 'as signed' && xml === xades, true, 'the case changes the document');
      const root = parseStrict(xml).documentElement;
      assert.ok(root);
      const key = certFromBase64(txt(descendants(root, NSS.ds, 'X509Certificate')[0])).publicKey;
      assert.deepEqual(narrowed(root, root, xml, key), withDefaults(root, xml, key));
    });
  }

  it('narrows to the one name the references resolve by, and only when each resolves once', () => {
    const sigOf = (xml: string): Element => {
      const root = parseStrict(xml).documentElement;
      assert.ok(root);
      return root;
    };
    assert.deepEqual(idAttributesFor(sigOf(xades), sigOf(xades)), ['Id']);
    assert.equal(idAttributesFor(sigOf(xadesCases['second element with ID="IHEManifest"'] ?? ''), sigOf(xadesCases['second element with ID="IHEManifest"'] ?? '')), undefined);
    assert.deepEqual(idAttributesFor(sigOf(xadesCases['Manifest id under ID instead of Id'] ?? ''), sigOf(xadesCases['Manifest id under ID instead of Id'] ?? '')), ['Id', 'ID']);
    const assertion = sigOf(vihf);
    const sig = kid(assertion, NSS.ds, 'Signature');
    assert.ok(sig);
    assert.deepEqual(idAttributesFor(sig, assertion), ['ID']);
  });
});
