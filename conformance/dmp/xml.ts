/**
 * The simulator's own XML reading (independent of src/core/xds on purpose: it must not share the gateway's bugs):
 * envelopes are read by xml-read.ts; parseStrict (xmldom) reads the ANS kit's code sets at start-up.
 */
import { DOMParser, type Document } from '@xmldom/xmldom';
import type { XElement } from './xml-read.js';

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

export const kids = (el: XElement | null | undefined, ns: string, local: string): XElement[] =>
  el ? el.children.filter((c) => c.namespaceURI === ns && c.localName === local) : [];
export const kid = (el: XElement | null | undefined, ns: string, local: string): XElement | undefined =>
  el?.children.find((c) => c.namespaceURI === ns && c.localName === local);
/** The descendants of `el` (not `el` itself) with this name, in document order. */
export const descendants = (el: XElement | null | undefined, ns: string, local: string, out: XElement[] = []): XElement[] => {
  for (const c of el?.children ?? []) {
    if (c.namespaceURI === ns && c.localName === local) {
      out.push(c);
    }
    descendants(c, ns, local, out);
  }
  return out;
};
export const txt = (el: XElement | null | undefined): string => el?.textContent.trim() ?? '';
export const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
