/**
 * The volet's business acknowledgement of DMP receipt, `ZAM^Z01^ZAM_Z01` (HL7 v2.6), sent by the gateway (the
 * volet's GESTIONNAIRE) to the SIL (CREATEUR) after the DMP answered, when the SIL asked for it (ACK_RECEPTION = Y).
 * https://github.com/ansforge/IG-hl7v2-volet-transmission-document-cda-r2 (profils-messages: "accusés métier")
 *   MSH-9 ZAM^Z01^ZAM_Z01, MSH-12 2.6, MSH-17 FRA, MSH-18 UNICODE UTF-8, MSH-21 2.1^CISIS_CDA_HL7_V2;
 *   OBX|1|CWE|ACK_RECEPTION_DMP^Accusé de réception DMP^AckMetierZAM|<MSH-10 of the ORU/MDM>|Y or N^^expandedYes-NoIndicator||||||F
 *   ERR (when N): ERR-3 207^Application error^messageErrorCondition, ERR-4 E, ERR-5 <DMP code>^<label>^DMP_ERROR_CODE.
 */
import type { InboundHeader } from './ack.js';
import { DEFAULT_DELIMITERS, escapeHl7 } from './tokenize.js';

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
