/**
 * HL7 v3 data types as CDA elements (TS, II, CD, AD, TEL, PN). Inputs come from the canonical LabReport.
 */
import type { Code, PostalAddress, Practitioner } from '../report/model.js';
import { el, txt, type XElement } from './xml.js';

export const LOINC = '2.16.840.1.113883.6.1';
/** PS_IdNat (RPPS with prefix 8) and Struct_IdNat (FINESS with prefix 1): standards.md §3.2. */
export const OID_PS_IDNAT = '1.2.250.1.71.4.2.1';
export const OID_STRUCT_IDNAT = '1.2.250.1.71.4.2.2';

const ISO = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * ISO 8601 (partial) → HL7 TS: `2021-01-04T16:05:27+01:00` → `20210104160527+0100`. Unknown month/day
 * (`00`, the INS lunar form) truncate the precision there (`1980-00-00` → `1980`). Returns undefined when
 * the input is not a date.
 */
export const toTs = (iso: string | undefined): string | undefined => {
  if (iso === undefined) {
    return undefined;
  }
  const m = ISO.exec(iso.trim());
  if (!m) {
    return undefined;
  }
  const [, y, mo, d, h, mi, s, frac, tz] = m;
  let out = y ?? '';
  if (mo && mo !== '00') {
    out += mo;
    if (d && d !== '00') {
      out += d;
      if (h && mi) {
        out += h + mi;
        if (s) {
          out += s;
          if (frac) {
            out += `.${frac.slice(0, 4)}`;
          }
        }
        if (tz) {
          out += tz === 'Z' ? '+0000' : tz.replace(':', '');
        }
      }
    }
  }
  return out;
};

/** A TS element (`time`, `effectiveTime`, `low`, `high`), or a nullFlavor when unknown. */
export const ts = (name: string, iso: string | undefined, nullFlavor = 'UNK'): XElement => {
  const v = toTs(iso);
  return v === undefined ? el(name, { nullFlavor }) : el(name, { value: v });
};

export const ii = (root: string, extension?: string, name = 'id', extra: Record<string, string> = {}): XElement =>
  el(name, { root, extension, ...extra });

/** A CD/CE element with code, displayName, codeSystem (and codeSystemName when given). */
export const cd = (
  name: string,
  code: { code: string; system: string; display?: string | undefined },
  systemName?: string,
  ...children: (XElement | undefined)[]
): XElement =>
  el(name, { code: code.code, displayName: code.display, codeSystem: code.system, codeSystemName: systemName }, ...children);

export const codeOf = (code: string, system: string, display?: string): Code => ({ code, system, display });

/**
 * AD in the structured CI-SIS form (houseNumber, streetName, additionalLocator, postalCode, city, country): the
 * header schematron does not expect postalCode/city next to streetAddressLine. The first line is split into
 * number and street when it starts with a number; further lines become additionalLocator.
 */
export const addr = (a: PostalAddress | undefined, use?: string): XElement => {
  const lines = (a?.lines ?? []).map((l) => l.trim()).filter((l) => l !== '');
  if (!a || (lines.length === 0 && !a.city && !a.postalCode)) {
    return el('addr', { nullFlavor: 'UNK' });
  }
  const [first, ...more] = lines;
  const m = first ? /^(\d+\s*(?:bis|ter|quater|[a-z])?)[\s,]+(.+)$/i.exec(first) : null;
  return el(
    'addr',
    { use },
    m ? [el('houseNumber', {}, (m[1] ?? '').trim()), el('streetName', {}, m[2] ?? '')] : txt('streetName', first),
    more.map((l) => el('additionalLocator', {}, l)),
    txt('postalCode', a.postalCode),
    txt('city', a.city),
    txt('country', a.country),
  );
};

/** TEL URL: keeps a scheme if present; an e-mail becomes mailto:, anything else tel: without spaces. */
export const telUrl = (t: string): string => {
  const s = t.trim();
  if (/^(tel|mailto|fax|https?):/i.test(s)) {
    return s;
  }
  if (s.includes('@')) {
    return `mailto:${s}`;
  }
  return `tel:${s.replace(/[\s.]/g, '')}`;
};

export const telecoms = (list: readonly string[] | undefined, use?: string): XElement[] => {
  const items = (list ?? []).filter((t) => t.trim() !== '');
  if (items.length === 0) {
    return [el('telecom', { nullFlavor: 'UNK' })];
  }
  return items.map((t) => el('telecom', { value: telUrl(t), use }));
};

const CIVILITY: Readonly<Record<string, string>> = { M: 'M', MR: 'M', MONSIEUR: 'M', MME: 'MME', MLLE: 'MME', MADAME: 'MME' };
/** JDV_J246 Titre (1.2.250.1.213.1.1.5.719), written as a suffix. */
const TITLES: Readonly<Record<string, string>> = { DR: 'DR', DOCTEUR: 'DR', PR: 'PR', PROFESSEUR: 'PR', MC: 'MC', MG: 'MG', PC: 'PC', PG: 'PG' };

/**
 * PN of a health professional. The model's `prefix` (HL7 v2 XCN.6) holds a civility or a title: a civility
 * goes in `prefix` (JDV_J245: M, MME), a title in `suffix` (JDV_J246: DR, PR…); anything else is dropped.
 */
export const personName = (p: Practitioner): XElement => {
  const key = (p.prefix ?? '').toUpperCase().replace(/[.\s]/g, '');
  return el(
    'name',
    {},
    txt('prefix', CIVILITY[key]),
    txt('given', p.given),
    txt('family', p.family ?? 'INCONNU'),
    txt('suffix', TITLES[key]),
  );
};

/** PS_IdNat of a professional: 8 + RPPS, else the first other identifier. */
export const practitionerId = (p: Practitioner): XElement => {
  if (p.rpps) {
    return ii(OID_PS_IDNAT, `8${p.rpps}`);
  }
  const other = p.identifiers[0];
  return other ? ii(other.system, other.value) : el('id', { nullFlavor: 'UNK' });
};

/** A decimal for PQ/REAL: comma as decimal separator accepted, anything else rejected. */
export const toDecimal = (v: string | undefined): string | undefined => {
  if (v === undefined) {
    return undefined;
  }
  const s = v.trim().replace(',', '.');
  return /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(s) ? s : undefined;
};
