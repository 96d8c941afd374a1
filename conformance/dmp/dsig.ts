/**
 * The simulator's XML-DSig verification: xml-crypto checks the signature (reference lookup, C14N, digests, RSA), with
 * the key of the certificate whose chain the caller checked. The only help it gets is the name of the id attribute
 * each reference resolves by, so that it scans the document once per reference rather than once per candidate name
 * (Id, ID, id): its XPath scans are most of the simulator's CPU.
 */
import type { KeyObject } from 'node:crypto';
import type { Element, Node } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';

/** xml-crypto's default id attributes, in its order. */
const ID_ATTRIBUTES = ['Id', 'ID', 'id'] as const;

const childElements = (el: Element, local: string): Element[] => {
  const out: Element[] = [];
  for (let n: Node | null = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1 && (n as Element).localName === local) {
      out.push(n as Element);
    }
  }
  return out;
};

/** Elements of `scope` (itself included), and its ancestors, which carry an attribute named `local` (any namespace, namespace declarations too) equal to `value`. */
const holders = (scope: Element, local: string, value: string): number => {
  const has = (el: Element): boolean => {
    const attrs = el.attributes;
    for (let i = 0; i < attrs.length; i++) {
      const a = attrs.item(i);
      if (a && (a.localName ?? a.nodeName) === local && a.value === value) {
        return true;
      }
    }
    return false;
  };
  let count = 0;
  for (let up = scope.parentNode; up && up.nodeType === 1; up = up.parentNode) {
    count += has(up as Element) ? 1 : 0;
  }
  const walk = (el: Element): void => {
    count += has(el) ? 1 : 0;
    for (let n: Node | null = el.firstChild; n; n = n.nextSibling) {
      if (n.nodeType === 1) {
        walk(n as Element);
      }
    }
  };
  walk(scope);
  return count;
};

/**
 * The id attribute names by which the references of `signature` resolve in `scope` (the element xml-crypto is given,
 * serialized), when each reference resolves to exactly one element under exactly one of xml-crypto's default names:
 * then xml-crypto, looking under those names only, finds the same elements, and its check that no other element
 * carries the same id under any of the names would pass. Undefined otherwise (no element, several, an unusual URI,
 * not one SignedInfo): xml-crypto keeps its defaults and finds and reports the problem itself. The count includes
 * the ancestors of `scope` (namespace declarations the serializer may copy), so it errs towards the defaults.
 */
export const idAttributesFor = (signature: Element, scope: Element): string[] | undefined => {
  const signedInfo = childElements(signature, 'SignedInfo');
  const refs = signedInfo.length === 1 && signedInfo[0] ? childElements(signedInfo[0], 'Reference') : [];
  if (refs.length === 0) {
    return undefined;
  }
  const names = new Set<string>();
  for (const ref of refs) {
    const uri = ref.getAttribute('URI') ?? '';
    const id = uri.startsWith('#') ? uri.slice(1) : uri;
    if (!/^[^\s'"]+$/.test(id)) {
      return undefined;
    }
    const found = ID_ATTRIBUTES.map((name) => ({ name, count: holders(scope, name, id) })).filter((f) => f.count > 0);
    if (found.length !== 1 || found[0]?.count !== 1) {
      return undefined;
    }
    names.add(found[0].name);
  }
  return ID_ATTRIBUTES.filter((n) => names.has(n));
};

/**
 * Verifies `signature` with xml-crypto over `signedXml`, the serialization of `scope`, with `key`. An error thrown
 * while loading the signature propagates; one thrown while checking it is returned with verified false.
 */
export const verifyWithXmlCrypto = (signature: Element, scope: Element, signedXml: string, key: KeyObject): { readonly verified: boolean; readonly error?: string } => {
  const v = new SignedXml({ publicCert: key, getCertFromKeyInfo: () => null });
  const ids = idAttributesFor(signature, scope);
  if (ids) {
    v.idAttributes = ids;
  }
  v.loadSignature(signature);
  try {
    return { verified: v.checkSignature(signedXml) };
  } catch (e) {
    return { verified: false, error: (e as Error).message };
  }
};
