/**
 * A small immutable XML tree and two serialisations that escape text and attribute values: the CDA's, indented,
 * through fast-xml-parser's XMLBuilder, and `writeXml`, compact, for the XDS messages (ebRIM, VIHF). Attribute
 * order is the order given, so the same tree always gives the same bytes.
 */
import { XMLBuilder } from 'fast-xml-parser';

export type XAttrs = Readonly<Record<string, string | number | undefined>>;

export interface XElement {
  readonly name: string;
  readonly attrs: readonly (readonly [string, string])[];
  readonly children: readonly XNode[];
}
export type XNode = XElement | string;

type Child = XNode | undefined | false | null | readonly Child[];

const flatten = (children: readonly Child[], out: XNode[]): XNode[] => {
  for (const c of children) {
    if (c === undefined || c === null || c === false) {
      continue;
    }
    if (Array.isArray(c)) {
      flatten(c as readonly Child[], out);
    } else {
      out.push(c as XNode);
    }
  }
  return out;
};

/** An element; attributes whose value is undefined are left out; children may be nested lists or falsy. */
export const el = (name: string, attrs: XAttrs = {}, ...children: Child[]): XElement => {
  const list: (readonly [string, string])[] = [];
  for (const k in attrs) {
    const v = attrs[k];
    if (v !== undefined) {
      list.push([k, String(v)]);
    }
  }
  return { name, attrs: list, children: flatten(children, []) };
};

/** Text content of an element, in one child. */
export const txt = (name: string, text: string | undefined, attrs: XAttrs = {}): XElement | undefined =>
  text === undefined || text === '' ? undefined : el(name, attrs, text);

/** Characters XML 1.0 does not allow (C0 controls except tab/LF/CR, lone surrogates, U+FFFE/U+FFFF) are dropped. */
// eslint-disable-next-line no-control-regex
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
export const xmlSafe = (s: string): string => s.replace(NOT_XML, '');
/** 1-based line of the first character XML 1.0 forbids, or undefined. */
export const lineOfNonXmlChar = (s: string): number | undefined => {
  const i = s.search(NOT_XML);
  return i < 0 ? undefined : s.slice(0, i).split('\n').length;
};

const ENTITY: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\t': '&#9;', '\n': '&#10;', '\r': '&#13;' };
const entity = (c: string): string => ENTITY[c] ?? c;
const TEXT_SPECIAL = /[&<>]/g;
/** Tab, LF and CR as references too: a parser would normalise them to spaces in an attribute value. */
const ATTR_SPECIAL = /[&<>"\t\n\r]/g;
// eslint-disable-next-line no-control-regex
const ANY_NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;
const safe = (s: string): string => (ANY_NOT_XML.test(s) ? xmlSafe(s) : s);
const escText = (s: string): string => safe(s).replace(TEXT_SPECIAL, entity);
const escAttr = (s: string): string => safe(s).replace(ATTR_SPECIAL, entity);

const write = (node: XElement): string => {
  let xml = `<${node.name}`;
  for (const [k, v] of node.attrs) {
    xml += ` ${k}="${escAttr(v)}"`;
  }
  if (node.children.length === 0) {
    return `${xml}/>`;
  }
  xml += '>';
  for (const c of node.children) {
    xml += typeof c === 'string' ? escText(c) : write(c);
  }
  return `${xml}</${node.name}>`;
};

/**
 * An element as compact XML (no declaration, no indentation), for the messages (ebRIM, VIHF): text and attribute
 * values escaped, characters XML 1.0 forbids dropped; an element without children is self-closed. Namespace
 * declarations are attributes of the tree (`xmlns:p`), written where they are given.
 */
export const writeXml = (node: XElement): string => write(node);

interface FxpNode {
  [key: string]: FxpNode[] | Record<string, string> | string;
}

const toFxp = (node: XNode): FxpNode => {
  if (typeof node === 'string') {
    return { '#text': xmlSafe(node) };
  }
  const out: FxpNode = { [node.name]: node.children.map(toFxp) };
  if (node.attrs.length > 0) {
    const attrs: Record<string, string> = {};
    for (const [k, v] of node.attrs) {
      attrs[`@_${k}`] = xmlSafe(v);
    }
    out[':@'] = attrs;
  }
  return out;
};

const builder = new XMLBuilder({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  format: true,
  indentBy: '  ',
  suppressEmptyNode: true,
  processEntities: true,
});

/** Serialises a document: XML declaration, then the root element. */
export const serialize = (root: XElement): string => {
  const decl: FxpNode = { '?xml': [{ '#text': '' }], ':@': { '@_version': '1.0', '@_encoding': 'UTF-8' } };
  return `${builder.build([decl, toFxp(root)]).trimEnd()}\n`;
};
