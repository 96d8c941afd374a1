/**
 * Our CR-BIO rules (src/core/cda/rules.ts) on a document libxml2-wasm has already parsed (for the XSD): the
 * rules' lookups become XPath evaluated inside libxml2 (compiled once, kept), so only the few nodes the rules
 * read cross the wasm boundary. Whole-document lookups use /descendant::x[…], measured about twice as fast as
 * //x[…] (which tests the predicate once per parent) and the same nodes. Same issues as `checkCrBio` on the
 * text (test/conformance/own-rules-libxml.test.ts).
 */
import { XmlAttribute, XmlElement, XmlXPath, type NamespaceMap, type XmlDocument, type XmlNode } from 'libxml2-wasm';
import { checkCrBio, crBioRules, V3, type CdaXmlView } from '../../core/cda/rules.js';
import { lineOfNonXmlChar } from '../../core/cda/xml.js';
import type { Issue } from '../../core/validation/issue.js';
import { readCdaHeaderFrom, type CdaHeader } from '../../core/xds/cda-header.js';

const compiledXPaths = new Map<string, XmlXPath>();
/** A compiled XPath, kept for the life of the process (the expressions come from the rules, a bounded set). */
const xp = (expr: string, ns: NamespaceMap = { h: V3 }): XmlXPath => {
  const key = `${JSON.stringify(ns)} ${expr}`;
  let c = compiledXPaths.get(key);
  if (!c) {
    c = XmlXPath.compile(expr, ns);
    compiledXPaths.set(key, c);
  }
  return c;
};
const NAME = /^[A-Za-z_][\w.-]*$/;
const name = (n: string): string => {
  if (!NAME.test(n)) {
    throw new Error(`not an XML name: ${n}`);
  }
  return n;
};
const steps = (s: string): string => s.split('/').map((step) => `h:${name(step)}`).join('/');
// find(…)[0] rather than get(…): get measured several times slower in libxml2-wasm 0.7.2
const element = (ns: XmlNode[]): XmlElement | undefined => (ns[0] instanceof XmlElement ? ns[0] : undefined);
const elements = (ns: XmlNode[]): XmlElement[] => ns.filter((n): n is XmlElement => n instanceof XmlElement);

/**
 * XPath of an element with 1-based positions among same-name siblings (namespace ignored, as `xpathOf`). Only
 * for issues, so not compiled and kept; the names come from the document (an XML name never holds a quote).
 */
const xpathOfElement = (e: XmlElement): string => {
  const parts: string[] = [];
  for (let cur: XmlElement | null = e; cur; cur = cur.parent) {
    const before = cur.eval(`count(preceding-sibling::*[local-name()='${cur.name}'])`);
    parts.unshift(`${cur.name}[${(typeof before === 'number' ? before : 0) + 1}]`);
  }
  return `/${parts.join('/')}`;
};

/** The rules' view of a libxml2 document. */
export const libxmlView = (doc: XmlDocument): CdaXmlView<XmlElement> => ({
  root: doc.root,
  is: (e, ns, localName) => e.name === localName && e.namespaceUri === ns,
  path: (e, s, ns = V3) => elements(e.find(xp(steps(s), { h: ns }))),
  first: (e, s, ns = V3) => element(e.find(xp(steps(s), { h: ns }))),
  attr: (e, n) => e.attr(n)?.value ?? null,
  text: (e) => e.content,
  firstInDocument: (ns, localName) => element(doc.find(xp(`/descendant::n:${name(localName)}[1]`, { n: ns }))),
  firstDescendant: (e, localName) => element(e.find(xp(`descendant::h:${name(localName)}[1]`))),
  withTemplate: (root) => {
    if (!/^[\d.]+$/.test(root)) {
      throw new Error(`not an OID: ${root}`);
    }
    return elements(doc.find(xp(`/descendant::h:templateId[@root='${root}']`))).flatMap((t) => t.parent ?? []);
  },
  attrValues: (localName, attrName) =>
    doc.find(xp(`/descendant::h:${name(localName)}/@${name(attrName)}`)).flatMap((a) => (a instanceof XmlAttribute ? [a.value] : [])),
  xpathOf: xpathOfElement,
});

/**
 * Documents on which libxml2 and xmldom may read differently, left to `checkCrBio` (xmldom), which reports them
 * as before: a character XML 1.0 forbids, a byte-order mark (xmldom: not well-formed; libxml2 skips it), a
 * DOCTYPE (entities and default attributes: libxml2 applies them, xmldom does not), an XML declaration naming
 * another encoding than UTF-8 (libxml2 would decode the UTF-8 text as that encoding).
 */
export const readsAlike = (xml: string): boolean =>
  lineOfNonXmlChar(xml) === undefined
  && !xml.startsWith('\uFEFF')
  && !xml.includes('<!DOCTYPE')
  && !/^<\?xml\b[^>]*\bencoding\s*=\s*["'](?!utf-8["'])/i.test(xml);

/**
 * `checkCrBio(xml)`, on the libxml2 document `doc` parsed from `xml` (undefined when libxml2 could not parse it:
 * then xmldom gives the not-well-formed issue in its own words, as before). `alike`: the caller has already found
 * that `readsAlike(xml)`.
 */
export const checkCrBioParsed = (xml: string, doc: XmlDocument | undefined, alike = false): Issue[] =>
  doc && (alike || readsAlike(xml)) ? crBioRules(libxmlView(doc)) : checkCrBio(xml);

/**
 * The CDA header for the XDS metadata (`readCdaHeader`), read from the libxml2 document `doc` parsed from `xml`:
 * no second parse at delivery. Undefined when libxml2 could not parse it, when libxml2 and xmldom may read it
 * differently (`readsAlike`; `alike`: the caller has found that they do) or when it is not a ClinicalDocument:
 * delivery then reads the text as before.
 */
export const cdaHeaderParsed = (xml: string, doc: XmlDocument | undefined, alike = false): CdaHeader | undefined =>
  doc && (alike || readsAlike(xml)) ? readCdaHeaderFrom(libxmlView(doc)).header : undefined;
