/**
 * HL7 v2 ER7 tokenizer: messages → segments → fields → repetitions → components → sub-components,
 * with escape sequences decoded (HL7 v2.5 ch. 2.7). A segment finds its field boundaries when built; a field is split
 * into repetitions and components on first read (or at once with `eager`), in one pass over its characters;
 * sub-components and escape sequences are decoded when a value is read. Most of an ORU is never read.
 *
 * Positions follow the standard numbering: MSH-1 is the field separator itself and MSH-2 the encoding
 * characters, so for every segment `get(n)` is HL7 field n.
 */
import { issue, type Issue } from '../../core/validation/issue.js';

export interface Delimiters {
  readonly field: string;
  readonly component: string;
  readonly repetition: string;
  readonly escape: string;
  readonly subcomponent: string;
}

export const DEFAULT_DELIMITERS: Delimiters = { field: '|', component: '^', repetition: '~', escape: '\\', subcomponent: '&' };

export interface SegmentOptions {
  /**
   * Split every field now into repetitions and components instead of on first read (same results either way;
   * lazy is cheaper when few fields are read). Sub-components and escape sequences are decoded when read.
   */
  readonly eager?: boolean;
}

/** A field split into repetitions, each into its raw (still escaped) components. */
type SplitField = readonly (readonly string[])[];

const NO_REPETITIONS: SplitField = Object.freeze([]);

/**
 * Splits the field text raw[from, to) into repetitions and components in one pass over its characters (no
 * intermediate strings). Same result as splitting on the repetition then the component separator.
 */
const splitField = (raw: string, from: number, to: number, d: Delimiters): SplitField => {
  if (from >= to) {
    return NO_REPETITIONS;
  }
  const C = d.component.charCodeAt(0);
  const R = d.repetition.charCodeAt(0);
  let reps: (readonly string[])[] | undefined;
  let comps: string[] = [];
  let start = from;
  for (let i = from; ; i++) {
    // ch = -1 at the end of the field: it closes the last component and repetition.
    let ch = -1;
    if (i < to) {
      ch = raw.charCodeAt(i);
      if (ch !== C && ch !== R) {
        continue;
      }
    }
    comps.push(raw.slice(start, i));
    start = i + 1;
    if (ch === C) {
      continue;
    }
    if (ch === R) {
      (reps ??= []).push(comps);
      comps = [];
      continue;
    }
    if (reps === undefined) {
      return [comps];
    }
    reps.push(comps);
    return reps;
  }
};

/** Sub-component s of one raw component, decoded. */
const decodeSubcomponent = (comp: string, d: Delimiters, s: number): string => {
  const sub = s === 1 && !comp.includes(d.subcomponent) ? comp : comp.split(d.subcomponent)[s - 1];
  return sub === undefined ? '' : unescapeHl7(sub, d);
};

const isHeaderName = (name: string): boolean => name === 'MSH' || name === 'FHS' || name === 'BHS';

export class Segment {
  /** 1-based occurrence of this segment name in its message, e.g. the 3rd OBX is OBX[3]. */
  readonly occurrence: number;
  readonly name: string;
  /**
   * Where each field ends in `raw` (exclusive); the next one starts one character further. Indexed by HL7 field
   * number: for MSH (FHS, BHS) field 1 is the field separator itself, read from the delimiters.
   */
  private readonly ends: number[];
  /** Memo of split raw repetitions, per field. */
  private readonly reps: (string[] | undefined)[] = [];
  /** Memo of fields split into repetitions and components. */
  private readonly splits: (SplitField | undefined)[] = [];

  constructor(
    readonly raw: string,
    readonly delimiters: Delimiters,
    occurrence: number,
    options: SegmentOptions = {},
  ) {
    this.occurrence = occurrence;
    this.name = raw.slice(0, 3);
    const sep = delimiters.field;
    const ends: number[] = [];
    let at = raw.indexOf(sep);
    if (isHeaderName(this.name)) {
      // MSH-1 is the separator itself: field 0 ends where it stands.
      ends.push(at < 0 ? raw.length : at);
    }
    while (at >= 0) {
      ends.push(at);
      at = raw.indexOf(sep, at + 1);
    }
    ends.push(raw.length);
    this.ends = ends;
    if (options.eager === true) {
      for (let n = 0; n < ends.length; n++) {
        this.split(n);
      }
    }
  }

  /** e.g. `OBX[3]` */
  get label(): string {
    return `${this.name}[${this.occurrence}]`;
  }

