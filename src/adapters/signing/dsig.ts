/**
 * XML-DSig signing for the two small signatures every ITI-41 carries (VIHF, XAdES), canonicalised with libxml2's
 * C14N (libxml2-wasm) and signed with node:crypto. The output is byte for byte what xml-crypto produces for the
 * same input (test/adapters/signing/dsig.test.ts checks it; xml-crypto and the DMP simulator's own verifier verify
 * it), at a fraction of the cost: xml-crypto re-parses with xmldom and finds references by XPath.
 * XML-DSig 1.1 §4.4 (SignedInfo), §4.4.3 (Reference), §6.5 (C14N): https://www.w3.org/TR/xmldsig-core1/
 */
import { createSign, type KeyObject } from 'node:crypto';
import { XmlC14NMode, XmlDocument } from 'libxml2-wasm';
import { ALG, type DigestName } from './algorithms.js';

export const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';

/** The canonicalisation methods we sign with: exclusive (VIHF) and inclusive with comments (XAdES, as DRIMbox). */
export type C14nMethod = typeof ALG.excC14n | typeof ALG.c14nWithComments;

const c14nOptions = (m: C14nMethod): { mode: 0 | 1; withComments: boolean } =>
  m === ALG.excC14n ? { mode: XmlC14NMode.XML_C14N_EXCLUSIVE_1_0, withComments: false } : { mode: XmlC14NMode.XML_C14N_1_0, withComments: true };

export interface DsigReference {
  readonly uri: string;
  readonly type?: string;
  readonly transforms: readonly string[];
  readonly digestAlgorithm: string;
  readonly digestValue: string;
}

const escAttr = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

/** ds:SignedInfo as it is written in the signature (empty elements self-closed, no namespace declaration). */
export const signedInfoXml = (c14n: C14nMethod, signatureMethod: string, refs: readonly DsigReference[]): string =>
  `<ds:SignedInfo><ds:CanonicalizationMethod Algorithm="${c14n}"/><ds:SignatureMethod Algorithm="${signatureMethod}"/>${refs.map((r) =>
    `<ds:Reference URI="${escAttr(r.uri)}"${r.type ? ` Type="${escAttr(r.type)}"` : ''}><ds:Transforms>${r.transforms.map((t) => `<ds:Transform Algorithm="${t}"/>`).join('')}</ds:Transforms>`
    + `<ds:DigestMethod Algorithm="${r.digestAlgorithm}"/><ds:DigestValue>${r.digestValue}</ds:DigestValue></ds:Reference>`).join('')}</ds:SignedInfo>`;

/**
 * Parses `xml` with libxml2 and canonicalises it. `xml` is one element with nothing around it (no comment or
 * processing instruction outside it), so the document's canonical form is its element's; canonicalising the whole
 * document spares libxml2-wasm's per-node visibility callback. Throws on a well-formedness error.
 */
export const canonicalize = (xml: string, method: C14nMethod): string => {
  const doc = XmlDocument.fromString(xml);
  try {
    return doc.canonicalizeToString(c14nOptions(method));
  } finally {
    doc.dispose();
  }
};

/**
 * Canonicalises an element written on its own (`fragment`, no declaration of its ancestors' namespaces) as it is
 * in its document, given the namespace declarations in scope there: they are declared on its start tag, which is
 * what C14N renders in context (inclusive: every in-scope namespace; exclusive: the visibly used ones). xml:*
 * attributes would be inherited too: our signatures have none.
 */
export const canonicalizeInScope = (fragment: string, inScope: Readonly<Record<string, string>>, method: C14nMethod): string => {
  const m = /^<[A-Za-z_][\w.:-]*/.exec(fragment);
  if (!m) {
    throw new Error('not an element');
  }
  const decls = Object.entries(inScope).map(([prefix, uri]) => ` xmlns:${prefix}="${escAttr(uri)}"`).join('');
  return canonicalize(`${m[0]}${decls}${fragment.slice(m[0].length)}`, method);
};

/**
 * SignatureValue over the canonical form of SignedInfo. SignedInfo only uses the ds prefix, declared on
 * ds:Signature in both our signatures, so its canonical form in context is its canonical form alone with that
 * declaration (exclusive C14N renders visibly used prefixes only; inclusive C14N renders the in-scope ones: ds).
 */
export const signatureValueOf = (signedInfo: string, c14n: C14nMethod, key: KeyObject, digest: DigestName): string => {
  const canonical = canonicalizeInScope(signedInfo, { ds: DSIG_NS }, c14n);
  return createSign(digest === 'sha1' ? 'RSA-SHA1' : 'RSA-SHA256').update(canonical).sign(key, 'base64');
};
