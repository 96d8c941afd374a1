/** SOAP 1.2 envelopes with WS-Addressing and a WS-Security header carrying the signed VIHF (standards.md §4.2). */
import { ACTION, NS } from '../../core/xds/constants.js';

export interface EnvelopeInput {
  readonly action: string;
  readonly messageId: string;
  readonly to: string;
  /** The signed SAML assertion (no XML declaration). */
  readonly vihfXml: string;
  /** The body's single child element (no XML declaration). */
  readonly bodyXml: string;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const stripDecl = (xml: string): string => xml.replace(/^\s*<\?xml[^>]*\?>\s*/, '');

/**
 * The assertion and the body are inserted as they are (they are already serialised XML); the envelope itself
 * is a fixed frame, so the signed assertion's bytes are not re-serialised (exclusive C14N keeps it valid).
 */
export const soapEnvelope = (e: EnvelopeInput): string =>
  `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="${NS.soap}" xmlns:wsa="${NS.wsa}">`
  + '<soap:Header>'
  + `<wsa:Action soap:mustUnderstand="true">${esc(e.action)}</wsa:Action>`
  + `<wsa:MessageID>${esc(e.messageId)}</wsa:MessageID>`
  + `<wsa:To soap:mustUnderstand="true">${esc(e.to)}</wsa:To>`
  + '<wsa:ReplyTo><wsa:Address>http://www.w3.org/2005/08/addressing/anonymous</wsa:Address></wsa:ReplyTo>'
  + `<wsse:Security xmlns:wsse="${NS.wsse}" soap:mustUnderstand="true">${stripDecl(e.vihfXml)}</wsse:Security>`
  + '</soap:Header>'
  + `<soap:Body>${stripDecl(e.bodyXml)}</soap:Body></soap:Envelope>`;

export { ACTION };
