/**
 * HL7 v2.5 original-mode acknowledgement as the CI-SIS volet "Transmission de documents CDA en HL7 v2" (V2.1, §
 * "message d'acquittement") describes it: MSH-9 ACK^<event>^ACK, MSH-12 2.5 (2.6 for MDM), MSH-17 FRA, MSA-1 AA / AE /
 * AR, one ERR segment per issue with ERR-2 naming the segment and field (ERL: segment^sequence^field^repetition^
 * component^sub-component), ERR-3 the HL7 table 0357 code (`…^messageErrorCondition`), ERR-4 the severity, ERR-5 our
 * error code and ERR-8 the message in plain words.
 *
 * AA: stored durably. AE: the message breaks a rule; do not resend it unchanged. AR: not processed (too large, or
 * the gateway could not store it); the SIL may resend the same message later. In enhanced mode (MSH-15/16 valued)
 * the same outcomes become the commit codes CA / CE / CR (ack-mode.ts), with MSH-15/16 of the ACK itself NE: an
 * acknowledgement is never acknowledged.
 */
import type { Issue } from '../../core/validation/issue.js';
import { DEFAULT_DELIMITERS, escapeHl7, readDelimiters, type Delimiters } from './tokenize.js';

/** HL7 table 0008: original mode AA/AE/AR; enhanced-mode accept acknowledgement CA/CE/CR. */
export type AckCode = 'AA' | 'AE' | 'AR' | 'CA' | 'CE' | 'CR';

export interface AckResult {
  readonly code: AckCode;
  /** Our error code when refused (GatewayError.code). */
  readonly errorCode?: string;
  /** MSA-3 text. */
  readonly text?: string;
  readonly issues?: readonly Issue[];
}

export interface InboundHeader {
  readonly delimiters: Delimiters;
  readonly sendingApplication: string;
  readonly sendingFacility: string;
  readonly receivingApplication: string;
  readonly receivingFacility: string;
  readonly controlId: string;
  readonly processingId: string;
  readonly triggerEvent: string;
  /** MSH-12 of the inbound message (2.5 for ORU, 2.6 for MDM in the volet). */
  readonly version: string;
  /** MSH-15 accept / MSH-16 application acknowledgement type (table 0155), as sent; empty in the volet. */
  readonly acceptAckType?: string;
  readonly applicationAckType?: string;
}

/** Reads what an ACK needs from a message, tolerating anything (a garbled message still gets an ACK). */
export const readInboundHeader = (raw: Buffer | string): InboundHeader | undefined => {
  const text = typeof raw === 'string' ? raw : raw.toString('latin1');
  const start = text.indexOf('MSH');
  if (start < 0) {
    return undefined;
  }
  const line = text.slice(start).split(/\r|\n/)[0] ?? '';
  const d = readDelimiters(line);
  if (d === undefined) {
    return undefined;
  }
  const f = line.split(d.field);
  // f[0] = 'MSH', f[1] = MSH-2, MSH-n = f[n - 1]; keep only the raw first component, bounded.
  const get = (n: number): string => (f[n - 1] ?? '').split(d.repetition)[0]?.slice(0, 200) ?? '';
  return {
    delimiters: d,
    sendingApplication: get(3),
    sendingFacility: get(4),
    receivingApplication: get(5),
    receivingFacility: get(6),
    controlId: (get(10).split(d.component)[0] ?? '').slice(0, 199),
    processingId: (get(11).split(d.component)[0] ?? '') || 'P',
    triggerEvent: get(9).split(d.component)[1] ?? 'R01',
    version: (get(12).split(d.component)[0] ?? '').trim(),
    acceptAckType: (get(15).split(d.component)[0] ?? '').trim().slice(0, 10),
    applicationAckType: (get(16).split(d.component)[0] ?? '').trim().slice(0, 10),
  };
};

/** HL7 table 0357 (message error condition codes). */
const hl7ErrorCode = (code: string): [string, string] => {
  if (/SEGMENT_(ORDER|MISSING|REPEATED)/.test(code)) {
    return ['100', 'Segment sequence error'];
  }
  if (/REQUIRED/.test(code)) {
    return ['101', 'Required field missing'];
  }
  if (/CODE_UNKNOWN|STATUS_INVALID|OID_UNKNOWN/.test(code)) {
    return ['103', 'Table value not found'];
  }
  if (/MESSAGE_TYPE/.test(code)) {
    return ['200', 'Unsupported message type'];
  }
  if (/VERSION/.test(code)) {
    return ['203', 'Unsupported version id'];
  }
  if (/VALUE|DATE|ENCODING|BINARY|DELIMITERS|NAME_INVALID|INS_|EMBEDDED|NO_MSH|EMPTY/.test(code)) {
    return ['102', 'Data type error'];
  }
  return ['207', 'Application internal error'];
};

