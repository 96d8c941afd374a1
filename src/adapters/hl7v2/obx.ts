/**
 * OBX → Observation: value types NM / SN / ST / TX / FT / CWE / CE, OBX-6 units → UCUM, OBX-7 reference range,
 * OBX-8 abnormal flags → ObservationInterpretation, OBX-11 result status.
 */
import type { Observation, ReferenceRange, ResultStatus, ResultValue } from '../../core/report/model.js';
import { toObservationInterpretation } from '../../core/report/interpretation.js';
import { toUcum } from '../../core/report/ucum.js';
import { bestCode, readCoded, type CodeOptions } from './coded.js';
import type { MapContext } from './context.js';
import { decodeComponent, unescapeHl7, type Segment } from './tokenize.js';

/** OBX-11 (HL7 table 0085) → ResultStatus. */
const OBX_STATUS: Readonly<Record<string, ResultStatus>> = {
  F: 'final',
  C: 'corrected',
  P: 'preliminary',
  R: 'preliminary',
  S: 'preliminary',
  I: 'preliminary',
  A: 'preliminary',
  X: 'cancelled',
  D: 'cancelled',
  W: 'cancelled',
  N: 'cancelled',
};

export const readObxStatus = (obx: Segment, ctx: MapContext): ResultStatus => {
  const v = obx.get(11).trim().toUpperCase();
  if (v === '') {
    ctx.error('HL7_REQUIRED_FIELD_MISSING', obx.path(11), 'OBX-11 result status is required and empty.');
    return 'preliminary';
  }
  const s = OBX_STATUS[v];
  if (s === undefined) {
    ctx.error('HL7_CODE_UNKNOWN', obx.path(11), `OBX-11 result status "${v}" is not in HL7 table 0085.`);
    return 'preliminary';
  }
  return s;
};

const NUMBER = /^[+-]?(\d+([.,]\d*)?|[.,]\d+)$/;

/** A decimal as written, with a French decimal comma turned into a point (with a warning). */
const readNumber = (raw: string, path: string, ctx: MapContext, what: string): string | undefined => {
  const v = raw.trim();
  if (!NUMBER.test(v)) {
    ctx.error('HL7_VALUE_INVALID', path, `${what} is not a number.`);
    return undefined;
  }
  if (v.includes(',')) {
    ctx.warn('HL7_DECIMAL_COMMA', path, `${what} uses a decimal comma; read as a decimal point.`);
    return v.replace(',', '.');
  }
  return v;
};

const readUnit = (obx: Segment, ctx: MapContext): string => {
  const raw = obx.get(6, 1).trim() || obx.get(6, 2).trim();
  const m = toUcum(raw);
  if (!m.known) {
    ctx.warn('HL7_UNIT_NOT_UCUM', obx.path(6), `OBX-6 unit "${raw}" is not in the UCUM table; kept as written.`);
  }
  return m.ucum;
};

const COMPARATORS = new Set(['<', '<=', '>', '>=']);

const readValue = (obx: Segment, type: string, ctx: MapContext, opts: CodeOptions): ResultValue | undefined => {
  const reps = obx.rawRepetitions(5);
  if (reps.length === 0) {
    return undefined;
  }
  const d = obx.delimiters;
  const first = reps[0] as string;
  const path = obx.path(5);
  switch (type) {
    case 'NM': {
      let raw = unescapeHl7(first, d).trim();
      let comparator: '<' | '<=' | '>' | '>=' | undefined;
      const m = /^(<=|>=|<|>)\s*(.*)$/.exec(raw);
      if (m) {
        ctx.warn('HL7_NM_COMPARATOR', path, 'OBX-5 of type NM carries a comparator; read as SN.');
        comparator = m[1] as '<' | '<=' | '>' | '>=';
        raw = m[2] ?? '';
      }
      const value = readNumber(raw, path, ctx, 'OBX-5 (NM)');
      if (value === undefined) {
        return undefined;
      }
      return { type: 'quantity', value, unit: readUnit(obx, ctx), ...(comparator ? { comparator } : {}) };
    }
    case 'SN': {
      const comp = (n: number): string => decodeComponent(first, d, n).trim();
      const cmp = comp(1);
      const n1 = comp(2);
      const sep = comp(3);
      const n2 = comp(4);
      if (cmp !== '' && cmp !== '=' && !COMPARATORS.has(cmp)) {
        ctx.error('HL7_VALUE_INVALID', obx.path(5, undefined, 1), `OBX-5 (SN) comparator "${cmp}" is not one of <, <=, >, >=, =.`);
        return undefined;
      }
      if (sep === '') {
        const value = readNumber(n1, obx.path(5, undefined, 2), ctx, 'OBX-5.2 (SN number)');
        if (value === undefined) {
          return undefined;
        }
        const comparator = COMPARATORS.has(cmp) ? (cmp as '<' | '<=' | '>' | '>=') : undefined;
        return { type: 'quantity', value, unit: readUnit(obx, ctx), ...(comparator ? { comparator } : {}) };
      }
      if (sep === '-') {
        const low = n1 === '' ? undefined : readNumber(n1, obx.path(5, undefined, 2), ctx, 'OBX-5.2 (SN low)');
        const high = n2 === '' ? undefined : readNumber(n2, obx.path(5, undefined, 4), ctx, 'OBX-5.4 (SN high)');
        if ((n1 !== '' && low === undefined) || (n2 !== '' && high === undefined)) {
          return undefined;
        }
        return { type: 'range', ...(low !== undefined ? { low } : {}), ...(high !== undefined ? { high } : {}), unit: readUnit(obx, ctx) };
      }
      if (sep === ':' || sep === '/' || sep === '+' || sep === '.') {
        // Ratios and titres (1:128): kept as text, CR-BIO carries them as ST or RTO.
        return { type: 'text', text: `${cmp === '=' ? '' : cmp}${n1}${sep}${n2}` };
      }
      ctx.error('HL7_VALUE_INVALID', obx.path(5, undefined, 3), `OBX-5 (SN) separator "${sep}" is not one of -, +, /, ., :.`);
      return undefined;
    }
    case 'ST':
    case 'TX':
    case 'FT': {
      // ST/TX/FT have no components: an unescaped ^ or & is the lab's text, kept with a warning.
      if (reps.some((r) => r.includes(d.component) || r.includes(d.subcomponent))) {
        ctx.warn('HL7_UNESCAPED_DELIMITER', path, 'OBX-5 text contains unescaped ^ or & (should be \\S\\ / \\T\\); kept as text.');
      }
      const text = reps.map((r) => unescapeHl7(r, d)).join('\n');
      return { type: 'text', text };
    }
    case 'CWE':
    case 'CE':
    case 'CNE': {
      const c = bestCode(readCoded(first, d, path, ctx, opts));
      if (c === undefined) {
        ctx.error('HL7_VALUE_INVALID', path, `OBX-5 (${type}) has no code.`);
        return undefined;
      }
      return { type: 'coded', code: c };
    }
    case 'DT':
    case 'TS':
    case 'DTM':
    case 'TM':
      return { type: 'text', text: unescapeHl7(first, d).trim() };
    default:
      ctx.error('HL7_VALUE_TYPE_UNSUPPORTED', obx.path(2), `OBX-2 value type "${type}" is not supported (NM, SN, ST, TX, FT, CWE, CE, ED).`);
      return undefined;
  }
};

