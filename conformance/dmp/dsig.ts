/**
 * The simulator's XML-DSig core validation (XML-DSig 1.1 §3.2), its own implementation: libxml2 (libxml2-wasm)
 * parses and canonicalises, node:crypto checks the digests and the signature value, with the key of the certificate
 * whose chain the caller checked. It accepts only what a DMP signature needs, and rejects anything else:
 * - references `#id` that resolve to exactly one element by an Id, ID or id attribute (any namespace), in the whole
 *   document: an id held twice (signature wrapping) or by nothing is rejected;
 * - transforms: enveloped-signature, then at most one C14N 1.0 or exclusive C14N (with or without comments),
 *   without parameters (no InclusiveNamespaces); a same-document reference drops comments (§4.4.3.3);
 * - digests SHA-1, SHA-256, SHA-512; signatures RSA PKCS#1 v1.5 with those digests, with an RSA key.
 * A referenced element is canonicalised as a document of its own: its serialization, with the namespaces in scope
 * (and, for C14N 1.0, the xml:* attributes it inherits) declared on its start tag, which is what C14N renders for
 * it in its document; canonicalising a whole document spares libxml2-wasm's per-node visibility callback.
 * https://www.w3.org/TR/xmldsig-core1/  https://www.w3.org/TR/xml-c14n  https://www.w3.org/TR/xml-exc-c14n/
 */
import { constants, createHash, verify, type KeyObject } from 'node:crypto';
import { XmlAttribute, XmlC14NMode, XmlDocument, XmlElement, type NamespaceMap } from 'libxml2-wasm';

const DS = 'http://www.w3.org/2000/09/xmldsig#';
const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';

interface C14n {
  readonly exclusive: boolean;
  readonly comments: boolean;
}
const C14N: Readonly<Record<string, C14n>> = {
  'http://www.w3.org/TR/2001/REC-xml-c14n-20010315': { exclusive: false, comments: false },
  'http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments': { exclusive: false, comments: true },
  'http://www.w3.org/2001/10/xml-exc-c14n#': { exclusive: true, comments: false },
  'http://www.w3.org/2001/10/xml-exc-c14n#WithComments': { exclusive: true, comments: true },
};
/** The canonicalisation of a node-set left at the end of the transforms (§4.4.3.2). */
const DEFAULT_C14N: C14n = { exclusive: false, comments: false };
const DIGESTS: Readonly<Record<string, string>> = {
  'http://www.w3.org/2000/09/xmldsig#sha1': 'sha1',
  'http://www.w3.org/2001/04/xmlenc#sha256': 'sha256',
  'http://www.w3.org/2001/04/xmlenc#sha512': 'sha512',
};
const SIGNATURES: Readonly<Record<string, string>> = {
  'http://www.w3.org/2000/09/xmldsig#rsa-sha1': 'sha1',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256': 'sha256',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512': 'sha512',
};
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export interface DsigVerdict {
  readonly verified: boolean;
  /** Why it does not verify. */
  readonly error?: string;
}

/** Where the signature is in the document: an XPath that must select exactly one ds:Signature. */
export interface SignatureLocation {
  readonly path: string;
  readonly namespaces: NamespaceMap;
}

class Rejected extends Error {}
function reject(why: string): never {
  throw new Rejected(why);
}

/** The element children of `el` (text in between is ignored; the parser keeps no entity references: no DTD). */
const childElements = (el: XmlElement): XmlElement[] => {
  const out: XmlElement[] = [];
  for (let n = el.firstChild; n; n = n.next) {
    if (n instanceof XmlElement) {
      out.push(n);
    }
  }
  return out;
};
const isDs = (el: XmlElement | undefined, local: string): el is XmlElement => el?.namespaceUri === DS && el.name === local;
/** The children of `el`, which must be ds:`names` in this order (a trailing `+` name: one or more). */
const dsChildren = (el: XmlElement, ...names: string[]): XmlElement[] => {
  const kids = childElements(el);
  const last = names[names.length - 1] ?? '';
  const many = last.endsWith('+');
  const expected = many ? [...names.slice(0, -1), ...Array<string>(Math.max(1, kids.length - names.length + 1)).fill(last.slice(0, -1))] : names;
  if (kids.length !== expected.length || kids.some((k, i) => !isDs(k, expected[i] ?? ''))) {
    reject(`ds:${el.name} must hold ${names.map((n) => `ds:${n}`).join(', ')}`);
  }
  return kids;
};
const algorithmOf = (el: XmlElement): string => {
  if (childElements(el).length > 0) {
    reject(`ds:${el.name} parameters are not supported`);
  }
  return el.attr('Algorithm')?.value ?? reject(`ds:${el.name} without Algorithm`);
};
const base64Of = (el: XmlElement, what: string): Buffer => {
  const b64 = el.content.replace(/\s+/g, '');
  return b64 !== '' && BASE64.test(b64) ? Buffer.from(b64, 'base64') : reject(`${what} is not base64`);
};