/** `PID[1].3[2].4.2` → ERL `PID^1^3^2^4^2`; paths that are not segment paths give an empty ERR-2. */
export const pathToErl = (path: string, d: Delimiters = DEFAULT_DELIMITERS): string => {
  const m = /^(?:MSG\[\d+\]\/)?([A-Z][A-Z0-9]{2})(?:\[(\d+)\])?(?:\.(\d+)(?:\[(\d+)\])?(?:\.(\d+)(?:\.(\d+))?)?)?$/.exec(path);
  if (!m) {
    return '';
  }
  const [, seg, seq, field, rep, comp, sub] = m;
  const parts = [seg ?? '', seq ?? '1', field ?? '', field !== undefined ? (rep ?? '1') : '', comp ?? '', sub ?? ''];
  while (parts.length > 1 && parts[parts.length - 1] === '') {
    parts.pop();
  }
  return parts.join(d.component);
};

const hl7Now = (now: Date): string => {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${p(now.getUTCFullYear(), 4)}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}+0000`;
};

const MAX_ERR = 50;

/** Builds the ACK text (segments separated by CR, UTF-8 declared in MSH-18). */
export const buildAck = (inbound: InboundHeader | undefined, result: AckResult, now: Date, ackControlId: string): string => {
  const d = DEFAULT_DELIMITERS;
  const e = (s: string): string => escapeHl7(s, d);
  // The inbound header fields are re-emitted raw only when they use our delimiters; otherwise escaped as text.
  const enhanced = result.code === 'CA' || result.code === 'CE' || result.code === 'CR';
  const same = inbound !== undefined && inbound.delimiters.field === d.field && inbound.delimiters.component === d.component;
  const h = (s: string | undefined): string => (s === undefined ? '' : same ? s.replace(/[\r\n|~\\]/g, '') : e(s));
  const msh = [
    'MSH',
    `${d.component}${d.repetition}${d.escape}${d.subcomponent}`,
    h(inbound?.receivingApplication) || 'DMP-GATEWAY',
    h(inbound?.receivingFacility),
    h(inbound?.sendingApplication),
    h(inbound?.sendingFacility),
    hl7Now(now),
    '',
    `ACK${d.component}${e(inbound?.triggerEvent ?? 'R01')}${d.component}ACK`,
    e(ackControlId),
    e(inbound?.processingId ?? 'P'),
    inbound?.version === '2.6' ? '2.6' : '2.5',
    '',
    '',
    enhanced ? 'NE' : '',
    enhanced ? 'NE' : '',
    'FRA',
    'UNICODE UTF-8',
  ].join(d.field);
  const msa = ['MSA', result.code, e(inbound?.controlId ?? ''), e((result.text ?? '').slice(0, 80))].join(d.field);
  const segments = [msh, msa];
  const issues = result.issues ?? [];
  const shown = issues.slice(0, MAX_ERR);
  for (const i of shown) {
    // A warning does not stop the message: table 0357 code 0 "Message accepted".
    const [hl7Code, hl7Text] = i.severity === 'error' ? hl7ErrorCode(i.code) : ['0', 'Message accepted'];
    const severity = i.severity === 'error' ? 'E' : i.severity === 'warning' ? 'W' : 'I';
    segments.push(['ERR', '', pathToErl(i.path, d), `${hl7Code}${d.component}${hl7Text}${d.component}messageErrorCondition`, severity, e(i.code), '', e(i.path), e(i.message)].join(d.field));
  }
  if (!issues.some((i) => i.severity === 'error') && result.code !== 'AA' && result.code !== 'CA' && result.errorCode !== undefined) {
    const [hl7Code, hl7Text] = hl7ErrorCode(result.errorCode);
    segments.push(['ERR', '', '', `${hl7Code}${d.component}${hl7Text}${d.component}messageErrorCondition`, 'E', e(result.errorCode), '', '', e(result.text ?? '')].join(d.field));
  }
  return `${segments.join('\r')}\r`;
};
