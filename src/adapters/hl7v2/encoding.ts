/**
 * Bytes → text for HL7 v2, following MSH-18 (character set, HL7 table 0211).
 * French SILs send `UNICODE UTF-8` or `8859/1`; an empty MSH-18 means ASCII by the standard, and in practice
 * either UTF-8 or Latin-1, so we try strict UTF-8 first and fall back to Latin-1 with a warning.
 */
import { issue, type Issue } from '../../core/validation/issue.js';

export type Charset = 'utf-8' | 'latin1' | 'ascii';

/** HL7 table 0211 values (and common spellings) we accept. */
const CHARSETS: Readonly<Record<string, Charset>> = {
  'UNICODE UTF-8': 'utf-8',
  'UTF-8': 'utf-8',
  UTF8: 'utf-8',
  'UNICODE': 'utf-8',
  '8859/1': 'latin1',
  '8859/15': 'latin1',
  'ISO-8859-1': 'latin1',
  'ISO8859-1': 'latin1',
  'ISO-8859-15': 'latin1',
  'ISO IR100': 'latin1',
  'ISO-IR100': 'latin1',
  ASCII: 'ascii',
};

export interface Decoded {
  readonly text: string;
  readonly charset: Charset;
  readonly issues: readonly Issue[];
}

const utf8Strict = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

/** Reads MSH-18 from the first MSH line of the (ASCII-compatible) bytes. */
const declaredCharset = (bytes: Buffer): { value: string; path: string } | undefined => {
  const head = bytes.subarray(0, Math.min(bytes.length, 4096)).toString('latin1');
  const start = head.indexOf('MSH');
  if (start < 0) {
    return undefined;
  }
  const line = head.slice(start).split(/\r|\n/)[0] ?? '';
  const sep = line[3];
  if (sep === undefined) {
    return undefined;
  }
  const fields = line.split(sep);
  // fields[0] = 'MSH', fields[1] = MSH-2, so MSH-n is fields[n - 1].
  const msh18 = fields[17];
  if (msh18 === undefined || msh18 === '') {
    return undefined;
  }
  const compSep = (fields[1] ?? '^')[0] ?? '^';
  const repSep = (fields[1] ?? '^~')[1] ?? '~';
  const firstRep = msh18.split(repSep)[0] ?? '';
  return { value: (firstRep.split(compSep)[0] ?? '').trim(), path: 'MSH[1].18' };
};

export const decodeHl7Bytes = (bytes: Buffer): Decoded => {
  const issues: Issue[] = [];
  const declared = declaredCharset(bytes);
  let charset: Charset | undefined;
  if (declared !== undefined && declared.value !== '') {
    charset = CHARSETS[declared.value.toUpperCase()];
    if (charset === undefined) {
      issues.push(
        issue('error', 'HL7_ENCODING_UNSUPPORTED', declared.path, `Character set "${declared.value}" is not supported; use UNICODE UTF-8 or 8859/1.`),
      );
      return { text: '', charset: 'utf-8', issues };
    }
  }
  if (charset === 'latin1') {
    return { text: latin1.decode(bytes), charset, issues };
  }
  if (charset === 'ascii' && bytes.some((b) => b > 0x7f)) {
    issues.push(issue('error', 'HL7_ENCODING_INVALID', 'MSH[1].18', 'MSH-18 declares ASCII but the message has non-ASCII bytes.'));
    return { text: '', charset, issues };
  }
  try {
    const text = utf8Strict.decode(bytes);
    return { text, charset: charset ?? 'utf-8', issues };
  } catch {
    if (charset === 'utf-8') {
      issues.push(issue('error', 'HL7_ENCODING_INVALID', 'MSH[1].18', 'MSH-18 declares UTF-8 but the bytes are not valid UTF-8 (Latin-1 sent as UTF-8?).'));
      return { text: '', charset, issues };
    }
    issues.push(issue('warning', 'HL7_ENCODING_ASSUMED', 'MSH[1].18', 'MSH-18 is empty and the bytes are not UTF-8: read as ISO 8859-1.'));
    return { text: latin1.decode(bytes), charset: 'latin1', issues };
  }
};
