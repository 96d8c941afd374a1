/** DOM helpers for CR-BIO tests (xmldom). */
import { DOMParser, type Document, type Element } from '@xmldom/xmldom';

export const parse = (xml: string): Document => new DOMParser().parseFromString(xml, 'text/xml');

export const children = (e: Element | Document, name: string): Element[] =>
  Array.from(e.childNodes).filter((n): n is Element => n.nodeType === 1 && (n as Element).localName === name);

/** Follows a path of child element names; returns every match. */
export const at = (e: Element | Document, path: string): Element[] =>
  path.split('/').reduce<(Element | Document)[]>((acc, step) => acc.flatMap((x) => children(x, step)), [e]) as Element[];

export const one = (e: Element | Document, path: string): Element => {
  const r = at(e, path);
  if (r.length !== 1) {
    throw new Error(`${path}: ${r.length} matches`);
  }
  return r[0]!;
};

export const all = (e: Element | Document, name: string): Element[] => Array.from((e as Document).getElementsByTagName(name));

export const attr = (e: Element, name: string): string | null => e.getAttribute(name);

export const templated = (e: Element | Document, root: string): Element[] =>
  all(e, 'templateId')
    .filter((t) => t.getAttribute('root') === root)
    .map((t) => t.parentNode as Element);