/** OBX-7 reference range forms: "low-high" (or "low à high"), "<high", ">low"; decimal comma or point. */
const NUM = '([+-]?\\d+(?:[.,]\\d+)?)';
const RANGE_BOTH = new RegExp(`^${NUM}\\s*(?:-|à|a)\\s*${NUM}$`);
const RANGE_HIGH = new RegExp(`^<=?\\s*${NUM}$`);
const RANGE_LOW = new RegExp(`^>=?\\s*${NUM}$`);

const readRange = (obx: Segment): ReferenceRange | undefined => {
  const raw = unescapeHl7(obx.rawField(7), obx.delimiters).trim();
  if (raw === '') {
    return undefined;
  }
  const both = RANGE_BOTH.exec(raw);
  const norm = (s: string | undefined): string | undefined => s?.replace(',', '.');
  if (both) {
    return { low: norm(both[1]) as string, high: norm(both[2]) as string };
  }
  const lt = RANGE_HIGH.exec(raw);
  if (lt) {
    return { high: norm(lt[1]) as string };
  }
  const gt = RANGE_LOW.exec(raw);
  if (gt) {
    return { low: norm(gt[1]) as string };
  }
  return { text: raw };
};

/** Maps one result OBX (not a flag, not an ED attachment) to an Observation. */
export const mapObservation = (obx: Segment, ctx: MapContext, opts: CodeOptions, comments: string[]): Observation | undefined => {
  const type = obx.get(2).trim().toUpperCase();
  const coded = readCoded(obx.rawRepetitions(3)[0] ?? '', obx.delimiters, obx.path(3), ctx, opts);
  const code = bestCode(coded);
  if (code === undefined) {
    ctx.error('HL7_REQUIRED_FIELD_MISSING', obx.path(3), 'OBX-3 observation identifier is required and empty.');
    return undefined;
  }
  if (coded.standard === undefined) {
    ctx.warn('HL7_NO_LOINC', obx.path(3), 'OBX-3 has no LOINC code, only a local one.');
  }
  if (type === '') {
    if (obx.rawRepetitions(5).length > 0) {
      ctx.error('HL7_REQUIRED_FIELD_MISSING', obx.path(2), 'OBX-2 value type is required when OBX-5 has a value.');
      return undefined;
    }
  }
  const value = type === '' ? undefined : readValue(obx, type, ctx, opts);
  const status = readObxStatus(obx, ctx);
  const interpretations: string[] = [];
  obx.rawRepetitions(8).forEach((raw, i) => {
    const flag = decodeComponent(raw, obx.delimiters, 1).trim();
    if (flag === '') {
      return;
    }
    const mapped = toObservationInterpretation(flag);
    if (mapped === undefined) {
      ctx.warn('HL7_INTERPRETATION_UNKNOWN', obx.path(8, i + 1), `OBX-8 abnormal flag "${flag}" has no ObservationInterpretation equivalent; dropped.`);
    } else if (!interpretations.includes(mapped)) {
      interpretations.push(mapped);
    }
  });
  const range = readRange(obx);
  const effectiveTime = ctx.dateTime(obx, 14, 1, 1, 'observation date/time');
  const method = obx.get(17, 2).trim() || obx.get(17, 1).trim();
  return {
    code,
    ...(coded.standard !== undefined && coded.local !== undefined ? { localCode: coded.local } : {}),
    ...(value !== undefined ? { value } : {}),
    ...(range !== undefined ? { referenceRange: range.unit === undefined && value?.type === 'quantity' && value.unit !== '' && range.text === undefined ? { ...range, unit: value.unit } : range } : {}),
    interpretations,
    status,
    ...(effectiveTime !== undefined ? { effectiveTime } : {}),
    ...(method !== '' ? { method } : {}),
    comments,
    previous: [],
    sourcePath: obx.label,
  };
};
