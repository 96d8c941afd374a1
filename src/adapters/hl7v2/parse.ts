/**
 * HL7 v2 intake: bytes (or text) → LabReport(s). Our own small parser, not a library (docs/decisions.md "Intake").
 *
 * Contract: returns the report and its warnings, or throws a GatewayError whose code is the first error's code and
 * whose `issues` list every problem with its segment/field path. It never throws anything else.
 */
import { GatewayError } from '../../core/errors/index.js';
import type { LabReport } from '../../core/report/model.js';
import { hasErrors, issue, type Issue } from '../../core/validation/issue.js';
import { MapContext } from './context.js';
import { decodeHl7Bytes } from './encoding.js';
import { mapOru, type MessageHeader } from './oru.js';
import { readDelimiters, splitMessages, toSegments } from './tokenize.js';

export interface Hl7ParseOptions {
  /** OID given to local codes whose coding system is a name (settings lab.oid). */
  readonly labOid?: string;
  /** Largest message accepted, in bytes (default 8 MiB). */
  readonly maxBytes?: number;
}

export interface ParsedReport {
  readonly report: LabReport;
  /** Warnings and information: the report was accepted with them. */
  readonly issues: readonly Issue[];
  /** This message's own text (one message of a batch). */
  readonly text: string;
}

export type BatchItem =
  | ({ readonly ok: true } & ParsedReport)
  | { readonly ok: false; readonly error: GatewayError; readonly text: string; readonly header?: MessageHeader };

export const DEFAULT_MAX_BYTES = 8 * 1024 * 1024;

const fail = (issues: readonly Issue[]): GatewayError => {
  const first = issues.find((i) => i.severity === 'error');
  if (first === undefined) {
    const generic = issue('error', 'HL7_MALFORMED', 'message', 'The HL7 v2 message cannot be read.');
    return new GatewayError(generic.code, generic.message, { issues: [...issues, generic] });
  }
  return new GatewayError(first.code, first.message, { issues });
};

/** Control characters other than CR, LF, TAB (and stray MLLP frame bytes) mean binary content. */
// eslint-disable-next-line no-control-regex
const BINARY = /[\u0000-\u0008\u000E-\u001A\u001D-\u001F\u007F]/;

const toText = (input: Buffer | string, maxBytes: number): { text: string; issues: Issue[] } => {
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.length;
  if (size > maxBytes) {
    throw new GatewayError('PAYLOAD_TOO_LARGE', `The message is ${size} bytes; the limit is ${maxBytes}.`, {
      issues: [issue('error', 'PAYLOAD_TOO_LARGE', 'message', `The message is larger than the ${maxBytes}-byte limit.`)],
    });
  }
  if (size === 0 || (typeof input === 'string' ? input.trim() === '' : input.toString('latin1').trim() === '')) {
    throw fail([issue('error', 'HL7_EMPTY', 'message', 'The message is empty.')]);
  }
  const decoded = typeof input === 'string' ? { text: input, issues: [] } : decodeHl7Bytes(input);
  if (hasErrors(decoded.issues)) {
    throw fail(decoded.issues);
  }
  if (BINARY.test(decoded.text)) {
    throw fail([issue('error', 'HL7_BINARY_CONTENT', 'message', 'The message contains binary control characters; it is not HL7 v2 text (wrong encoding, e.g. UTF-16?).')]);
  }
  return { text: decoded.text, issues: [...decoded.issues] };
};

/** Parses one message (its segment lines) into a report; returns its issues (errors included). */
const parseLines = (lines: readonly string[], baseIssues: readonly Issue[], opts: Hl7ParseOptions): { report?: LabReport; header?: MessageHeader; issues: Issue[] } => {
  const issues: Issue[] = [...baseIssues];
  const mshLine = lines[0] ?? '';
  const delimiters = readDelimiters(mshLine);
  if (delimiters === undefined) {
    issues.push(issue('error', 'HL7_DELIMITERS_INVALID', 'MSH[1].2', 'MSH-1/MSH-2 must give 5 distinct delimiter characters, such as |^~\\&.'));
    return { issues };
  }
  let lineNo = 0;
  for (const line of lines) {
    lineNo += 1;
    const name = line.slice(0, 3);
    if (!/^[A-Z][A-Z0-9]{2}$/.test(name) || (line.length > 3 && line[3] !== delimiters.field)) {
      issues.push(issue('error', 'HL7_SEGMENT_NAME_INVALID', `segment[${lineNo}]`, `Segment ${lineNo} does not start with a 3-character segment id followed by the field separator.`));
    }
  }
  if (hasErrors(issues)) {
    return { issues };
  }
  const segments = toSegments(lines, delimiters);
  const msh = segments[0];
  const year = Number(msh?.get(7, 1).slice(0, 4));
  const ctx = new MapContext(Number.isInteger(year) && year >= 1990 && year <= 2200 ? year : 2200);
  const result = mapOru(segments, ctx, opts.labOid !== undefined ? { labOid: opts.labOid } : {});
  issues.push(...ctx.issues);
  return { ...(result.report !== undefined ? { report: result.report } : {}), ...(result.header !== undefined ? { header: result.header } : {}), issues };
};

