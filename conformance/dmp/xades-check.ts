/** The simulator's check of the submission-set signature document (IHE DSG / XAdES, standards.md §4.5). */
import { createHash } from 'node:crypto';
import { verifyDsig } from './dsig.js';
import { certFromBase64, chainsToBundle } from './pki-check.js';
import { descendants, kid, kids, NSS, parseStrict, txt } from './xml.js';

const DIGESTS: Readonly<Record<string, string>> = {
  'http://www.w3.org/2000/09/xmldsig#sha1': 'sha1',
  'http://www.w3.org/2001/04/xmlenc#sha256': 'sha256',
  'http://www.w3.org/2001/04/xmlenc#sha512': 'sha512',
};

/** Returns the problems found (empty: the signature covers the submission set and every document). */
export const checkXades = (xml: string, opts: { signatureUniqueId: string; submissionSetUniqueId: string; documents: readonly { uniqueId: string; bytes: Buffer }[]; caBundle: string; now: Date }): string[] => {
  const problems: string[] = [];
  let root;
  try {
    root = parseStrict(xml).documentElement;
  } catch (e) {
    return [`the signature document is not well-formed: ${(e as Error).message}`];
  }
  if (!root || root.namespaceURI !== NSS.ds || root.localName !== 'Signature') {
    return ['the signature document is not a ds:Signature'];
  }
  if (root.getAttribute('Id') !== opts.signatureUniqueId) {
    problems.push('ds:Signature/@Id is not the uniqueId of the signature entry');
  }
  const refs = kids(kid(root, NSS.ds, 'SignedInfo'), NSS.ds, 'Reference');
  const types = refs.map((r) => `${r.getAttribute('URI') ?? ''} ${r.getAttribute('Type') ?? ''}`);
  if (!types.includes('#IHEManifest http://www.w3.org/2000/09/xmldsig#Manifest')) {
    problems.push('SignedInfo does not reference #IHEManifest as a Manifest');
  }
  if (!types.includes('#S0-SignedProperties http://uri.etsi.org/01903/v1.1.1#SignedProperties')) {
    problems.push('SignedInfo does not reference the XAdES SignedProperties');
  }
  const certB64 = txt(descendants(kid(root, NSS.ds, 'KeyInfo'), NSS.ds, 'X509Certificate')[0]);
  if (!certB64) {
    return [...problems, 'no signing certificate in KeyInfo'];
  }
  try {
    const cert = certFromBase64(certB64);
    const chain = chainsToBundle(cert, opts.caBundle, opts.now);
    if (chain) {
      problems.push(`signing certificate: ${chain}`);
    }
    // The key of the certificate whose chain was checked above (not one read again from KeyInfo).
    const check = verifyDsig(xml, { path: '/ds:Signature', namespaces: { ds: NSS.ds } }, cert.publicKey);
    if (!check.verified) {
      problems.push(`the submission-set signature does not verify: ${check.error ?? ''}`);
    }
    const certDigest = descendants(root, NSS.xades, 'CertDigest')[0];
    const alg = DIGESTS[kid(certDigest, NSS.xades, 'DigestMethod')?.getAttribute('Algorithm') ?? ''];
    if (!alg || createHash(alg).update(cert.raw).digest('base64') !== txt(kid(certDigest, NSS.xades, 'DigestValue'))) {
      problems.push('XAdES SigningCertificate digest does not match the KeyInfo certificate');
    }
  } catch (e) {
    problems.push(`unreadable signing certificate: ${(e as Error).message}`);
  }
  const manifest = descendants(root, NSS.ds, 'Manifest').find((m) => m.getAttribute('Id') === 'IHEManifest');
  const mrefs = new Map(kids(manifest, NSS.ds, 'Reference').map((r) => [r.getAttribute('URI') ?? '', r]));
  if (!mrefs.has(`urn:oid:${opts.submissionSetUniqueId}`)) {
    problems.push('the Manifest does not reference the submission set');
  }
  for (const d of opts.documents) {
    const r = mrefs.get(`urn:oid:${d.uniqueId}`);
    if (!r) {
      problems.push(`the Manifest does not reference document ${d.uniqueId}`);
      continue;
    }
    const alg = DIGESTS[kid(r, NSS.ds, 'DigestMethod')?.getAttribute('Algorithm') ?? ''];
    if (!alg || createHash(alg).update(d.bytes).digest('base64') !== txt(kid(r, NSS.ds, 'DigestValue'))) {
      problems.push(`the Manifest digest of document ${d.uniqueId} does not match its bytes`);
    }
  }
  const purpose = descendants(root, NSS.ds, 'SignatureProperty').find((p) => p.getAttribute('Id') === 'purposeOfSignature');
  if (txt(purpose) !== '1.2.840.10065.1.12.1.14') {
    problems.push('purposeOfSignature must be 1.2.840.10065.1.12.1.14 (Source)');
  }
  return problems;
};
