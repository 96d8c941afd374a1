/**
 * The volet's business acknowledgement of DMP receipt, `ZAM^Z01^ZAM_Z01` (HL7 v2.6), sent by the gateway (the
 * volet's GESTIONNAIRE) to the SIL (CREATEUR) after the DMP answered, when the SIL asked for it (ACK_RECEPTION = Y).
 * https://github.com/ansforge/IG-hl7v2-volet-transmission-document-cda-r2 (profils-messages: "accusés métier")
 *   MSH-9 ZAM^Z01^ZAM_Z01, MSH-12 2.6, MSH-17 FRA, MSH-18 UNICODE UTF-8, MSH-21 2.1^CISIS_CDA_HL7_V2;
 *   OBX|1|CWE|ACK_RECEPTION_DMP^Accusé de réception DMP^AckMetierZAM|<MSH-10 of the ORU/MDM>|Y or N^^expandedYes-NoIndicator||||||F
 *   ERR (when N): ERR-3 207^Application error^messageErrorCondition, ERR-4 E, ERR-5 <DMP code>^<label>^DMP_ERROR_CODE.
 */
import { readInboundHeader, type InboundHeader } from './ack.js';
import { decodeHl7Bytes } from './encoding.js';
import { DEFAULT_DELIMITERS, escapeHl7, readDelimiters, splitMessages, toSegments } from './tokenize.js';

export interface DmpReceipt {
  /** Header of the SIL's original ORU/MDM (readInboundHeader on the stored raw bytes). */
  readonly original: InboundHeader;
  readonly accepted: boolean;
  /** The DMP's error when not accepted (code and label as the DMP gave them). */
  readonly dmpError?: { readonly code: string; readonly label: string };
  readonly now: Date;
  /** MSH-10 of this ZAM. */
  readonly controlId: string;
}

const ts = (d: Date): string => {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}+0000`;
};

export const buildDmpReceipt = (r: DmpReceipt): string => {
  const d = DEFAULT_DELIMITERS;
  const e = (s: string): string => escapeHl7(s, d);
  const o = r.original;
  // HD fields of the original are re-emitted as components when it used the same delimiters.
  const hd = (s: string): string => (o.delimiters.component === d.component && o.delimiters.subcomponent === d.subcomponent ? s.replace(/[|~\\\r\n]/g, '') : e(s));
  const msh = ['MSH', '^~\\&', hd(o.receivingApplication) || 'DMP-GATEWAY', hd(o.receivingFacility), hd(o.sendingApplication), hd(o.sendingFacility), ts(r.now), '', 'ZAM^Z01^ZAM_Z01', e(r.controlId), e(o.processingId || 'P'), '2.6', '', '', '', '', 'FRA', 'UNICODE UTF-8', '', '', '2.1^CISIS_CDA_HL7_V2'].join('|');
  const obx = ['OBX', '1', 'CWE', 'ACK_RECEPTION_DMP^Accusé de réception DMP^AckMetierZAM', e(o.controlId), `${r.accepted ? 'Y' : 'N'}^^expandedYes-NoIndicator`, '', '', '', '', '', 'F'].join('|');
  const segments = [msh, obx];
  if (!r.accepted) {
    const code = r.dmpError ? `${e(r.dmpError.code)}^${e(r.dmpError.label)}^DMP_ERROR_CODE` : '';
    segments.push(['ERR', '', '', '207^Application error^messageErrorCondition', 'E', code].join('|'));
  }
  return `${segments.join('\r')}\r`;
};

/** Bytes as their MSH-18 says; Latin-1 when that fails (only header fields are read, so nothing is refused). */
const textOf = (bytes: Buffer): string => {
  const decoded = decodeHl7Bytes(bytes);
  return decoded.text !== '' ? decoded.text : bytes.toString('latin1');
};

/**
 * The header of the SIL's message that carried a report, read back from the stored raw bytes (decoded as its MSH-18
 * says): in a batch, the MSH whose MSH-10 is the report's message id (else the first, naming that id). Undefined
 * when the bytes hold no readable MSH (a FHIR input, or an input purged by retention).
 */
export const originalHeader = (raw: Buffer, messageId: string): InboundHeader | undefined => {
  const headers = textOf(raw)
    .split(/\r\n|\r|\n/)
    .filter((l) => l.startsWith('MSH'))
    .map((l) => readInboundHeader(l))
    .filter((h): h is InboundHeader => h !== undefined);
  const first = headers[0];
  return headers.find((h) => h.controlId === messageId) ?? (first && messageId !== '' ? { ...first, controlId: messageId } : first);
};

/** What the SIL's answer to a ZAM says: MSA-1 (AA, AE, AR or CA, CE, CR) and MSA-2 (the ZAM's MSH-10). */
export interface ReceiptAnswer {
  readonly code: string;
  readonly controlId: string;
}

/** Reads the acknowledgement the SIL sent back (UTF-8 or Latin-1); undefined when it is not an HL7 message with an MSA. */
export const readReceiptAnswer = (answer: Buffer): ReceiptAnswer | undefined => {
  const lines = splitMessages(textOf(answer)).messages[0];
  const d = lines?.[0] !== undefined ? readDelimiters(lines[0]) : undefined;
  if (!lines || !d) {
    return undefined;
  }
  const msa = toSegments(lines, d).find((s) => s.name === 'MSA');
  return msa ? { code: msa.get(1).trim().toUpperCase(), controlId: msa.get(2).trim() } : undefined;
};
