/** Small DOM helpers over @xmldom/xmldom for reading XML (the CDA header, the DMP's answers). */
import { DOMParser, type Document, type Element } from '@xmldom/xmldom';

/** Parses XML; throws with the parser's message on a well-formedness error. */
export const parseXml = (xml: string): Document => new DOMParser({ onError: (level, msg) => {
  if (level !== 'warning') {
    throw new Error(`XML is not well-formed: ${msg.split('\n')[0] ?? ''}`);
  }
} }).parseFromString(xml, 'text/xml');

export const childrenNs = (el: Element | null | undefined, ns: string, local: string): Element[] => {
  const out: Element[] = [];
  if (!el) {
    return out;
  }
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1) {
      const e = n as Element;
      if (e.namespaceURI === ns && e.localName === local) {
        out.push(e);
      }
    }
  }
  return out;
};

export const childNs = (el: Element | null | undefined, ns: string, local: string): Element | undefined => childrenNs(el, ns, local)[0];

/** Follows a path of child names in one namespace, e.g. ['recordTarget', 'patientRole']. */
export const pathNs = (el: Element | null | undefined, ns: string, path: readonly string[]): Element | undefined => {
  let cur: Element | undefined = el ?? undefined;
  for (const p of path) {
    cur = childNs(cur, ns, p);
    if (!cur) {
      return undefined;
    }
  }
  return cur;
};

export const attr = (el: Element | null | undefined, name: string): string | undefined => {
  const v = el?.getAttribute(name);
  return v === null || v === undefined || v === '' ? undefined : v;
};

export const text = (el: Element | null | undefined): string | undefined => {
  const t = el?.textContent?.trim();
  return t ? t : undefined;
};