/** BTS-1 (batch message count), when given, must match the messages found. */
const batchCountIssues = (batchSegments: readonly string[], found: number): Issue[] => {
  const bts = batchSegments.find((l) => l.startsWith('BTS'));
  if (bts === undefined) {
    return [];
  }
  const declared = bts.split(bts[3] ?? '|')[1];
  if (declared !== undefined && /^\d+$/.test(declared) && Number(declared) !== found) {
    return [issue('error', 'HL7_BATCH_COUNT_MISMATCH', 'BTS[1].1', `BTS-1 announces ${declared} messages but the batch holds ${found}.`)];
  }
  return [];
};

const split = (text: string): { messages: readonly string[][]; issues: Issue[] } => {
  const s = splitMessages(text);
  const issues = [...s.issues];
  if (s.messages.length > 0) {
    issues.push(...batchCountIssues(s.batchSegments, s.messages.length));
  }
  if (s.messages.length === 0 && issues.length === 0) {
    issues.push(issue('error', 'HL7_NO_MSH', 'line[1]', 'No MSH segment: this is not an HL7 v2 message.'));
  }
  return { messages: s.messages, issues };
};

/**
 * Parses exactly one ORU^R01 (a batch holding a single message is accepted). Throws GatewayError on any error.
 */
export const parseHl7v2 = (input: Buffer | string, opts: Hl7ParseOptions = {}): ParsedReport => {
  const { text, issues: decodeIssues } = toText(input, opts.maxBytes ?? DEFAULT_MAX_BYTES);
  const { messages, issues } = split(text);
  if (hasErrors(issues)) {
    throw fail(issues);
  }
  if (messages.length > 1) {
    throw fail([issue('error', 'HL7_BATCH_NOT_ALLOWED', 'MSH[2]', `${messages.length} messages were sent where one is expected; send them one by one ('dmp-gateway send' splits a batch file).`)]);
  }
  const lines = messages[0] as string[];
  const r = parseLines(lines, decodeIssues, opts);
  if (hasErrors(r.issues) || r.report === undefined) {
    throw fail(r.issues);
  }
  return { report: r.report, issues: r.issues, text: lines.join('\r') };
};

/**
 * Parses a batch file (FHS/BHS … BTS/FTS) or a stream of messages: each message is accepted or refused on its own.
 * Throws only when the file as a whole cannot be read (encoding, no MSH, too large).
 */
export const parseHl7v2Batch = (input: Buffer | string, opts: Hl7ParseOptions = {}): BatchItem[] => {
  const { text, issues: decodeIssues } = toText(input, opts.maxBytes ?? DEFAULT_MAX_BYTES);
  const s = splitMessages(text);
  if (s.messages.length === 0) {
    throw fail(s.issues.length > 0 ? s.issues : [issue('error', 'HL7_NO_MSH', 'line[1]', 'No MSH segment: this is not an HL7 v2 message.')]);
  }
  if (hasErrors(s.issues)) {
    throw fail(s.issues);
  }
  const count = batchCountIssues(s.batchSegments, s.messages.length);
  if (count.length > 0) {
    throw fail(count);
  }
  return s.messages.map((lines, i) => {
    const prefix = (list: readonly Issue[]): Issue[] => list.map((x) => ({ ...x, path: `MSG[${i + 1}]/${x.path}` }));
    const r = parseLines(lines, decodeIssues, opts);
    const textOne = lines.join('\r');
    if (hasErrors(r.issues) || r.report === undefined) {
      return { ok: false as const, error: fail(prefix(r.issues)), text: textOne, ...(r.header !== undefined ? { header: r.header } : {}) };
    }
    return { ok: true as const, report: r.report, issues: r.issues, text: textOne };
  });
};
