/**
 * A small immutable XML tree and its serialisation through fast-xml-parser's XMLBuilder (never string
 * concatenation: the builder escapes text and attribute values). Attribute order is the order given, so the
 * same tree always gives the same bytes.
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
export const el = (name: string, attrs: XAttrs = {}, ...children: Child[]): XElement => ({
  name,
  attrs: Object.entries(attrs)
    .filter((e): e is [string, string | number] => e[1] !== undefined)
    .map(([k, v]) => [k, String(v)] as const),
  children: flatten(children, []),
});

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
