/**
 * The simulator's own XML reading (independent of src/core/xds on purpose: it must not share the gateway's bugs).
 */
import { DOMParser, type Document, type Element } from '@xmldom/xmldom';

export const NSS = {
  soap: 'http://www.w3.org/2003/05/soap-envelope',
  wsa: 'http://www.w3.org/2005/08/addressing',
  wsse: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd',
  saml: 'urn:oasis:names:tc:SAML:2.0:assertion',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
  xades: 'http://uri.etsi.org/01903/v1.1.1#',
  xdsb: 'urn:ihe:iti:xds-b:2007',
  lcm: 'urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0',
  rim: 'urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0',
  rs: 'urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0',
  query: 'urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0',
  xop: 'http://www.w3.org/2004/08/xop/include',
  hl7: 'urn:hl7-org:v3',
} as const;

export const parseStrict = (xml: string): Document => new DOMParser({ onError: (level, msg) => {
  if (level !== 'warning') {
    throw new Error(msg.split('\n')[0] ?? 'XML error');
  }
} }).parseFromString(xml, 'text/xml');

export const kids = (el: Element | null | undefined, ns: string, local: string): Element[] => {
  const out: Element[] = [];
  for (let n = el?.firstChild ?? null; n; n = n.nextSibling) {
    if (n.nodeType === 1 && (n as Element).namespaceURI === ns && (n as Element).localName === local) {
      out.push(n as Element);
    }
  }
  return out;
};
export const kid = (el: Element | null | undefined, ns: string, local: string): Element | undefined => kids(el, ns, local)[0];
export const descendants = (el: Element | Document | null | undefined, ns: string, local: string): Element[] =>
  el ? Array.from(el.getElementsByTagNameNS(ns, local)) : [];
export const txt = (el: Element | null | undefined): string => el?.textContent?.trim() ?? '';
export const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
