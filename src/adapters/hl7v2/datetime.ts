/**
 * HL7 v2 DTM / DT (YYYY[MM[DD[HH[MM[SS[.S…]]]]]][+/-ZZZZ]) → the LabReport's partial ISO 8601 form.
 */
import { dateProblem, type DateBounds } from '../../core/report/dates.js';

const DTM = /^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:\.(\d{1,4}))?([+-]\d{4})?$/;

export type DateResult = { readonly ok: true; readonly value: string } | { readonly ok: false; readonly reason: string };

const pad = (n: number): string => String(n).padStart(2, '0');

export const hl7DateTimeToIso = (raw: string, bounds: DateBounds): DateResult => {
  const v = raw.trim();
  const m = DTM.exec(v);
  if (!m) {
    return { ok: false, reason: 'it is not an HL7 date/time (YYYY[MM[DD[HHMM[SS]]]][+/-ZZZZ])' };
  }
  const num = (i: number): number | undefined => (m[i] === undefined ? undefined : Number(m[i]));
  const y = Number(m[1]);
  const mo = num(2);
  const d = num(3);
  const h = num(4);
  const mi = num(5);
  const s = num(6);
  const frac = m[7];
  const tz = m[8];
  const problem = dateProblem({ y, mo, d, h, mi, s }, bounds);
  if (problem !== undefined) {
    return { ok: false, reason: problem };
  }
  if (tz !== undefined) {
    const th = Number(tz.slice(1, 3));
    const tm = Number(tz.slice(3, 5));
    if (th > 14 || tm > 59) {
      return { ok: false, reason: `time zone ${tz} does not exist` };
    }
  }
  let out = String(y).padStart(4, '0');
  if (mo === undefined) {
    return { ok: true, value: out };
  }
  out += `-${pad(mo)}`;
  if (d === undefined) {
    return { ok: true, value: out };
  }
  out += `-${pad(d)}`;
  if (h === undefined) {
    return { ok: true, value: out };
  }
  out += `T${pad(h)}:${pad(mi ?? 0)}`;
  if (s !== undefined) {
    out += `:${pad(s)}`;
    if (frac !== undefined) {
      out += `.${frac.padEnd(3, '0').slice(0, 3)}`;
    }
  }
  if (tz !== undefined) {
    out += `${tz.slice(0, 3)}:${tz.slice(3, 5)}`;
  }
  return { ok: true, value: out };
};

/**
 * PID-7 birth date: keeps the precision given and writes unknown month/day as `00` (lunar form, standards.md §1.4):
 * `1980` → `1980-00-00`, `198003` → `1980-03-00`, `19800000` → `1980-00-00`.
 */
export const hl7BirthDateToIso = (raw: string, maxYear: number): DateResult => {
  const v = raw.trim().slice(0, 8);
  if (!/^\d{4}(\d{2}(\d{2})?)?$/.test(v)) {
    return { ok: false, reason: 'it is not an HL7 date (YYYY[MM[DD]])' };
  }
  const y = Number(v.slice(0, 4));
  const mo = v.length >= 6 ? Number(v.slice(4, 6)) : 0;
  const d = v.length >= 8 ? Number(v.slice(6, 8)) : 0;
  const problem = dateProblem({ y, mo, d }, { minYear: 1850, maxYear, lunar: true });
  if (problem !== undefined) {
    return { ok: false, reason: problem };
  }
  const rest = raw.trim().slice(8);
  if (rest !== '' && !/^\d{0,6}(\.\d{1,4})?([+-]\d{4})?$/.test(rest)) {
    return { ok: false, reason: 'the time part after the date is malformed' };
  }
  return { ok: true, value: `${String(y).padStart(4, '0')}-${pad(mo)}-${pad(d)}` };
};