  path(field: number, rep?: number, comp?: number, sub?: number): string {
    let p = `${this.label}.${field}`;
    if (rep !== undefined && rep > 1) {
      p += `[${rep}]`;
    }
    if (comp !== undefined) {
      p += `.${comp}`;
      if (sub !== undefined) {
        p += `.${sub}`;
      }
    }
    return p;
  }

  get fieldCount(): number {
    return this.ends.length - 1;
  }

  /** MSH-1 (the field separator) and MSH-2 (the encoding characters) are single values, never split. */
  private isDelimiterField(n: number): boolean {
    return (n === 1 || n === 2) && isHeaderName(this.name);
  }

  /** Start of field n in `raw`, or -1 when the segment has no field n. */
  private start(n: number): number {
    if (!Number.isInteger(n) || n < 0 || n >= this.ends.length) {
      return -1;
    }
    return n === 0 ? 0 : (this.ends[n - 1] as number) + 1;
  }

  /** Raw (still escaped) text of field n, all repetitions. */
  rawField(n: number): string {
    if (n === 1 && this.isDelimiterField(n)) {
      return this.delimiters.field;
    }
    const from = this.start(n);
    return from < 0 ? '' : this.raw.slice(from, this.ends[n]);
  }

  /** Raw repetitions of field n (an empty field gives []). */
  rawRepetitions(n: number): string[] {
    const cached = this.reps[n];
    if (cached !== undefined) {
      return cached;
    }
    const f = this.rawField(n);
    const out = f === '' ? [] : this.isDelimiterField(n) ? [f] : f.split(this.delimiters.repetition);
    if (this.start(n) >= 0) {
      this.reps[n] = out;
    }
    return out;
  }

  /** Field n split into repetitions → raw components (memoised). */
  private split(n: number): SplitField {
    const cached = this.splits[n];
    if (cached !== undefined) {
      return cached;
    }
    const from = this.start(n);
    if (from < 0) {
      return NO_REPETITIONS;
    }
    let out: SplitField;
    if (this.isDelimiterField(n)) {
      const f = this.rawField(n);
      out = f === '' ? NO_REPETITIONS : [[f]];
    } else {
      out = splitField(this.raw, from, this.ends[n] as number, this.delimiters);
    }
    this.splits[n] = out;
    return out;
  }

  /**
   * Decoded value of field n, repetition r, component c, sub-component s (all 1-based). MSH-1 and MSH-2 are
   * returned as written.
   */
  get(n: number, c = 1, s = 1, r = 1): string {
    const comp = this.split(n)[r - 1]?.[c - 1];
    if (comp === undefined) {
      return '';
    }
    if (this.isDelimiterField(n)) {
      return s === 1 ? comp : '';
    }
    return decodeSubcomponent(comp, this.delimiters, s);
  }

  /** Number of repetitions of field n. */
  repetitionCount(n: number): number {
    return this.split(n).length;
  }
}

// Callers read several components of the same repetition in a row: keep the last split.
let lastRaw: string | undefined;
let lastSep: string | undefined;
let lastComps: string[] = [];

/** Component c, sub-component s of one raw repetition, decoded. */
export const decodeComponent = (rawRepetition: string, d: Delimiters, c: number, s = 1): string => {
  if (rawRepetition !== lastRaw || d.component !== lastSep) {
    lastRaw = rawRepetition;
    lastSep = d.component;
    lastComps = rawRepetition.split(d.component);
  }
  const comp = lastComps[c - 1];
  return comp === undefined ? '' : decodeSubcomponent(comp, d, s);
};

/** The HL7 "null" value `""` means "delete"; for intake it is simply empty. */
const isHl7Null = (v: string): boolean => v === '""';

/** Decodes HL7 escape sequences (\F\ \S\ \T\ \R\ \E\ \Xhh\ \.br\ …). Unknown sequences are dropped. */
export const unescapeHl7 = (value: string, d: Delimiters): string => {
  if (isHl7Null(value)) {
    return '';
  }
  const esc = d.escape;
  if (esc === '' || !value.includes(esc)) {
    return value;
  }
  let out = '';
  let i = 0;
  while (i < value.length) {
    const ch = value[i] as string;
    if (ch !== esc) {
      out += ch;
      i += 1;
      continue;
    }
    const end = value.indexOf(esc, i + 1);
    if (end < 0) {
      // A lone escape character: keep it as text.
      out += value.slice(i);
      break;
    }
    const seq = value.slice(i + 1, end);
    out += decodeEscape(seq, d);
    i = end + 1;
  }
  return out;
};