const escAttr = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');

/**
 * The canonical form of `el` as it is in its document, without the subtree at `cut` (element positions below
 * `el`, for the enveloped-signature transform).
 */
const canonicalize = (el: XmlElement, c14n: C14n, cut?: readonly number[]): string => {
  const dump = el.toString({ format: false });
  const own = el.nsDeclarations;
  let extra = Object.entries(el.namespaces).filter(([prefix]) => !(prefix in own))
    .map(([prefix, uri]) => (prefix ? ` xmlns:${prefix}="${escAttr(uri)}"` : ` xmlns="${escAttr(uri)}"`)).join('');
  if (!c14n.exclusive) {
    // C14N 1.0 §2.4: the xml:* attributes of the ancestors, the nearest one of each name, unless it has its own.
    const inherited = new Map<string, string>();
    for (const a of el.find(`ancestor::*/@*[namespace-uri()='${XML_NS}']`)) {
      if (a instanceof XmlAttribute) {
        inherited.set(a.name, a.value);
      }
    }
    for (const a of el.attrs) {
      if (a.namespaceUri === XML_NS) {
        inherited.delete(a.name);
      }
    }
    extra += [...inherited].map(([name, value]) => ` xml:${name}="${escAttr(value)}"`).join('');
  }
  const tag = /^<[^\s/>]+/.exec(dump)?.[0] ?? reject('cannot serialize the referenced element');
  const doc = XmlDocument.fromString(`${tag}${extra}${dump.slice(tag.length)}`);
  try {
    if (cut) {
      const gone = doc.get(`/*${cut.map((i) => `/*[${i}]`).join('')}`);
      if (!(gone instanceof XmlElement) || !isDs(gone, 'Signature')) {
        reject('enveloped-signature: the signature is not where it was');
      }
      gone.remove();
    }
    return doc.canonicalizeToString({ mode: c14n.exclusive ? XmlC14NMode.XML_C14N_EXCLUSIVE_1_0 : XmlC14NMode.XML_C14N_1_0, withComments: c14n.comments });
  } finally {
    doc.dispose();
  }
};

/** Element positions from `top` down to `el` (empty: `el` is `top`), or undefined when `el` is not in `top`. */
const pathBelow = (top: XmlElement, el: XmlElement): number[] | undefined => {
  const steps: number[] = [];
  for (let cur: XmlElement = el; !cur.isSameNode(top);) {
    const parent = cur.parent;
    if (!parent) {
      return undefined;
    }
    let i = 1;
    for (let n = cur.prev; n; n = n.prev) {
      i += n instanceof XmlElement ? 1 : 0;
    }
    steps.unshift(i);
    cur = parent;
  }
  return steps;
};

/**
 * The one element whose Id, ID or id attribute (any namespace) is `id`; no namespace prefix may be declared with
 * that name and value either (`xml` is the document's text: such a declaration is looked for only when it may be there).
 */
const resolve = (doc: XmlDocument, xml: string, uri: string): XmlElement => {
  const id = uri.startsWith('#') ? uri.slice(1) : reject(`Reference URI "${uri}" is not a same-document #id`);
  if (id === '' || id.includes("'")) {
    reject(`Reference URI "${uri}" is not a usable id`);
  }
  const holders = doc.find(`//@*[(local-name()='Id' or local-name()='ID' or local-name()='id') and .='${id}']`);
  const prefixes = /xmlns:(?:Id|ID|id)\s*=/.test(xml) ? doc.eval(`count(//namespace::*[(name()='Id' or name()='ID' or name()='id') and .='${id}'])`) : 0;
  const el = holders[0]?.parent;
  if (holders.length + (typeof prefixes === 'number' ? prefixes : 1) !== 1 || !(el instanceof XmlElement)) {
    reject(`Reference URI "${uri}": ${holders.length === 0 ? 'no element has this id' : 'several elements have this id (signature wrapping)'}`);
  }
  return el;
};

/** Checks one ds:Reference (§3.2.1): dereference, transforms, digest. */
const checkReference = (doc: XmlDocument, xml: string, signature: XmlElement, ref: XmlElement): void => {
  const uri = ref.attr('URI')?.value ?? reject('ds:Reference without URI');
  const kids = childElements(ref);
  const parts = isDs(kids[0], 'Transforms') ? dsChildren(ref, 'Transforms', 'DigestMethod', 'DigestValue') : dsChildren(ref, 'DigestMethod', 'DigestValue');
  const [digestMethod, digestValue] = parts.slice(-2) as [XmlElement, XmlElement];
  const transforms = parts.length === 3 && parts[0] ? dsChildren(parts[0], 'Transform+').map(algorithmOf) : [];
  const digest = DIGESTS[algorithmOf(digestMethod)] ?? reject(`digest algorithm ${algorithmOf(digestMethod)} is not supported`);
  const enveloped = transforms[0] === ENVELOPED;
  const rest = enveloped ? transforms.slice(1) : transforms;
  if (rest.length > 1 || (rest[0] !== undefined && !C14N[rest[0]])) {
    reject(`transforms ${transforms.join(', ')} are not supported (enveloped-signature, then one C14N)`);
  }
  const target = resolve(doc, xml, uri);
  const c14n = rest[0] ? C14N[rest[0]] ?? DEFAULT_C14N : DEFAULT_C14N;
  let cut: number[] | undefined;
  if (enveloped) {
    cut = pathBelow(target, signature);
    if (cut?.length === 0 || (!cut && pathBelow(signature, target))) {
      reject('enveloped-signature transform on the signature itself or inside it');
    }
  }
  const canonical = canonicalize(target, { exclusive: c14n.exclusive, comments: false }, cut);
  if (!createHash(digest).update(canonical).digest().equals(base64Of(digestValue, 'DigestValue'))) {
    reject(`the digest of ${uri} does not match its DigestValue`);
  }
};

/**
 * Verifies the signature at `at` in `xml` with `key`: every reference, then the SignatureValue over SignedInfo.
 * Never throws: what prevents verification is the verdict's error.
 */
export const verifyDsig = (xml: string, at: SignatureLocation, key: KeyObject): DsigVerdict => {
  let doc: XmlDocument;
  try {
    doc = XmlDocument.fromString(xml);
  } catch (e) {
    return { verified: false, error: `not well-formed: ${((e as Error).message.split('\n')[0] ?? '').trim()}` };
  }
  try {
    return verifyParsedDsig(doc, xml, at, key);
  } finally {
    doc.dispose();
  }
};

/**
 * The same, over `doc`, parsed by the caller from `xml` (which it disposes): a caller that reads the document
 * too parses it once. `doc` is not changed.
 */
export const verifyParsedDsig = (doc: XmlDocument, xml: string, at: SignatureLocation, key: KeyObject): DsigVerdict => {
  try {
    if (doc.dtd) {
      reject('a document type declaration is not allowed');
    }
    const found = doc.find(at.path, at.namespaces);
    const signature = found[0];
    if (found.length !== 1 || !(signature instanceof XmlElement) || !isDs(signature, 'Signature')) {
      reject(`exactly one ds:Signature is expected at ${at.path}`);
    }
    const [signedInfo, signatureValue] = childElements(signature) as (XmlElement | undefined)[];
    if (!isDs(signedInfo, 'SignedInfo') || !isDs(signatureValue, 'SignatureValue') || childElements(signature).filter((k) => isDs(k, 'SignedInfo') || isDs(k, 'SignatureValue')).length !== 2) {
      reject('ds:Signature must start with one ds:SignedInfo and one ds:SignatureValue');
    }
    const [c14nMethod, signatureMethod, ...refs] = dsChildren(signedInfo, 'CanonicalizationMethod', 'SignatureMethod', 'Reference+') as [XmlElement, XmlElement, ...XmlElement[]];
    const c14n = C14N[algorithmOf(c14nMethod)] ?? reject(`canonicalization ${algorithmOf(c14nMethod)} is not supported`);
    const hash = SIGNATURES[algorithmOf(signatureMethod)] ?? reject(`signature algorithm ${algorithmOf(signatureMethod)} is not supported`);
    if (key.asymmetricKeyType !== 'rsa') {
      reject(`an RSA signature needs an RSA key, not ${key.asymmetricKeyType ?? key.type}`);
    }
    refs.forEach((ref) => checkReference(doc, xml, signature, ref));
    const value = base64Of(signatureValue, 'SignatureValue');
    if (!verify(hash, Buffer.from(canonicalize(signedInfo, c14n), 'utf8'), { key, padding: constants.RSA_PKCS1_PADDING }, value)) {
      reject('the SignatureValue does not verify with the certificate key');
    }
    return { verified: true };
  } catch (e) {
    if (e instanceof Rejected) {
      return { verified: false, error: e.message };
    }
    return { verified: false, error: `cannot be verified: ${((e as Error).message.split('\n')[0] ?? '').trim()}` };
  }
};
