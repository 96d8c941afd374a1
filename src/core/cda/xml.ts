/**
 * A small immutable XML tree and two serialisations that escape text and attribute values (never string
 * concatenation of raw values) and drop the characters XML 1.0 forbids: `serialize`, indented, for the CDA, and
 * `writeXml`, compact, for the XDS messages (ebRIM, VIHF). Attribute order is the order given, so the same tree
 * always gives the same bytes.
 */
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

const FXP_ENTITY: Readonly<Record<string, string>> = { '&': '&amp;', '>': '&gt;', '<': '&lt;', "'": '&apos;', '"': '&quot;' };
const fxpEntity = (c: string): string => FXP_ENTITY[c] ?? c;
const FXP_SPECIAL = /[&<>'"]/g;
const fxpEscape = (s: string): string => safe(s).replace(FXP_SPECIAL, fxpEntity);

/**
 * The children of an element at `indent` ("\n" + two spaces per level), as fast-xml-parser's XMLBuilder writes
 * them (preserveOrder, format, suppressEmptyNode, processEntities; src/orderedJs2Xml.js, arrToStr), which the CDA
 * was written with: the same bytes, several times faster. Text after an element starts a new line; an element
 * whose content ends with a tag closes on its own line; one whose content holds a tag but ends with text has it
 * on lines of its own.
 */
const indented = (children: readonly XNode[], indent: string): string => {
  const inner = `${indent}  `;
  let xml = '';
  let afterTag = false;
  for (const c of children) {
    if (typeof c === 'string') {
      xml += afterTag ? indent + fxpEscape(c) : fxpEscape(c);
      afterTag = false;
      continue;
    }
    let start = `${indent}<${c.name}`;
    for (const [k, v] of c.attrs) {
      start += ` ${k}="${fxpEscape(v)}"`;
    }
    const content = indented(c.children, inner);
    if (content === '') {
      xml += `${start}/>`;
    } else if (content.endsWith('>')) {
      xml += `${start}>${content}${indent}</${c.name}>`;
    } else if (content.includes('/>') || content.includes('</')) {
      xml += `${start}>${inner}${content}${indent}</${c.name}>`;
    } else {
      xml += `${start}>${content}</${c.name}>`;
    }
    afterTag = true;
  }
  return xml;
};

/** Serialises a document: XML declaration, then the root element, indented. */
export const serialize = (root: XElement): string => `${`<?xml version="1.0" encoding="UTF-8"?>${indented([root], '\n')}`.trimEnd()}\n`;