const decodeEscape = (seq: string, d: Delimiters): string => {
  switch (seq) {
    case 'F':
      return d.field;
    case 'S':
      return d.component;
    case 'T':
      return d.subcomponent;
    case 'R':
      return d.repetition;
    case 'E':
      return d.escape;
    case '.br':
      return '\n';
    case 'H':
    case 'N':
      return '';
    default:
      break;
  }
  if (seq.startsWith('X') && /^X([0-9A-Fa-f]{2})+$/.test(seq)) {
    let s = '';
    for (let k = 1; k < seq.length; k += 2) {
      s += String.fromCharCode(parseInt(seq.slice(k, k + 2), 16));
    }
    return s;
  }
  if (seq.startsWith('.sp')) {
    return '\n';
  }
  // \Cxxyy\, \Mxxyyzz\ (character set switches), \.in\, \.ti\, \.sk\, \Zxxx\: no text.
  return '';
};

export interface SplitMessages {
  readonly messages: readonly string[][];
  /** FHS/BHS/BTS/FTS lines, for batch checks. */
  readonly batchSegments: readonly string[];
  readonly issues: readonly Issue[];
}

/**
 * Splits text into segment lines (CR, LF or CRLF) and groups them into messages, each starting at MSH.
 * Batch envelopes (FHS, BHS, BTS, FTS) are set aside.
 */
export const splitMessages = (text: string): SplitMessages => {
  const lines = text.split(/\r\n|\r|\n/).filter((l) => l.trim() !== '');
  const messages: string[][] = [];
  const batchSegments: string[] = [];
  const issues: Issue[] = [];
  let current: string[] | undefined;
  let lineNo = 0;
  for (const line of lines) {
    lineNo += 1;
    const name = line.slice(0, 3);
    if (name === 'FHS' || name === 'BHS' || name === 'BTS' || name === 'FTS') {
      batchSegments.push(line);
      current = undefined;
      continue;
    }
    if (name === 'MSH') {
      current = [line];
      messages.push(current);
      continue;
    }
    if (current === undefined) {
      issues.push(issue('error', 'HL7_NO_MSH', `line[${lineNo}]`, `Segment line ${lineNo} comes before any MSH segment; every message must start with MSH.`));
      continue;
    }
    current.push(line);
  }
  return { messages, batchSegments, issues };
};

/** Reads the delimiters from an MSH (or FHS/BHS) line: MSH|^~\& */
export const readDelimiters = (mshLine: string): Delimiters | undefined => {
  if (mshLine.length < 8) {
    return undefined;
  }
  const field = mshLine[3] as string;
  const enc = mshLine.slice(4, mshLine.indexOf(field, 4) < 0 ? 8 : mshLine.indexOf(field, 4));
  if (enc.length < 3 || enc.length > 5) {
    return undefined;
  }
  const component = enc[0] as string;
  const repetition = enc[1] as string;
  const escape = enc[2] as string;
  const subcomponent = enc[3] ?? '&';
  const all = [field, component, repetition, escape, subcomponent];
  if (new Set(all).size !== all.length || all.some((c) => /[A-Za-z0-9\s]/.test(c))) {
    return undefined;
  }
  return { field, component, repetition, escape, subcomponent };
};

/** Builds Segment objects with their per-name occurrence numbers. */
export const toSegments = (lines: readonly string[], d: Delimiters, options: SegmentOptions = {}): Segment[] => {
  const counts = new Map<string, number>();
  return lines.map((line) => {
    const name = line.slice(0, 3);
    const n = (counts.get(name) ?? 0) + 1;
    counts.set(name, n);
    return new Segment(line, d, n, options);
  });
};

/** Escapes text for an ER7 field (used when writing ACKs). */
export const escapeHl7 = (value: string, d: Delimiters = DEFAULT_DELIMITERS): string => {
  let out = '';
  for (const ch of value) {
    if (ch === d.escape) {
      out += `${d.escape}E${d.escape}`;
    } else if (ch === d.field) {
      out += `${d.escape}F${d.escape}`;
    } else if (ch === d.component) {
      out += `${d.escape}S${d.escape}`;
    } else if (ch === d.subcomponent) {
      out += `${d.escape}T${d.escape}`;
    } else if (ch === d.repetition) {
      out += `${d.escape}R${d.escape}`;
    } else if (ch === '\r' || ch === '\n') {
      out += `${d.escape}.br${d.escape}`;
    } else {
      out += ch;
    }
  }
  return out;
};
