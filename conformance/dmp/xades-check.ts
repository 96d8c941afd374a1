/**
 * The simulator's check of the submission-set signature document (IHE DSG / XAdES, standards.md §4.5). The
 * document is parsed once, by libxml2: its structure is read and its XML-DSig verified on that one tree.
 */
import { createHash } from 'node:crypto';
import { XmlDocument, XmlElement, XmlXPath } from 'libxml2-wasm';
import { verifyParsedDsig } from './dsig.js';
import { certFromBase64, chainsToBundle } from './pki-check.js';
import { NSS } from './xml.js';

const DIGESTS: Readonly<Record<string, string>> = {
  'http://www.w3.org/2000/09/xmldsig#sha1': 'sha1',
  'http://www.w3.org/2001/04/xmlenc#sha256': 'sha256',
  'http://www.w3.org/2001/04/xmlenc#sha512': 'sha512',
};

/** The paths read in every signature document, compiled once (relative to the ds:Signature root). */
const NS = { ds: NSS.ds, xades: NSS.xades };
const XP = {
  refs: XmlXPath.compile('ds:SignedInfo[1]/ds:Reference', NS),
  cert: XmlXPath.compile('(ds:KeyInfo[1]//ds:X509Certificate)[1]', NS),
  certDigest: XmlXPath.compile('(.//xades:CertDigest)[1]', NS),
  manifestRefs: XmlXPath.compile("(.//ds:Manifest[@Id='IHEManifest'])[1]/ds:Reference", NS),
  purpose: XmlXPath.compile(".//ds:SignatureProperty[@Id='purposeOfSignature'][1]", NS),
  digestMethod: XmlXPath.compile('ds:DigestMethod[1]', NS),
  digestValue: XmlXPath.compile('ds:DigestValue[1]', NS),
  xadesDigestMethod: XmlXPath.compile('xades:DigestMethod[1]', NS),
  xadesDigestValue: XmlXPath.compile('xades:DigestValue[1]', NS),
};
const SIGNATURE_AT = { path: '/ds:Signature', namespaces: { ds: NSS.ds } };

const elements = (from: XmlElement | undefined, xp: XmlXPath): XmlElement[] => (from ? from.find(xp).filter((n): n is XmlElement => n instanceof XmlElement) : []);
const element = (from: XmlElement | undefined, xp: XmlXPath): XmlElement | undefined => elements(from, xp)[0];
/** Trimmed text content (text and CDATA of the descendants), '' when there is no element. */
const txt = (el: XmlElement | undefined): string => el?.content.trim() ?? '';
const attr = (el: XmlElement | undefined, name: string): string | undefined => el?.attr(name)?.value;

/** Returns the problems found (empty: the signature covers the submission set and every document). */
export const checkXades = (xml: string, opts: { signatureUniqueId: string; submissionSetUniqueId: string; documents: readonly { uniqueId: string; bytes: Buffer }[]; caBundle: string; now: Date }): string[] => {
  let doc: XmlDocument;
  try {
    doc = XmlDocument.fromString(xml);
  } catch (e) {
    return [`the signature document is not well-formed: ${((e as Error).message.split('\n')[0] ?? '').trim()}`];
  }
  try {
    if (doc.dtd) {
      return ['the signature document is not well-formed: a document type declaration is not allowed'];
    }
    return checkParsed(doc, xml, opts);
  } finally {
    doc.dispose();
  }
};

const checkParsed = (doc: XmlDocument, xml: string, opts: Parameters<typeof checkXades>[1]): string[] => {
  const problems: string[] = [];
  const root = doc.root;
  if (root.namespaceUri !== NSS.ds || root.name !== 'Signature') {
    return ['the signature document is not a ds:Signature'];
  }
  if (attr(root, 'Id') !== opts.signatureUniqueId) {
    problems.push('ds:Signature/@Id is not the uniqueId of the signature entry');
  }
  const types = elements(root, XP.refs).map((r) => `${attr(r, 'URI') ?? ''} ${attr(r, 'Type') ?? ''}`);
  if (!types.includes('#IHEManifest http://www.w3.org/2000/09/xmldsig#Manifest')) {
    problems.push('SignedInfo does not reference #IHEManifest as a Manifest');
  }
  if (!types.includes('#S0-SignedProperties http://uri.etsi.org/01903/v1.1.1#SignedProperties')) {
    problems.push('SignedInfo does not reference the XAdES SignedProperties');
  }
  const certB64 = txt(element(root, XP.cert));
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
    const check = verifyParsedDsig(doc, xml, SIGNATURE_AT, cert.publicKey);
    if (!check.verified) {
      problems.push(`the submission-set signature does not verify: ${check.error ?? ''}`);
    }
    const certDigest = element(root, XP.certDigest);
    const alg = DIGESTS[attr(element(certDigest, XP.xadesDigestMethod), 'Algorithm') ?? ''];
    if (!alg || createHash(alg).update(cert.raw).digest('base64') !== txt(element(certDigest, XP.xadesDigestValue))) {
      problems.push('XAdES SigningCertificate digest does not match the KeyInfo certificate');
    }
  } catch (e) {
    problems.push(`unreadable signing certificate: ${(e as Error).message}`);
  }
  const mrefs = new Map(elements(root, XP.manifestRefs).map((r) => [attr(r, 'URI') ?? '', r]));
  if (!mrefs.has(`urn:oid:${opts.submissionSetUniqueId}`)) {
    problems.push('the Manifest does not reference the submission set');
  }
  for (const d of opts.documents) {
    const r = mrefs.get(`urn:oid:${d.uniqueId}`);
    if (!r) {
      problems.push(`the Manifest does not reference document ${d.uniqueId}`);
      continue;
    }
    const alg = DIGESTS[attr(element(r, XP.digestMethod), 'Algorithm') ?? ''];
    if (!alg || createHash(alg).update(d.bytes).digest('base64') !== txt(element(r, XP.digestValue))) {
      problems.push(`the Manifest digest of document ${d.uniqueId} does not match its bytes`);
    }
  }
  if (txt(element(root, XP.purpose)) !== '1.2.840.10065.1.12.1.14') {
    problems.push('purposeOfSignature must be 1.2.840.10065.1.12.1.14 (Source)');
  }
  return problems;
};
